package io.pinsage.engine.train;

import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.rpc.BatchProducer;

/**
 * A training run's minibatches as a recipe: the pairs and their {@link BatchSchedule}, the neighbourhoods, node inputs
 * and negatives they are built from, and the run's {@link RunFingerprint}. The trainer's process and every sampler
 * make the same recipe from the same data and settings, so batch i of epoch e is the same wherever it is built:
 * {@link #localSources} builds it on threads of this process, {@link #producer} for a sampler that serves it.
 *
 * <p>Immutable; the arrays and stores it is given are read, never written, and must outlive it. It may own one
 * resource (the mapped neighbourhoods of a sampler), closed by {@link #close}.
 */
public final class TrainingBatches implements AutoCloseable {

    private final BatchSchedule schedule;
    private final int layers;
    private final ComputationGraphBuilder.Neighborhoods hood;
    private final NodeInputs inputs;
    private final int[] queries;
    private final int[] positives;
    private final int negativeFrom;
    private final int negativeTo;
    private final HardNegatives hard;
    private final TrainingConfig config;
    private final RunFingerprint fingerprint;
    private final AutoCloseable owned;

    /**
     * @param model     the model trained on these batches (its layer count fixes the neighbourhood expansion)
     * @param queries   query node of each training pair (ids of the node inputs' node space)
     * @param positives positive node of each pair
     * @param hard      hard-negative source, or null for none
     * @param owned     closed by {@link #close}, or null
     * @throws IllegalArgumentException as {@link Trainer}'s pair-array constructor does: arrays of different or zero
     *                                  length, an unknown node id, a model that does not fit the node inputs
     */
    public TrainingBatches(PinSageConfig model, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs,
                           int[] queries, int[] positives, int negativeFrom, int negativeTo, HardNegatives hard,
                           TrainingConfig config, RunFingerprint fingerprint, AutoCloseable owned) {
        this.schedule = Trainer.checked(model, inputs, queries, positives, config);
        this.layers = model.layers();
        this.hood = hood;
        this.inputs = inputs;
        this.queries = queries;
        this.positives = positives;
        this.negativeFrom = negativeFrom;
        this.negativeTo = negativeTo;
        this.hard = hard;
        this.config = config;
        this.fingerprint = fingerprint;
        this.owned = owned;
    }

    public BatchSchedule schedule() {
        return schedule;
    }

    public TrainingConfig config() {
        return config;
    }

    public RunFingerprint fingerprint() {
        return fingerprint;
    }

    /** The layer-0 inputs of the node space: what a trainer completes the batches its samplers send with. */
    public NodeInputs inputs() {
        return inputs;
    }

    /** Sampler threads of this process, a fresh set per epoch ({@link LocalMiniBatchSource#factory}). */
    public MiniBatchSource.Factory localSources() {
        return LocalMiniBatchSource.factory(schedule, layers, hood, inputs, queries, positives, negativeFrom, negativeTo,
                hard, config);
    }

    /**
     * Any batch on demand, without its layer-0 inputs (the trainer gathers them from {@link #inputs}), for a sampler's
     * build threads ({@link LocalMiniBatchSource#producer}).
     */
    public BatchProducer producer() {
        return LocalMiniBatchSource.producer(schedule, layers, hood, inputs, queries, positives, negativeFrom, negativeTo,
                hard, config);
    }

    /** Closes the resource this recipe owns, if any. */
    @Override
    public void close() throws Exception {
        if (owned != null) {
            owned.close();
        }
    }
}
