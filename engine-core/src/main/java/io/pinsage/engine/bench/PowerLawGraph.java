package io.pinsage.engine.bench;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.walk.WalkRandom;

/**
 * A seeded synthetic pin–board graph with power-law degrees on both sides, held on the heap: the benchmark
 * graph for walks when no store is given.
 *
 * <p>Each edge draws its pin and its board independently with density ∝ x^(1/s − 1) over [0, 1) (s = skew,
 * larger is heavier-tailed), then scatters ids with an affine permutation so that hubs are spread over the id
 * range instead of packed at the front (which would flatter cache behaviour). Cost: O(edges) time and 16 bytes
 * of heap per edge while building, 8 afterwards. Not for tests of correctness: for speed measurements.
 */
public final class PowerLawGraph {

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
        WalkRandom rnd = new WalkRandom(seed);
        long pinStride = coprimeStride(pins, 0x9E3779B97F4A7C15L);
        long boardStride = coprimeStride(boards, 0xC2B2AE3D27D4EB4FL);
        float[] weight = weighted ? new float[m] : null;
        for (int i = 0; i < m; i++) {
            left[i] = scatter(draw(rnd, pins, skew), pins, pinStride);
            right[i] = scatter(draw(rnd, boards, skew), boards, boardStride);
            if (weighted) {
                weight[i] = (float) (1 + 9 * rnd.nextDouble());
            }
        }
        return HeapBipartiteGraph.of(pins, boards, left, right, weight);
    }

    private static int draw(WalkRandom rnd, int n, double skew) {
        return (int) (n * Math.pow(rnd.nextDouble(), skew));
    }

    private static int scatter(int id, int n, long stride) {
        return (int) ((id * stride + 12345) % n);
    }

    /** A stride near {@code hint mod n} that is coprime with {@code n}, so that id·stride mod n permutes ids. */
    private static long coprimeStride(int n, long hint) {
        long s = Math.floorMod(hint, (long) n) | 1;
        while (gcd(s, n) != 1) {
            s += 2;
        }
        return s % n == 0 ? 1 : s;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
