package io.pinsage.engine.train;

import io.pinsage.nn.batch.MiniBatch;

/**
 * Receives training progress on the trainer's thread: every batch (for progress bars) and every epoch (for
 * logs and plots). Implementations must be quick; they run between steps.
 */
public interface TrainingListener {

    /**
     * Before each step, with its minibatch (its graph's {@code nodeCount(k)} tells how many nodes each layer reads) and
     * how long the trainer waited for the producers to hand it over, in nanoseconds: a step whose wait is a large part of
     * its time is bound by minibatch construction (sampling, reading features and neighbourhood rows), not by the model.
     */
    default void batchTaken(int epoch, int batch, MiniBatch minibatch, long waitNanos) {
    }

    /** After each step. */
    default void batchDone(int epoch, int batch, int batches, double loss) {
    }

    /** After each epoch's validation. */
    default void epochDone(EpochStats stats) {
    }

    /** A listener that forwards every event to each of {@code listeners}, in order (a console bar and a log file, say). */
    static TrainingListener of(TrainingListener... listeners) {
        TrainingListener[] all = listeners.clone();
        return new TrainingListener() {
            @Override
            public void batchTaken(int epoch, int batch, MiniBatch minibatch, long waitNanos) {
                for (TrainingListener l : all) {
                    l.batchTaken(epoch, batch, minibatch, waitNanos);
                }
            }

            @Override
            public void batchDone(int epoch, int batch, int batches, double loss) {
                for (TrainingListener l : all) {
                    l.batchDone(epoch, batch, batches, loss);
                }
            }

            @Override
            public void epochDone(EpochStats stats) {
                for (TrainingListener l : all) {
                    l.epochDone(stats);
                }
            }
        };
    }

    /** One epoch's summary. */
    /**
     * @param waitFraction       share of the epoch's batch loop the trainer waited for minibatches
     * @param deviceIdleFraction share of it the backend spent outside the steps' busy spans
     *                           ({@link io.pinsage.nn.backend.Backend#beginBusySpan()}): a lower bound on idle time
     */
    record EpochStats(int epoch, double meanLoss, double validation, float lrScale, double seconds, double waitFraction,
                      double deviceIdleFraction, int hardNegativesPerQuery, boolean improved) {
    }
}
