package io.pinsage.nn.model;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Tensor;

/**
 * The input layer and the first CONVOLVE layer evaluated together when {@code h⁰ = x·P + b} is linear in the input
 * rows {@code x} (content features and log-degree, no id embeddings). The messages of layer 1 are then
 * {@code ReLU(h⁰·Q + q) = ReLU(x·(P·Q) + (b·Q + q))}: with {@code P·Q} and {@code b·Q + q} formed once per pass
 * (a {@code width × hidden} product), every node of layer 0 costs one GEMM row of the input's width instead of a
 * projection to {@code h⁰} followed by a {@code dim × hidden} GEMM, and the backward pass needs
 * {@code xᵀ·∂L/∂u} instead of {@code ∂L/∂Q} and {@code ∂L/∂h⁰} over every node of layer 0. {@code h⁰} itself is
 * computed for layer 1's targets only (their own rows in {@code [h_v ; n_v]}). Layer 0 holds most of a minibatch's
 * nodes (up to batch × T² of them), so this removes most of a step's GEMM work; the result is the unfolded one's up
 * to rounding. Confined to the backend's thread.
 */
final class FoldedInput {

    private final Backend backend;
    private final InputProjection input;
    private final ConvolveLayer first;
    /** {@code P·Q}, {@code width × hidden}. */
    private final Tensor foldedWeight;
    /** {@code b·Q + q}, {@code 1 × hidden}. */
    private final Tensor foldedBias;
    /** {@code xᵀ·∂L/∂u}, the gradient of {@code P·Q}. */
    private final Tensor foldedGradient;
    /** {@code Σ_rows ∂L/∂u}, the gradient of {@code b·Q + q}. */
    private final Tensor messageBiasSum;
    private final Workspace selfGradient;
    private Tensor x;
    private int targets;

    FoldedInput(Backend backend, InputProjection input, ConvolveLayer first) {
        if (!input.linearInInputs()) {
            throw new IllegalArgumentException("the input layer has id embeddings or no input matrix: nothing to fold");
        }
        this.backend = backend;
        this.input = input;
        this.first = first;
        int width = input.inputWidth();
        Tensor q = first.messageWeight().value();
        this.foldedWeight = backend.allocate("conv1.PQ", width, q.cols());
        this.foldedBias = backend.allocate("conv1.bQ+q", 1, q.cols());
        this.foldedGradient = backend.allocate("conv1.PQ.grad", width, q.cols());
        this.messageBiasSum = backend.allocate("conv1.bQ+q.grad", 1, q.cols());
        this.selfGradient = new Workspace(backend, "h0.self.grad", q.rows());
    }

    /**
     * Layer 1's output for its first {@code targets} nodes from the input rows {@code x} of every node of layer 0
     * (targets first), as {@link ConvolveLayer#forward} would give from {@code h⁰}.
     */
    Tensor forward(Tensor x, int targets, IndexBuffer offsets, IndexBuffer neighbours, Tensor weights) {
        this.x = x;
        this.targets = targets;
        Tensor q = first.messageWeight().value();
        backend.gemm(false, false, 1f, input.projectionWeight().value(), q, 0f, foldedWeight);
        backend.copy(first.messageBias().value(), foldedBias);
        backend.gemm(false, false, 1f, input.projectionBias().value(), q, 1f, foldedBias);
        Tensor messages = first.messagesFolded(x, foldedWeight, foldedBias);
        Tensor self = input.forward(targets, x.rows(0, targets), null);
        return first.reduce(self, messages, offsets, neighbours, weights);
    }

    /** Accumulates the gradients of {@code P, b, Q, q} and of layer 1's other parameters for {@code dH} (overwritten). */
    void backward(Tensor dH) {
        backend.fill(messageBiasSum, 0f);
        Tensor du = first.backwardToMessages(dH, messageBiasSum);
        Parameter q = first.messageWeight();
        Parameter p = input.projectionWeight();
        Parameter b = input.projectionBias();
        backend.axpy(1f, messageBiasSum, first.messageBias().gradient());
        backend.gemm(true, false, 1f, x, du, 0f, foldedGradient);
        backend.gemm(true, false, 1f, p.value(), foldedGradient, 1f, q.gradient());
        backend.gemm(true, false, 1f, b.value(), messageBiasSum, 1f, q.gradient());
        backend.gemm(false, true, 1f, foldedGradient, q.value(), 1f, p.gradient());
        backend.gemm(false, true, 1f, messageBiasSum, q.value(), 1f, b.gradient());
        Tensor dSelf = selfGradient.rows(targets);
        first.selfGradient(dH, 0f, dSelf);
        input.backward(dSelf);
    }
}
