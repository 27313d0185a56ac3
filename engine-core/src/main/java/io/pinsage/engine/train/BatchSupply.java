package io.pinsage.engine.train;

import io.pinsage.nn.batch.MiniBatchSource;

/**
 * Who builds a training run's minibatches: given the run's recipe, the sources its {@link Trainer} opens per epoch.
 * {@link #LOCAL} builds them on threads of the trainer's process; {@link RemoteBatchSupply} has samplers build them.
 * The batches are the same either way, so the choice changes where the CPU time goes, never the result.
 *
 * <p>Called once per run, on the trainer's thread, before training starts.
 */
@FunctionalInterface
public interface BatchSupply {

    /** Sampler threads of the trainer's process. */
    BatchSupply LOCAL = TrainingBatches::localSources;

    MiniBatchSource.Factory sources(TrainingBatches batches);
}
