package io.pinsage.engine.util;

import java.util.function.LongConsumer;

/**
 * Where a pipeline reports the progress of its long stages (ranking baselines, building neighbourhoods, ranking hard
 * negatives), for a progress bar or a log; the library itself never prints. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface StageProgress {

    /** Reports nothing. */
    StageProgress NONE = (stage, unit, total) -> done -> { };

    /**
     * A stage of {@code total} units begins. The stage's workers then give the returned consumer the number of units
     * finished so far, from several threads at once and not necessarily in increasing order; the last value given is
     * {@code total}. It must be cheap: a stage may report every unit.
     *
     * @param stage what the stage does, e.g. "hard negatives"
     * @param unit  what it counts, plural, e.g. "queries"
     */
    LongConsumer start(String stage, String unit, long total);
}
