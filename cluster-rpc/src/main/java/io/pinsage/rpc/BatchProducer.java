package io.pinsage.rpc;

import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;

/**
 * Builds any batch of any epoch on demand: what a sampler serves. The trainer decides which sampler builds which
 * batch, so a sampler is asked for scattered indices (and for a dead sampler's batches), not for a run from a first
 * batch on; the {@link io.pinsage.nn.batch.BatchSchedule} makes batch i of epoch e the same wherever it is built.
 *
 * <p>Threading: {@link #build} is called from the sampler's build threads at once; an implementation is thread-safe
 * (typically one builder per thread). The returned batch is handed over (its arrays are read, never written).
 */
@FunctionalInterface
public interface BatchProducer {

    /**
     * Batch {@code index} of {@code epoch}; its {@link MiniBatch#epoch()} and {@link MiniBatch#index()} must say so.
     *
     * @throws Exception whatever stops the build; the trainer gets its text when it takes that batch
     */
    MiniBatch build(int epoch, int index) throws Exception;

    /**
     * Serves each batch from a source of its own, opened at that batch and closed after it. Right for factories
     * whose sources build lazily, on {@link MiniBatchSource#take}; a source that starts building ahead on open (as
     * threads of the same process do) wastes that work at every batch.
     */
    static BatchProducer perBatch(MiniBatchSource.Factory factory) {
        return (epoch, index) -> {
            try (MiniBatchSource source = factory.open(epoch, index)) {
                return source.take(epoch, index);
            }
        };
    }
}
