package io.pinsage.engine.train;

import java.nio.file.Path;

/**
 * Where a pipeline reports a training run to its host (a progress bar, plots, a metrics system); the library itself
 * never prints. The pipeline calls {@link #start} once the run's shape is known, on the caller's thread, and gives the
 * returned listener every event of the run on the trainer's thread, each epoch's only after {@link TrainingLog} has
 * appended that epoch to {@code log}, so a listener may read the whole log (plots of a resumed run include the epochs
 * before the restart).
 */
@FunctionalInterface
public interface TrainingProgress {

    /** Reports nothing. */
    TrainingProgress NONE = (epochs, metricName, log) -> new TrainingListener() { };

    /**
     * A run of {@code epochs} epochs begins (a resumed run counts the epochs before the restart).
     *
     * @param metricName the validation metric's name, e.g. "val recall@20"
     * @param log        the run's JSON-lines log ({@link TrainingLog#FILE} in the model directory)
     * @return the listener for this run's events
     */
    TrainingListener start(int epochs, String metricName, Path log);
}
