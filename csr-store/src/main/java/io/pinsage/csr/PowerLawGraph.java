package io.pinsage.csr;

import java.util.SplittableRandom;

/**
 * A seeded synthetic pin–board graph with power-law degrees on both sides, held on the heap: the benchmark
 * graph for walks when no store is given.
 *
 * <p>Each edge draws its pin and its board independently with density ∝ x^(1/s − 1) over [0, 1) (s = skew,
 * larger is heavier-tailed), then scatters ids with an {@link AffinePermutation} so that hubs are spread over the id
 * range instead of packed at the front (which would flatter cache behaviour). Cost: O(edges) time and 16 bytes
 * of heap per edge while building, 8 afterwards. Not for tests of correctness: for speed measurements.
 */
public final class PowerLawGraph {

    private static final long SCATTER_OFFSET = 12345;
    /** SplitMix64's increment, which SplittableRandom uses for a seeded instance. */
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private PowerLawGraph() {
    }

    /**
     * An unweighted graph.
     *
     * @throws IllegalArgumentException if a count is not positive or the edges exceed an array's reach
     */
    public static HeapBipartiteGraph generate(int pins, int boards, long edges, double skew, long seed) {
        return generate(pins, boards, edges, skew, seed, false);
    }

    /**
     * As {@link #generate(int, int, long, double, long)}; with {@code weighted}, each edge also gets a weight drawn
     * uniformly from [1, 10) (after its endpoints, from the same generator), for weighted walks.
     *
     * @throws IllegalArgumentException if a count is not positive or the edges exceed an array's reach
     */
    public static HeapBipartiteGraph generate(int pins, int boards, long edges, double skew, long seed,
                                              boolean weighted) {
        if (pins < 1 || boards < 1 || edges < 1 || edges >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("pins=" + pins + " boards=" + boards + " edges=" + edges
                    + ": need positive counts and edges < 2^31 - 8");
        }
        if (!(skew >= 1)) {
            throw new IllegalArgumentException("skew=" + skew + ": must be >= 1");
        }
        int m = (int) edges;
        int[] left = new int[m];
        int[] right = new int[m];
        SplittableRandom rnd = stream(seed);
        AffinePermutation pinScatter = AffinePermutation.withStrideNear(pins, 0x9E3779B97F4A7C15L, true, SCATTER_OFFSET);
        AffinePermutation boardScatter = AffinePermutation.withStrideNear(boards, 0xC2B2AE3D27D4EB4FL, true, SCATTER_OFFSET);
        float[] weight = weighted ? new float[m] : null;
        for (int i = 0; i < m; i++) {
            left[i] = pinScatter.apply(draw(rnd, pins, skew));
            right[i] = boardScatter.apply(draw(rnd, boards, skew));
            if (weighted) {
                weight[i] = (float) (1 + 9 * rnd.nextDouble());
            }
        }
        return HeapBipartiteGraph.of(pins, boards, left, right, weight);
    }

    /**
     * The stream walk-engine's {@code WalkRandom(seed)} gives (both are SplitMix64; it starts from the mixed seed,
     * which a SplittableRandom one step behind returns as its first value), so graphs drawn by earlier versions stay
     * the same and benchmark figures stay comparable.
     */
    private static SplittableRandom stream(long seed) {
        return new SplittableRandom(new SplittableRandom((seed ^ 0x5DEECE66DL) - GOLDEN_GAMMA).nextLong());
    }

    private static int draw(SplittableRandom rnd, int n, double skew) {
        return (int) (n * Math.pow(rnd.nextDouble(), skew));
    }
}
