package io.pinsage.nn.train;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.NonFiniteValueException;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.AdamOptimizer;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.model.SampledRankingLoss;

/**
 * One optimisation step of a {@link PinSageModel} on a {@link MiniBatch}, in the order it runs: forward, the
 * {@link SampledRankingLoss} and its gradient {@code ∂L/∂z}, backward, a check that nothing went non-finite, then
 * {@link AdamOptimizer} (dense Adam for the weights, lazy Adam for the id embeddings).
 *
 * <p>The step runs as two <em>busy spans</em> of the backend ({@link Backend#beginBusySpan}): forward, loss and
 * backward are issued back to back, since the loss stays on the device; between the spans the host runs the
 * caller's {@code whileDeviceWorks} (a trainer takes and stages its next minibatch there) while the device works;
 * then the host waits once, for the loss, reads the gradients back once to check them, and issues Adam. A NaN or
 * infinity throws {@link NonFiniteValueException} before Adam runs, so the parameters are left as they were.
 *
 * <p>Threading: confined to the backend's thread. Cost: the model's forward and backward, the loss's
 * {@code 6·B·C·d} flops, Adam, and one read-back of every gradient for the check. The {@code ∂L/∂z} buffer grows to
 * the largest batch (by half again each time), then is reused; it is released with the backend.
 */
public final class TrainingStep {

    private final Backend backend;
    private final PinSageModel model;
    private final SampledRankingLoss loss;
    private final AdamOptimizer adam;
    private Tensor dzStorage;

    /** @param loss and {@code adam} work on {@code model}'s backend and, for Adam, on its parameters */
    public TrainingStep(PinSageModel model, SampledRankingLoss loss, AdamOptimizer adam) {
        this.backend = model.backend();
        this.model = model;
        this.loss = loss;
        this.adam = adam;
    }

    /**
     * Runs the step and returns the batch's mean loss.
     *
     * @param whileDeviceWorks run on this thread between the spans, outside both; null for nothing
     * @throws NonFiniteValueException naming the first non-finite activation (or the loss) or gradient; Adam has
     *                                 not run
     */
    public double run(MiniBatch batch, Runnable whileDeviceWorks) {
        backend.beginBusySpan();
        try {
            Tensor z = model.forward(batch.graph());
            Tensor dz = gradientRows(z.rows(), z.cols());
            // the outputs are the first nodes of layer 0's list, so row r is node nodeIds()[r]
            loss.issue(z, batch.graph().nodeIds(), batch.queryRows(), batch.positiveRows(), batch.negativeRows(),
                    batch.hardRows(), batch.hardPerQuery(), dz);
            model.backward(dz);
        } finally {
            backend.endBusySpan();
        }
        if (whileDeviceWorks != null) {
            whileDeviceWorks.run();
        }
        backend.beginBusySpan();
        try {
            double l = loss.loss();
            if (!Double.isFinite(l)) {
                String tensor = model.firstNonFiniteActivation();
                throw new NonFiniteValueException("non-finite " + (tensor == null ? "loss" : tensor));
            }
            String gradient = model.firstNonFiniteGradient();
            if (gradient != null) {
                throw new NonFiniteValueException("non-finite gradient " + gradient);
            }
            adam.step();
            return l;
        } finally {
            backend.endBusySpan();
        }
    }

    /** {@code ∂L/∂z}: a view of a buffer that grows to the largest batch, then is reused. */
    private Tensor gradientRows(int rows, int cols) {
        if (dzStorage == null || dzStorage.rows() < rows) {
            if (dzStorage != null) {
                dzStorage.close();
            }
            dzStorage = backend.allocate("dz", Math.max(rows, dzStorage == null ? 0 : dzStorage.rows() * 3 / 2), cols);
        }
        return dzStorage.rows(0, rows);
    }
}
