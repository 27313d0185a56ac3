package io.pinsage.engine.pipeline;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.ResourceLimits;
import io.pinsage.csr.Side;
import io.pinsage.engine.train.HardNegatives;
import io.pinsage.engine.util.Workers;
import io.pinsage.walk.HardNegativeSampler;
import io.pinsage.walk.ScratchPool;
import io.pinsage.walk.WalkTable;

import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongConsumer;

/**
 * PinSage's hard negatives for pin queries, from the walk engine's personalised-PageRank band, computed once per
 * query pin and kept: a query's band is ranked on first use ({@code steps} walk steps), {@code keep} members are
 * drawn and stored, and later draws pick among them. The ranking is seeded by the pin alone, so the cache's
 * contents do not depend on which sampler thread filled it first.
 *
 * <p>Thread-safe: each fill takes a walker of its own from a pool that goes with the cache (no thread keeps the
 * graph reachable afterwards); a racing second fill computes the same row. Rows prefilled over a walk table come
 * from other walks than rows filled on demand over the graph (same distribution); which rows are prefilled
 * depends only on the queries given, so the contents stay reproducible.
 * Memory: {@code keep} ints per query pin seen.
 */
final class HardNegativeCache implements HardNegatives {

    private static final int[] NONE = new int[0];

    private final AtomicReferenceArray<int[]> rows;
    private final ScratchPool<HardNegativeSampler> samplers;
    private final int keep;
    private final long seed;
    private final int rankFrom;
    private final int rankTo;
    private final long steps;

    HardNegativeCache(BipartiteGraph graph, int rankFrom, int rankTo, long steps, int keep, long seed) {
        this.rankFrom = rankFrom;
        this.rankTo = rankTo;
        this.steps = steps;
        this.rows = new AtomicReferenceArray<>(graph.nodeCount(Side.LEFT));
        this.samplers = new ScratchPool<>(() -> new HardNegativeSampler(graph, Side.LEFT, rankFrom, rankTo, steps, 0.5));
        this.keep = keep;
        this.seed = seed;
    }

    @Override
    public int sample(int query, SplittableRandom rnd) {
        if (query >= rows.length()) {
            return -1;
        }
        int[] row = row(query);
        return row.length == 0 ? -1 : row[rnd.nextInt(row.length)];
    }

    private int[] row(int query) {
        int[] row = rows.get(query);
        if (row == null) {
            HardNegativeSampler sampler = samplers.take();
            row = draw(sampler, query);
            samplers.give(sampler); // not after a throw: a sampler left half-way is dropped
            rows.set(query, row);
        }
        return row;
    }

    private int[] draw(HardNegativeSampler sampler, int query) {
        int[] buf = new int[keep];
        int n = sampler.sample(query, keep, seed ^ (query * 0x9E3779B97F4A7C15L), buf);
        return n == 0 ? NONE : java.util.Arrays.copyOf(buf, n);
    }

    /**
     * Ranks the bands of all {@code queries} up front on {@code threads} threads, so that the sampler threads
     * only draw from the cache and the trainer never waits on walks.
     */
    void prefill(int[] queries, int threads) {
        prefill(queries, threads, null, done -> { });
    }

    /**
     * As {@link #prefill(int[], int)}, ranking over {@code table} when it is not null (one read per hop instead
     * of two; same distribution, other walks); rows filled later, on demand, walk the graph. The table is only
     * read during this call. {@code progress} receives the number of queries done so far, from the worker threads.
     */
    void prefill(int[] queries, int threads, WalkTable table, LongConsumer progress) {
        ResourceLimits.requireThreads("threads", threads);
        prefill(queries, Workers.freshThreads("hard-negatives"), threads, table, progress);
    }

    /**
     * As above, with {@code workers} parallel tasks on the caller's {@code executor} (see {@link Workers}); the rows
     * do not depend on the executor or the task count.
     */
    void prefill(int[] queries, Executor executor, int workers, WalkTable table, LongConsumer progress) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Workers.run(executor, workers, "hard-negatives", t -> {
            HardNegativeSampler sampler = table == null ? samplers.take()
                    : new HardNegativeSampler(table, Side.LEFT, rankFrom, rankTo, steps, 0.5);
            for (int i; (i = next.getAndIncrement()) < queries.length; ) {
                if (queries[i] < rows.length() && rows.get(queries[i]) == null) {
                    rows.set(queries[i], draw(sampler, queries[i]));
                }
                progress.accept(done.incrementAndGet());
            }
            if (table == null) {
                samplers.give(sampler);
            }
        });
    }

    /**
     * A walk table of {@code graph} when it takes at most a quarter of the heap still free,
     * else null (the hard negatives then walk the graph).
     */
    static WalkTable tableIfRoom(BipartiteGraph graph) {
        return WalkTable.fitsHeap(graph) ? WalkTable.of(graph) : null;
    }
}
