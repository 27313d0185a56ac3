package io.pinsage.engine.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed set of worker threads that split index ranges into equal, contiguous parts: part {@code p} of
 * {@code parts} always covers the same indices, so every reduction that sums per-part results in part order is
 * deterministic whatever the scheduling. The calling thread runs part 0 itself.
 *
 * <p>Threading: one caller at a time (the trainer's thread). {@link #close()} stops the workers.
 */
public final class Parallel implements AutoCloseable {

    /** The body of a parallel loop over {@code [from, to)}, the {@code part}-th of the split. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int part, int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    /** @param threads number of parts, at least 1; {@code threads - 1} worker threads are started */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + ": must be >= 1");
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "pinsage-compute");
            t.setDaemon(true);
            return t;
        });
    }

    /** Number of parts each loop is split into. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into {@link #threads()} contiguous parts (fewer when
     * {@code n < minPerPart * threads}); returns when all parts are done, rethrowing the first failure.
     */
    public void forRange(int n, int minPerPart, RangeBody body) {
        int parts = Math.max(1, Math.min(threads, n / Math.max(1, minPerPart)));
        if (parts == 1) {
            body.run(0, 0, n);
            return;
        }
        CountDownLatch done = new CountDownLatch(parts - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int p = 1; p < parts; p++) {
            int part = p;
            pool.execute(() -> {
                try {
                    body.run(part, (int) ((long) n * part / parts), (int) ((long) n * (part + 1) / parts));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            body.run(0, 0, (int) ((long) n / parts));
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for workers", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
