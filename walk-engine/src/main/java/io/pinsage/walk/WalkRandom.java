package io.pinsage.walk;

/**
 * A small, fast, seeded pseudo-random generator for walk steps (SplitMix64 output over a Weyl sequence).
 *
 * <p>Not thread-safe: each walking thread owns its own instance, reseeded per query so results depend on the
 * seed only, never on which thread ran the query. Every method is O(1) and allocates nothing.
 */
public final class WalkRandom {

    /** The Weyl sequence's increment. */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** The output function's multipliers ({@link #mix}), for code that computes outputs lane-wise. */
    static final long MIX1 = 0xBF58476D1CE4E5B9L;
    static final long MIX2 = 0x94D049BB133111EBL;

    private long state;

    /** A generator in the state {@link #reseed(long)} gives. */
    public WalkRandom(long seed) {
        reseed(seed);
    }

    /** Restarts the sequence: two generators reseeded with the same value produce the same numbers. */
    public void reseed(long seed) {
        state = mix(seed ^ 0x5DEECE66DL);
    }

    /** The next 64 uniformly distributed bits. */
    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /**
     * Reserves the next {@code count} outputs of {@link #nextLong()} in O(1) and returns a base from which
     * {@link #outputAt(long, int)} computes the i-th of them, {@code 0 <= i < count}. A loop that needs one draw
     * per lane then has no serial dependency through the generator's state, so the processor can overlap the
     * lanes' draws; the numbers are exactly those {@code count} calls of {@link #nextLong()} would return.
     */
    public long reserve(int count) {
        long base = state;
        state += count * GOLDEN_GAMMA;
        return base;
    }

    /** The {@code i}-th output reserved by the {@link #reserve(int)} call that returned {@code base}. */
    public static long outputAt(long base, int i) {
        return mix(base + (i + 1L) * GOLDEN_GAMMA);
    }

    /**
     * A uniform int in {@code [0, bound)} by Lemire's multiply-shift (the bias, at most bound/2<sup>32</sup>,
     * is far below what a walk can observe).
     */
    public int nextInt(int bound) {
        assert bound > 0 : "bound=" + bound;
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** A uniform float in {@code [0, 1)}. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** A uniform double in {@code [0, 1)}. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Checks a restart probability.
     *
     * @return {@code alpha}
     * @throws IllegalArgumentException unless {@code 0 < alpha <= 1}
     */
    public static double requireRestartProbability(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha=" + alpha + ": restart probability must lie in (0, 1]");
        }
        return alpha;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * MIX1;
        z = (z ^ (z >>> 27)) * MIX2;
        return z ^ (z >>> 31);
    }
}
