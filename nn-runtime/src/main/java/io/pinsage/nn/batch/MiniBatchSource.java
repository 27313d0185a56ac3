package io.pinsage.nn.batch;

/**
 * Where a trainer takes its minibatches from: threads of the same process, or samplers on other machines. A trainer
 * cannot tell them apart, and since every batch is a function of the {@link BatchSchedule} (and the data), nor can
 * the result of a run.
 *
 * <p>A source serves one epoch from a first batch on ({@link Factory#open}); its producers may start building as soon
 * as it is opened and keep a bounded number of batches ahead of the trainer.
 *
 * <p>Threading: {@link #take} is called from one thread (the trainer's), with consecutive indices from the first
 * batch on; {@link #close} from the same thread, once the trainer is done with the epoch, has failed, or stops early.
 * An implementation may be written for exactly that order and throw {@link IllegalStateException} otherwise.
 */
public interface MiniBatchSource extends AutoCloseable {

    /**
     * Batch {@code index} of epoch {@code epoch}, waiting (blocked, not spinning) until it is built.
     *
     * @throws RuntimeException or {@link Error} when a producer failed building this batch or an earlier one it
     *                          was responsible for: the producer's own exception where it is unchecked, an
     *                          {@link IllegalStateException} wrapping it otherwise; a source never leaves the
     *                          trainer waiting for a batch that no producer will build
     * @throws IllegalStateException when the calling thread is interrupted while waiting (its interrupt flag is set
     *                               again), or when the batch is not the one this source serves next
     */
    MiniBatch take(int epoch, int index);

    /**
     * Stops the producers and releases what they hold; batches built but not taken are dropped. Returns once no
     * producer of this source runs any more. Idempotent.
     */
    @Override
    void close();

    /** Opens the source of one epoch; called by the trainer at each epoch's start, from its thread. */
    @FunctionalInterface
    interface Factory {

        /** A source serving batches {@code fromBatch, fromBatch + 1, ...} of {@code epoch}; the caller closes it. */
        MiniBatchSource open(int epoch, int fromBatch);
    }
}
