package io.pinsage.engine.api;

import io.pinsage.walk.PixieQuery;

import java.util.List;
import java.util.Objects;

/**
 * The knobs of one {@link PinSageEngine#recommend} call, with the walk engine's defaults: {@code steps} walk steps
 * in all (at most {@link PixieQuery#MAX_STEPS}), restart probability {@code alpha}, the multi-hit {@code boost},
 * early stopping once {@code earlyStopPins} pins have {@code earlyStopVisits} visits (0: off), pins never returned
 * ({@code blocklist}, external ids) and the walk {@code seed}. Immutable and thread-safe; checked when a call uses
 * it ({@link IllegalArgumentException} naming the field).
 *
 * @param steps           total walk steps
 * @param alpha           restart probability per step, in (0, 1]
 * @param boost           whether visits from several query pins are boosted (else summed)
 * @param earlyStopPins   pins that must reach {@code earlyStopVisits} visits to stop a query pin's walks; 0: off
 * @param earlyStopVisits visits each of those pins needs
 * @param blocklist       external ids of pins never returned
 * @param seed            seed of the walks: the same call on the same store gives the same answer
 */
public record RecommendOptions(long steps, double alpha, boolean boost, int earlyStopPins, int earlyStopVisits,
                               List<String> blocklist, long seed) {

    /** 100,000 steps, alpha 0.5, boosted, no early stop, nothing blocked, seed 0. */
    public static final RecommendOptions DEFAULTS = new RecommendOptions(100_000, 0.5, true, 0, 0, List.of(), 0);

    public RecommendOptions {
        blocklist = List.copyOf(Objects.requireNonNull(blocklist, "blocklist"));
    }

    /** These options with {@code steps} walk steps. */
    public RecommendOptions withSteps(long steps) {
        return new RecommendOptions(steps, alpha, boost, earlyStopPins, earlyStopVisits, blocklist, seed);
    }

    /** These options with early stopping after {@code pins} pins have {@code visits} visits. */
    public RecommendOptions withEarlyStop(int pins, int visits) {
        return new RecommendOptions(steps, alpha, boost, pins, visits, blocklist, seed);
    }

    /** These options with {@code pins} (external ids) never returned. */
    public RecommendOptions withBlocklist(List<String> pins) {
        return new RecommendOptions(steps, alpha, boost, earlyStopPins, earlyStopVisits, pins, seed);
    }

    /** These options with the walks seeded by {@code seed}. */
    public RecommendOptions withSeed(long seed) {
        return new RecommendOptions(steps, alpha, boost, earlyStopPins, earlyStopVisits, blocklist, seed);
    }

    /** These options with the multi-hit booster on or off. */
    public RecommendOptions withBoost(boolean boost) {
        return new RecommendOptions(steps, alpha, boost, earlyStopPins, earlyStopVisits, blocklist, seed);
    }
}
