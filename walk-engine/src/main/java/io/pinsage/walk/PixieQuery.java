package io.pinsage.walk;

import java.util.Arrays;

/**
 * One Pixie request: a weighted set of query pins and the knobs of the walk. Immutable; build with
 * {@link #builder()}. Validation that needs no graph happens in {@link Builder#build()}; ids are checked against
 * the graph by {@link PixieEngine}.
 *
 * <p>Pins are left-side nodes, boards right-side nodes. Defaults: 100,000 steps, restart probability 0.5,
 * top 100 pins, no boards, multi-hit boosting on, no early stop, query pins excluded from the result, no
 * blocklist, seed 0.
 */
public final class PixieQuery {

    /**
     * The largest step budget N: 2<sup>24</sup>. Visit counts are floats, exact up to 2<sup>24</sup> per pin, so a
     * larger budget could no longer be counted exactly; it is also about a second of walking on one core, far
     * beyond the 10<sup>5</sup> steps that rank the top pins stably.
     */
    public static final long MAX_STEPS = 1L << 24;

    final int[] pins;
    final float[] weights;
    final long steps;
    final double alpha;
    final int topPins;
    final int topBoards;
    final boolean boost;
    final int earlyStopPins;
    final int earlyStopVisits;
    final boolean excludeQueryPins;
    final int[] blocklist;
    final long seed;

    private PixieQuery(Builder b) {
        pins = b.pins.clone();
        weights = b.weights.clone();
        steps = b.steps;
        alpha = b.alpha;
        topPins = b.topPins;
        topBoards = b.topBoards;
        boost = b.boost;
        earlyStopPins = b.earlyStopPins;
        earlyStopVisits = b.earlyStopVisits;
        excludeQueryPins = b.excludeQueryPins;
        blocklist = b.blocklist.clone();
        Arrays.sort(blocklist);
        seed = b.seed;
    }

    /**
     * Returns {@code steps} if it lies in {@code [1, MAX_STEPS]}, for callers that check a budget before they open a
     * graph.
     *
     * @param name the parameter's name as the caller's user knows it
     * @throws IllegalArgumentException naming {@code name=steps} and the range otherwise
     */
    public static long requireSteps(String name, long steps) {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException(name + "=" + steps + ": must lie in [1, " + MAX_STEPS
                    + "] (visit counts are exact up to 2^24; more steps would not count, ask for fewer)");
        }
        return steps;
    }

    /** A builder with the defaults above and no pins. */
    public static Builder builder() {
        return new Builder();
    }

    /** Number of query pins. */
    public int size() {
        return pins.length;
    }

    /** The {@code i}-th query pin. */
    public int pin(int i) {
        return pins[i];
    }

    /** The weight of the {@code i}-th query pin. */
    public float weight(int i) {
        return weights[i];
    }

    /** Total step budget N shared by the query pins. */
    public long steps() {
        return steps;
    }

    /** Mutable, single-threaded builder of {@link PixieQuery}. */
    public static final class Builder {
        private int[] pins = new int[0];
        private float[] weights = new float[0];
        private long steps = 100_000;
        private double alpha = 0.5;
        private int topPins = 100;
        private int topBoards;
        private boolean boost = true;
        private int earlyStopPins;
        private int earlyStopVisits;
        private boolean excludeQueryPins = true;
        private int[] blocklist = new int[0];
        private long seed;

        private Builder() {
        }

        /** Adds a query pin with weight {@code weight} (positive and finite; checked by {@link #build()}). */
        public Builder pin(int pin, float weight) {
            pins = Arrays.copyOf(pins, pins.length + 1);
            weights = Arrays.copyOf(weights, weights.length + 1);
            pins[pins.length - 1] = pin;
            weights[weights.length - 1] = weight;
            return this;
        }

        /** Total steps N (round trips pin → board → pin), split among the query pins; at most {@link #MAX_STEPS}. */
        public Builder steps(long steps) {
            this.steps = steps;
            return this;
        }

        /** Restart probability per step; walk lengths are geometric with mean 1/alpha. */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Number of pins returned. */
        public Builder topPins(int k) {
            this.topPins = k;
            return this;
        }

        /** Number of boards returned (0: boards are not counted at all, which is cheaper). */
        public Builder topBoards(int k) {
            this.topBoards = k;
            return this;
        }

        /** Multi-hit booster V[p] = (Σ_q √V_q[p])² when true; plain sum of visits when false. */
        public Builder boost(boolean boost) {
            this.boost = boost;
            return this;
        }

        /**
         * Early stopping: each query pin's walk ends once {@code pins} pins have reached {@code visits} visits
         * from it. {@code pins = 0} disables it.
         */
        public Builder earlyStop(int pins, int visits) {
            this.earlyStopPins = pins;
            this.earlyStopVisits = visits;
            return this;
        }

        /** Whether the query pins themselves are left out of the result (default true). */
        public Builder excludeQueryPins(boolean exclude) {
            this.excludeQueryPins = exclude;
            return this;
        }

        /** Pins that never appear in the result. */
        public Builder blocklist(int... pins) {
            this.blocklist = pins.clone();
            return this;
        }

        /** Seed of the walks: the same query on the same graph and engine gives the same result. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the offending field: no pins, a negative pin id, a weight
         *                                  that is not positive and finite, or a knob out of range
         */
        public PixieQuery build() {
            if (pins.length == 0) {
                throw new IllegalArgumentException("pins=[]: a query needs at least one pin");
            }
            for (int i = 0; i < pins.length; i++) {
                if (pins[i] < 0) {
                    throw new IllegalArgumentException("pin[" + i + "]=" + pins[i] + ": ids are >= 0");
                }
                if (!(weights[i] > 0 && Float.isFinite(weights[i]))) {
                    throw new IllegalArgumentException("weight[" + i + "]=" + weights[i] + " (pin " + pins[i]
                            + "): must be positive and finite");
                }
            }
            requireSteps("steps", steps);
            WalkRandom.requireRestartProbability(alpha);
            if (topPins < 0 || topBoards < 0) {
                throw new IllegalArgumentException("topPins=" + topPins + " topBoards=" + topBoards + ": must be >= 0");
            }
            if (earlyStopPins < 0 || (earlyStopPins > 0 && earlyStopVisits < 1)) {
                throw new IllegalArgumentException("earlyStopPins=" + earlyStopPins + " earlyStopVisits="
                        + earlyStopVisits + ": need pins >= 0, and visits >= 1 when pins > 0");
            }
            return new PixieQuery(this);
        }
    }
}
