package io.pinsage.nn.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads that run the chunks of one {@link Chunked} task at a time together with the
 * calling thread: {@link #run} returns when every chunk has run.
 *
 * <p>Why not a {@code ForkJoinPool}: a training step issues thousands of short operations, and per-call task
 * objects plus wake-up latency would dominate; here dispatch allocates nothing, and idle workers spin briefly
 * (consecutive operations follow each other within microseconds) before parking.
 *
 * <p>Threading: {@link #run} is called by one thread at a time (the backend's owner). Chunks are claimed from
 * a shared counter, so a task must tolerate any chunk running on any thread, in any order.
 */
final class WorkerPool implements AutoCloseable {

    /** A unit of parallel work split into numbered chunks. */
    interface Chunked {
        void run(int chunk);
    }

    private static final int SPINS_BEFORE_PARK = 1 << 14;
    private static final long PARK_NANOS = 100_000L;

    /** A pool without workers: {@link #run} runs every chunk on the caller. Shared; it holds no state. */
    static final WorkerPool INLINE = new WorkerPool(1);

    private final Thread[] workers;
    /** Generation in the high 32 bits, next chunk in the low: a late worker of an old generation claims nothing. */
    private final AtomicLong nextChunk = new AtomicLong();
    private final AtomicInteger doneChunks = new AtomicInteger();
    private volatile Chunked task;
    private volatile int chunkCount;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    /** The thread in {@link #run}, woken by the worker that finishes the last chunk. */
    private volatile Thread caller;

    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + " (expected >= 1)");
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("pinsage-cpu-" + (i + 1)).unstarted(this::workerLoop);
            workers[i].start();
        }
    }

    /** Number of threads that run chunks, the caller included. */
    int parallelism() {
        return workers.length + 1;
    }

    /** Runs {@code task.run(c)} for every {@code c < chunks}, on the pool and the calling thread. */
    void run(Chunked task, int chunks) {
        if (chunks <= 1 || workers.length == 0) {
            for (int c = 0; c < chunks; c++) {
                task.run(c);
            }
            return;
        }
        long g = generation + 1;
        // First move the claim counter to the new generation: a late worker of the previous generation that then
        // reads the new task or chunk count can no longer claim a chunk with its old generation number (it would
        // run the new task before it is published and throw off the done count).
        nextChunk.set(g << 32);
        this.task = task;
        this.chunkCount = chunks;
        doneChunks.set(0);
        failure = null;
        caller = Thread.currentThread();
        // The volatile write publishes task, chunkCount and the reset counters to the workers.
        generation = g;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        work(g);
        int spins = 0;
        while (doneChunks.get() < chunks) {
            if (++spins < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                // A chunk still running on a worker that lost its core: park rather than spin or yield, so the core
                // goes to that worker (yield gives it up to nothing on a busy machine). The worker that finishes the
                // last chunk unparks this thread (an unpark before the park leaves a permit); the timeout is a safety net.
                LockSupport.parkNanos(this, PARK_NANOS);
            }
        }
        this.task = null;
        Throwable t = failure;
        if (t != null) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    private void work(long g) {
        Chunked current = task;
        int chunks = chunkCount;
        while (current != null) {
            long claim = nextChunk.get();
            int c = (int) claim;
            if (claim >>> 32 != g || c >= chunks) {
                return;
            }
            if (!nextChunk.compareAndSet(claim, claim + 1)) {
                continue;
            }
            try {
                current.run(c);
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (doneChunks.incrementAndGet() == chunks && caller != Thread.currentThread()) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    private void workerLoop() {
        long seen = 0;
        int idle = 0;
        while (!closed) {
            long g = generation;
            if (g != seen) {
                seen = g;
                idle = 0;
                work(g);
            } else if (++idle < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 1_000_000L);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
