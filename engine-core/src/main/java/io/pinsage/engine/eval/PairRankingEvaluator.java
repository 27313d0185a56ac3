package io.pinsage.engine.eval;

import io.pinsage.engine.util.Workers;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PinSage evaluation protocol: each held-out (query, positive) pair ranks its positive among a pool of
 * candidates drawn uniformly (seeded, shared by all pairs) from {@code [candidateFrom, candidateTo)}, the query
 * and the positive excluded from the pool. The positive's rank is 1 + the number of pool candidates scoring at
 * least as high (ties count against the model, so a constant scorer ranks last). Reports hit rate at k and MRR.
 *
 * <p>Runs on {@code threads} threads; per-pair ranks are summed in pair order, so results do not depend on the
 * thread count. Cost: pairs × poolSize scorer calls' worth of work.
 */
public final class PairRankingEvaluator {

    private final int k;
    private final int poolSize;
    private final long seed;
    private final int threads;

    /**
     * @throws IllegalArgumentException if {@code k}, {@code poolSize} or {@code threads} is below 1
     */
    public PairRankingEvaluator(int k, int poolSize, long seed, int threads) {
        if (k < 1 || poolSize < 1 || threads < 1) {
            throw new IllegalArgumentException("k=" + k + " poolSize=" + poolSize + " threads=" + threads + ": must be >= 1");
        }
        this.k = k;
        this.poolSize = poolSize;
        this.seed = seed;
        this.threads = threads;
    }

    /**
     * Ranks every pair's positive.
     *
     * @throws IllegalArgumentException if the arrays differ in length or the candidate range is too small for the pool
     */
    public PairRankingMetrics evaluate(PairScorer scorer, int[] queries, int[] positives, int candidateFrom, int candidateTo) {
        if (queries.length != positives.length) {
            throw new IllegalArgumentException("queries.length=" + queries.length + " positives.length=" + positives.length);
        }
        if (candidateTo - candidateFrom < poolSize + 2) {
            throw new IllegalArgumentException("poolSize=" + poolSize + ": the candidate range [" + candidateFrom + ", "
                    + candidateTo + ") is too small");
        }
        int[] pool = pool(candidateFrom, candidateTo);
        int[] ranks = new int[queries.length];
        AtomicInteger next = new AtomicInteger();
        Workers.run(threads, "pair-eval", t -> {
            int[] cand = new int[pool.length + 1];
            float[] scores = new float[pool.length + 1];
            for (int p; (p = next.getAndIncrement()) < queries.length; ) {
                int q = queries[p];
                int pos = positives[p];
                int n = 0;
                cand[n++] = pos;
                for (int c : pool) {
                    if (c != q && c != pos && n <= poolSize) {
                        cand[n++] = c;
                    }
                }
                scorer.score(q, cand, n, scores);
                int rank = 1;
                for (int i = 1; i < n; i++) {
                    if (scores[i] >= scores[0]) {
                        rank++;
                    }
                }
                ranks[p] = rank;
            }
        });
        double hits = 0;
        double rr = 0;
        for (int r : ranks) {
            if (r <= k) {
                hits++;
            }
            rr += 1.0 / r;
        }
        int n = Math.max(1, ranks.length);
        return new PairRankingMetrics(k, hits / n, rr / n, ranks.length, poolSize);
    }

    /**
     * Every node {@link #evaluate} would ask the scorer about for these pairs: the queries, the positives and the
     * candidate pool, ascending and distinct. A scorer needs rows for these alone. Cost: O(m log m), m = 2 · pairs +
     * pool.
     */
    public int[] nodesScored(int[] queries, int[] positives, int candidateFrom, int candidateTo) {
        int[] pool = pool(candidateFrom, candidateTo);
        int[] all = new int[Math.addExact(Math.addExact(queries.length, positives.length), pool.length)];
        System.arraycopy(queries, 0, all, 0, queries.length);
        System.arraycopy(positives, 0, all, queries.length, positives.length);
        System.arraycopy(pool, 0, all, queries.length + positives.length, pool.length);
        return java.util.Arrays.stream(all).sorted().distinct().toArray();
    }

    /** The shared candidate pool (with two spares for a query and positive that fall in it), from the seed alone. */
    private int[] pool(int candidateFrom, int candidateTo) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] pool = new int[poolSize + 2];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = candidateFrom + rnd.nextInt(candidateTo - candidateFrom);
        }
        return pool;
    }
}
