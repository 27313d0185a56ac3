package io.pinsage.csr;

/**
 * The seed of a randomized test: {@code -Dtests.seed=N} when given (to replay a failure), otherwise a fresh one
 * from the clock. Every failure message of a randomized test starts with {@link #tag(long)}, which says how to
 * replay it.
 */
public final class TestSeed {

    private TestSeed() {
    }

    /** The seed to use: the {@code tests.seed} system property, or the clock. */
    public static long next() {
        return Long.getLong("tests.seed", System.nanoTime());
    }

    /** The prefix of every failure message of a test run with {@code seed}: how to replay it. */
    public static String tag(long seed) {
        return "[-Dtests.seed=" + seed + "] ";
    }
}
