package io.pinsage.engine.pipeline;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.engine.train.HardNegatives;
import io.pinsage.engine.util.Workers;
import io.pinsage.walk.HardNegativeSampler;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * PinSage's hard negatives for pin queries, from the walk engine's personalised-PageRank band, computed once per
 * query pin and kept: a query's band is ranked on first use ({@code steps} walk steps), {@code keep} members are
 * drawn and stored, and later draws pick among them. The ranking is seeded by the pin alone, so the cache's
 * contents do not depend on which sampler thread filled it first.
 *
 * <p>Thread-safe: each sampler thread has its own walker; a racing second fill computes the same row.
 * Memory: {@code keep} ints per query pin seen.
 */
final class HardNegativeCache implements HardNegatives {

    private static final int[] NONE = new int[0];

    private final AtomicReferenceArray<int[]> rows;
    private final ThreadLocal<HardNegativeSampler> samplers;
    private final int keep;
    private final long seed;

    HardNegativeCache(BipartiteGraph graph, int rankFrom, int rankTo, long steps, int keep, long seed) {
        this.rows = new AtomicReferenceArray<>(graph.nodeCount(Side.LEFT));
        this.samplers = ThreadLocal.withInitial(() -> new HardNegativeSampler(graph, Side.LEFT, rankFrom, rankTo, steps, 0.5));
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
            int[] buf = new int[keep];
            int n = samplers.get().sample(query, keep, seed ^ (query * 0x9E3779B97F4A7C15L), buf);
            row = n == 0 ? NONE : java.util.Arrays.copyOf(buf, n);
            rows.set(query, row);
        }
        return row;
    }

    /**
     * Ranks the bands of all {@code queries} up front on {@code threads} threads, so that the sampler threads
     * only draw from the cache and the trainer never waits on walks.
     */
    void prefill(int[] queries, int threads) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Workers.run(threads, "hard-negatives", t -> {
            for (int i; (i = next.getAndIncrement()) < queries.length; ) {
                if (queries[i] < rows.length()) {
                    row(queries[i]);
                }
            }
        });
    }
}
