package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.csr.neighborhood.NeighborhoodStoreWriter;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Computes importance neighbourhoods for all nodes of a side, or for a given set, with worker threads, and
 * writes them into a neighbourhood store ({@link NeighborhoodStoreWriter}) that training and inference map.
 *
 * <p>Work distribution: the calling thread hands out chunks of {@value #CHUNK} nodes through an Agrona
 * {@link ManyToManyConcurrentArrayQueue} and takes finished chunks back through a
 * {@link ManyToOneConcurrentArrayQueue}, which also drives the progress report; chunk objects are pooled, so
 * nothing is allocated per node. Each worker owns an {@link ImportanceNeighborhoods} and writes its rows
 * straight into the mapped file (rows of distinct nodes never overlap).
 *
 * <p>Threading: one build at a time per instance; {@link Progress} is called on the calling thread. A worker
 * failure stops the build, discards the unpublished store and is rethrown. Deterministic: the store's contents
 * do not depend on the thread count or scheduling.
 */
public final class NeighborhoodBuilder {

    /** Nodes per unit of work: large enough to amortise queue traffic, small enough to balance threads. */
    static final int CHUNK = 64;

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
     * {@link ImportanceNeighborhoods#ImportanceNeighborhoods(WalkTable, NeighborhoodConfig)}).
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

    /**
     * Computes every node's neighbourhood and publishes a new store under {@code root} (replacing any store
     * there).
     */
    public StoreGeneration buildAll(Path root, Progress progress) throws IOException {
        int n = graph.nodeCount(config.side());
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, config.side(), n, config.topT(),
                config.stepsPerNode(), config.seed())) {
            compute(null, n, w::writeRow, progress);
            return w.commit();
        }
    }

    /**
     * Incremental recomputation: recomputes only {@code nodes} (for example those whose edges changed) and
     * publishes a new generation of the store under {@code root} in which every other row is unchanged.
     *
     * @throws IllegalArgumentException if the store's side, width or node count do not match this builder's
     *                                  graph and configuration, or a node is out of range
     */
    public StoreGeneration update(Path root, int[] nodes, Progress progress) throws IOException {
        int n = graph.nodeCount(config.side());
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] < 0 || nodes[i] >= n) {
                throw new IllegalArgumentException("nodes[" + i + "]=" + nodes[i] + ": out of range [0, " + n + ")");
            }
        }
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.update(root)) {
            if (w.side() != config.side() || w.width() != config.topT() || w.nodeCount() != n) {
                throw new IllegalArgumentException("store " + root + " holds side=" + w.side() + " width=" + w.width()
                        + " nodeCount=" + w.nodeCount() + ", but the update computes side=" + config.side()
                        + " topT=" + config.topT() + " nodeCount=" + n + ": rebuild it with buildAll");
            }
            int[] distinct = java.util.stream.IntStream.of(nodes).distinct().toArray();
            compute(distinct, distinct.length, w::writeRow, progress);
            return w.commit();
        }
    }

    /** Convenience: opens the store published under {@code root} (see {@link NeighborhoodStore#open}). */
    public static NeighborhoodStore open(Path root) throws IOException {
        return NeighborhoodStore.open(root, false);
    }

    /**
     * Computes the neighbourhoods of {@code nodes[0..count)} (or of nodes {@code 0..count-1} when {@code nodes} is
     * null) on the worker threads and hands each row to {@code sink}.
     */
    public void compute(int[] nodes, int count, RowSink sink, Progress progress) {
        int poolSize = 4 * threads;
        ManyToManyConcurrentArrayQueue<Chunk> work = new ManyToManyConcurrentArrayQueue<>(poolSize);
        ManyToOneConcurrentArrayQueue<Chunk> done = new ManyToOneConcurrentArrayQueue<>(poolSize);
        ArrayDeque<Chunk> free = new ArrayDeque<>(poolSize);
        for (int i = 0; i < poolSize; i++) {
            free.push(new Chunk());
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Worker[] workers = new Worker[threads];
        Thread[] running = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ImportanceNeighborhoods walks = table != null ? new ImportanceNeighborhoods(table, config)
                    : new ImportanceNeighborhoods(graph, config, chooser);
            workers[t] = new Worker(walks, nodes, sink, work, done, failure);
            running[t] = Thread.ofPlatform().name("neighborhoods-" + t).daemon().start(workers[t]);
        }
        IdleStrategy idle = new BackoffIdleStrategy();
        long finished = 0;
        int next = 0;
        try {
            progress.update(0, count);
            while (finished < count && failure.get() == null) {
                int work0 = 0;
                while (next < count && !free.isEmpty()) {
                    Chunk c = free.pop();
                    c.from = next;
                    c.to = Math.min(count, next + CHUNK);
                    next = c.to;
                    boolean queued = work.offer(c);
                    assert queued : "the work queue holds every pooled chunk";
                    work0++;
                }
                Chunk c;
                while ((c = done.poll()) != null) {
                    finished += c.to - c.from;
                    free.push(c);
                    work0++;
                    progress.update(finished, count);
                }
                idle.idle(work0);
            }
        } finally {
            for (Worker w : workers) {
                w.stop = true;
            }
            for (Thread t : running) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while stopping neighbourhood workers", e);
                }
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        } else if (t instanceof Error err) {
            throw err;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** A range of positions in the node list; recycled between the coordinator and the workers. */
    private static final class Chunk {
        int from;
        int to;
    }

    private static final class Worker implements Runnable {
        private final ImportanceNeighborhoods neighborhoods;
        private final int[] nodes;
        private final RowSink sink;
        private final ManyToManyConcurrentArrayQueue<Chunk> work;
        private final ManyToOneConcurrentArrayQueue<Chunk> done;
        private final AtomicReference<Throwable> failure;
        private final int[] ids;
        private final float[] weights;
        volatile boolean stop;

        Worker(ImportanceNeighborhoods neighborhoods, int[] nodes, RowSink sink, ManyToManyConcurrentArrayQueue<Chunk> work,
               ManyToOneConcurrentArrayQueue<Chunk> done, AtomicReference<Throwable> failure) {
            this.neighborhoods = neighborhoods;
            this.nodes = nodes;
            this.sink = sink;
            this.work = work;
            this.done = done;
            this.failure = failure;
            this.ids = new int[neighborhoods.config().topT()];
            this.weights = new float[ids.length];
        }

        @Override
        public void run() {
            IdleStrategy idle = new BackoffIdleStrategy();
            try {
                while (!stop) {
                    Chunk c = work.poll();
                    if (c == null) {
                        idle.idle(0);
                        continue;
                    }
                    idle.reset();
                    for (int i = c.from; i < c.to; i++) {
                        int node = nodes == null ? i : nodes[i];
                        int n = neighborhoods.compute(node, ids, weights);
                        sink.accept(node, ids, weights, n);
                    }
                    while (!done.offer(c)) {
                        idle.idle(0);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }
}
