package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Computes neighbourhood rows ({@link NeighborhoodRows}: importance walks, uniform draws or own neighbours, as the
 * configuration's {@link NeighborhoodKind} says) for all nodes of a side, or for a given set, with worker threads,
 * and hands each row to a {@link RowSink}. Writing them into a neighbourhood store that training and inference map
 * is the caller's part (engine-core's {@code NeighborhoodStores}, whose sink writes each row straight into the store's
 * mapped file), so that walks see the graph API only.
 *
 * <p>Work distribution: workers claim ranges of {@value #CHUNK} nodes from a shared atomic counter and add what
 * they finished to another, which the calling thread reads for the progress report while it waits for them
 * (blocked, not spinning, so a busy machine's cores go to the workers); nothing is allocated per node. Each worker
 * owns a {@link NeighborhoodRows} and hands its rows to the sink as it computes them.
 *
 * <p>Threading: one computation at a time per instance; {@link Progress} is called on the calling thread, the sink
 * on the workers (for distinct nodes). A worker failure stops the computation and is rethrown. Deterministic: each
 * node's row does not depend on the thread count or scheduling.
 */
public final class NeighborhoodBuilder {

    /** Nodes per unit of work: large enough to amortise queue traffic, small enough to balance threads. */
    static final int CHUNK = 64;

    /** How often the calling thread reports progress while it waits for the workers. */
    static final int PROGRESS_MILLIS = 50;

    /** Receives progress on the building thread: {@code done} of {@code total} nodes finished. */
    @FunctionalInterface
    public interface Progress {
        /** Reports nothing. */
        Progress NONE = (done, total) -> { };

        void update(long done, long total);
    }

    /** Where computed rows go; called concurrently for distinct nodes. */
    @FunctionalInterface
    public interface RowSink {
        void accept(int node, int[] ids, float[] weights, int count);
    }

    private final BipartiteGraph graph;
    private final WalkTable table;
    private final NeighborhoodConfig config;
    private final EdgeChooser chooser;
    private final int threads;

    /**
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public NeighborhoodBuilder(BipartiteGraph graph, NeighborhoodConfig config, EdgeChooser chooser, int threads) {
        this(graph, null, config, Objects.requireNonNull(chooser, "chooser"), threads);
    }

    /**
     * Uniform walks over a {@link WalkTable}: one dependent read per hop instead of two (see
     * {@link ImportanceNeighborhoods#ImportanceNeighborhoods(WalkTable, NeighborhoodConfig)}); rows of the other
     * kinds read the table's graph.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public NeighborhoodBuilder(WalkTable table, NeighborhoodConfig config, int threads) {
        this(Objects.requireNonNull(table, "table").graph(), table, config, null, threads);
    }

    private NeighborhoodBuilder(BipartiteGraph graph, WalkTable table, NeighborhoodConfig config, EdgeChooser chooser,
                                int threads) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.table = table;
        this.config = Objects.requireNonNull(config, "config");
        this.chooser = chooser;
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + ": must be >= 1");
        }
        this.threads = threads;
    }

    /** Uniform neighbour choice. */
    public NeighborhoodBuilder(BipartiteGraph graph, NeighborhoodConfig config, int threads) {
        this(graph, config, UniformEdgeChooser.INSTANCE, threads);
    }

    /** The graph the walks read. */
    public BipartiteGraph graph() {
        return graph;
    }

    /** The side, kind, width T, steps per node and seed of every row. */
    public NeighborhoodConfig config() {
        return config;
    }

    /**
     * Computes the neighbourhoods of {@code nodes[0..count)} (or of nodes {@code 0..count-1} when {@code nodes} is
     * null) on the worker threads and hands each row to {@code sink}. The calling thread reports progress about
     * every {@value #PROGRESS_MILLIS} ms and once at the end, blocked in between.
     *
     * @throws IllegalStateException if the calling thread is interrupted (the workers are stopped first)
     */
    public void compute(int[] nodes, int count, RowSink sink, Progress progress) {
        Claims claims = new Claims(count);
        Worker[] workers = new Worker[threads];
        Thread[] running = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Worker(new NeighborhoodRows(graph, table, config, chooser), nodes, sink, claims);
            running[t] = Thread.ofPlatform().name("neighborhoods-" + t).daemon().start(workers[t]);
        }
        boolean interrupted = false;
        try {
            progress.update(0, count);
            long reported = 0;
            for (Thread t : running) {
                while (t.isAlive()) {
                    t.join(PROGRESS_MILLIS);
                    reported = report(claims, reported, progress);
                }
            }
            // the workers may all have finished before the first wait: the last report is always the final count
            report(claims, reported, progress);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            // Reached with workers still running only when interrupted or when progress threw: stop them first.
            claims.stop = true;
            for (Thread t : running) {
                while (t.isAlive()) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing neighbourhoods");
        }
        Throwable t = claims.failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        } else if (t instanceof Error err) {
            throw err;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
        long done = claims.finished.get();
        if (done != count) {
            throw new IllegalStateException("computed " + done + " of " + count + " neighbourhoods");
        }
    }

    private static long report(Claims claims, long reported, Progress progress) {
        long done = claims.finished.get();
        if (done != reported && claims.failure.get() == null) {
            progress.update(done, claims.count);
        }
        return done;
    }

    /**
     * The work shared by the workers: the next position to claim, how many are finished, the first failure.
     *
     * <p>Why a counter and not a queue of chunks: a worker claims its next range with one atomic add, and nothing is
     * handed back, so no hand-off can fail or be lost however the threads are scheduled (a bounded lock-free queue
     * can refuse an offer while a preempted consumer is half-way through a poll; a chunk dropped there left the build
     * waiting forever).
     */
    private static final class Claims {
        final int count;
        final AtomicLong next = new AtomicLong();
        final AtomicLong finished = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stop;

        Claims(int count) {
            this.count = count;
        }
    }

    private static final class Worker implements Runnable {
        private final NeighborhoodRows neighborhoods;
        private final int[] nodes;
        private final RowSink sink;
        private final Claims claims;
        private final int[] ids;
        private final float[] weights;

        Worker(NeighborhoodRows neighborhoods, int[] nodes, RowSink sink, Claims claims) {
            this.neighborhoods = neighborhoods;
            this.nodes = nodes;
            this.sink = sink;
            this.claims = claims;
            this.ids = new int[neighborhoods.config().topT()];
            this.weights = new float[ids.length];
        }

        @Override
        public void run() {
            try {
                // Positions are longs: with many workers the counter passes count by up to threads * CHUNK.
                long from;
                while (!claims.stop && claims.failure.get() == null && (from = claims.next.getAndAdd(CHUNK)) < claims.count) {
                    int to = (int) Math.min(claims.count, from + CHUNK);
                    for (int i = (int) from; i < to; i++) {
                        int node = nodes == null ? i : nodes[i];
                        int n = neighborhoods.compute(node, ids, weights);
                        sink.accept(node, ids, weights, n);
                    }
                    claims.finished.addAndGet(to - from);
                }
            } catch (Throwable t) {
                claims.failure.compareAndSet(null, t);
            }
        }
    }
}
