package io.pinsage.nn.model;

import io.pinsage.nn.backend.Activation;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.Tensor;

import java.util.List;
import java.util.Random;

/**
 * PinSage's CONVOLVE: for each target {@code u} with neighbourhood {@code N(u)} and importance weights α,
 * <pre>
 *   n_u = γ_α({ ReLU(Q·h_v + q) : v ∈ N(u) })        (γ = α-weighted mean by default)
 *   z_u = ReLU(W·[h_u ; n_u] + w)
 *   h'_u = z_u / ‖z_u‖₂
 * </pre>
 * The concatenation is never materialised: {@code W} is stored as {@code W_self} and {@code W_neigh}, and
 * {@code [h_u ; n_u]·W = h_u·W_self + n_u·W_neigh} is two GEMMs into the same output.
 *
 * <p>{@code ReLU(Q·h_v + q)} is computed once per node of the previous layer (not per edge), then pooled.
 * Targets are the first {@code targets} rows of the previous layer (see {@link ComputationGraph}), so
 * {@code h_u} is a row view. Activations are kept for {@link #backward}; outputs are workspace views valid
 * until the next forward. Confined to the backend's thread.
 */
public final class ConvolveLayer {

    private final Backend backend;
    private final Pooling pooling;
    private final Parameter q;
    private final Parameter qBias;
    private final Parameter wSelf;
    private final Parameter wNeigh;
    private final Parameter wBias;
    private final Workspace messages;
    private final Workspace pooled;
    private final Workspace activations;
    private final Workspace normalized;
    private final Workspace norms;
    private final Workspace pooledGrad;
    private final Workspace messageGrad;
    private final Workspace argMax;
    private Tensor hPrev;
    private Tensor self;
    private Tensor m;
    private Tensor n;
    private Tensor z;
    private Tensor h;
    private Tensor zNorms;
    private IndexBuffer offsets;
    private IndexBuffer neighbours;
    private Tensor alpha;
    private IndexBuffer maxIndex;

    ConvolveLayer(Backend backend, String name, int inDim, int hiddenDim, int outDim, Pooling pooling, Random random) {
        this.backend = backend;
        this.pooling = pooling;
        this.q = Parameter.glorot(backend, name + ".Q", inDim, hiddenDim, random);
        this.qBias = Parameter.dense(backend, name + ".q", 1, hiddenDim, null);
        this.wSelf = Parameter.glorot(backend, name + ".W_self", inDim, outDim, random);
        this.wNeigh = Parameter.glorot(backend, name + ".W_neigh", hiddenDim, outDim, random);
        this.wBias = Parameter.dense(backend, name + ".w", 1, outDim, null);
        this.messages = new Workspace(backend, name + ".messages", hiddenDim);
        this.pooled = new Workspace(backend, name + ".pooled", hiddenDim);
        this.activations = new Workspace(backend, name + ".z", outDim);
        this.normalized = new Workspace(backend, name + ".h", outDim);
        this.norms = new Workspace(backend, name + ".norms", 1);
        this.pooledGrad = new Workspace(backend, name + ".pooled.grad", hiddenDim);
        this.messageGrad = new Workspace(backend, name + ".messages.grad", hiddenDim);
        this.argMax = new Workspace(backend, name + ".argMax", 1);
    }

    /**
     * Computes the new representations of the first {@code targets} rows of {@code previous}.
     *
     * @param offsets    {@code targets + 1} CSR offsets into {@code neighbours}
     * @param neighbours row indices into {@code previous}
     * @param weights    one α per neighbour
     * @return {@code targets x outDim}, rows of unit L2 norm (or zero)
     */
    public Tensor forward(Tensor previous, int targets, IndexBuffer offsets, IndexBuffer neighbours, Tensor weights) {
        this.hPrev = previous;
        return reduce(previous.rows(0, targets), messages(previous), offsets, neighbours, weights);
    }

    /**
     * The map step alone: {@code ReLU(Q·h_v + q)} for every row of {@code previous}, so that a caller embedding
     * nodes out of core computes each node's message once and stores it. Not for training (no backward follows).
     *
     * @return {@code previous.rows() x hiddenDim}, a view valid until the next call
     */
    public Tensor messages(Tensor previous) {
        return messages(previous, q.value(), qBias.value());
    }

    /**
     * The map step for a previous layer that is a linear function {@code h = x·P + b} of narrower rows {@code x}:
     * {@code ReLU(x·(P·Q) + (b·Q + q))}, the same messages as {@link #messages} at a fraction of the work. For
     * {@link FoldedInput}, which computes {@code foldedQ = P·Q} and {@code foldedBias = b·Q + q} and backpropagates
     * through them.
     */
    Tensor messagesFolded(Tensor x, Tensor foldedQ, Tensor foldedBias) {
        hPrev = null;
        return messages(x, foldedQ, foldedBias);
    }

    private Tensor messages(Tensor rows, Tensor weight, Tensor bias) {
        m = messages.rows(rows.rows());
        backend.gemm(false, false, 1f, rows, weight, 0f, m);
        backend.biasActivation(m, bias, Activation.RELU, m);
        return m;
    }

    /**
     * The reduce step alone: pools each target's neighbours' rows of {@code messages} (computed by
     * {@link #messages}, possibly for other chunks and gathered) and combines them with the target's own row.
     *
     * @param self       {@code targets x inDim}, the targets' rows of the previous layer
     * @param offsets    {@code targets + 1} CSR offsets into {@code neighbours}
     * @param neighbours row indices into {@code messages}
     * @param weights    one α per neighbour
     * @return {@code targets x outDim}, rows of unit L2 norm (or zero), a view valid until the next call
     */
    public Tensor reduce(Tensor self, Tensor messages, IndexBuffer offsets, IndexBuffer neighbours, Tensor weights) {
        int targets = self.rows();
        this.self = self;
        this.offsets = offsets;
        this.neighbours = neighbours;
        this.alpha = weights;
        n = pooled.rows(targets);
        maxIndex = pooling == Pooling.MAX ? argMax.ints(targets * n.cols()) : null;
        backend.aggregate(pooling, messages, offsets, neighbours, weights, n, maxIndex);
        z = activations.rows(targets);
        backend.gemm(false, false, 1f, self, wSelf.value(), 0f, z);
        backend.gemm(false, false, 1f, n, wNeigh.value(), 1f, z);
        backend.biasActivation(z, wBias.value(), Activation.RELU, z);
        h = normalized.rows(targets);
        zNorms = norms.rows(targets);
        backend.l2Normalize(z, h, zNorms);
        return h;
    }

    /**
     * Accumulates parameter gradients for upstream {@code dH} ({@code targets x outDim}, overwritten) and
     * writes {@code ∂L/∂previous} into {@code dPrevious} (same shape as the forward's {@code previous}) unless null.
     */
    public void backward(Tensor dH, Tensor dPrevious) {
        if (hPrev == null) {
            throw new IllegalStateException(q.name() + ": backward after a folded forward; FoldedInput backpropagates it");
        }
        Tensor dm = backwardToMessages(dH, qBias.gradient());
        backend.gemm(true, false, 1f, hPrev, dm, 1f, q.gradient());
        if (dPrevious != null) {
            backend.gemm(false, true, 1f, dm, q.value(), 0f, dPrevious);
            selfGradient(dH, 1f, dPrevious.rows(0, h.rows()));
        }
    }

    /**
     * The backward pass down to the messages' pre-activations: accumulates the gradients of {@code W_self},
     * {@code W_neigh} and {@code w}, turns {@code dH} into {@code ∂L/∂z} in place, and returns
     * {@code ∂L/∂(Q·h + q)} (a workspace view, one row per message) after adding its column sums to
     * {@code messageBiasGradient}. {@code Q} and {@code q}'s own gradients are the caller's.
     */
    Tensor backwardToMessages(Tensor dH, Tensor messageBiasGradient) {
        int targets = h.rows();
        backend.l2NormalizeBackward(h, zNorms, dH, dH);
        backend.biasActivationBackward(Activation.RELU, z, dH, dH, wBias.gradient());
        Tensor dz = dH;
        backend.gemm(true, false, 1f, self, dz, 1f, wSelf.gradient());
        backend.gemm(true, false, 1f, n, dz, 1f, wNeigh.gradient());
        Tensor dn = pooledGrad.rows(targets);
        backend.gemm(false, true, 1f, dz, wNeigh.value(), 0f, dn);
        Tensor dm = messageGrad.rows(m.rows());
        backend.fill(dm, 0f);
        backend.aggregateBackward(pooling, dn, offsets, neighbours, alpha, maxIndex, dm);
        backend.biasActivationBackward(Activation.RELU, m, dm, dm, messageBiasGradient);
        return dm;
    }

    /** {@code dSelf = dz·W_selfᵀ + beta·dSelf}: the gradient reaching the targets' own rows, after {@link #backwardToMessages}. */
    void selfGradient(Tensor dz, float beta, Tensor dSelf) {
        backend.gemm(false, true, 1f, dz, wSelf.value(), beta, dSelf);
    }

    /** {@code Q}, the message weight. */
    Parameter messageWeight() {
        return q;
    }

    /** {@code q}, the message bias. */
    Parameter messageBias() {
        return qBias;
    }

    /** The activations of the last forward pass worth checking first when values blow up: messages, then output. */
    Tensor[] lastActivations() {
        return new Tensor[] {m, h};
    }

    /** Output width. */
    public int outputDim() {
        return wSelf.value().cols();
    }

    /** {@code [Q, q, W_self, W_neigh, w]}. */
    public List<Parameter> parameters() {
        return List.of(q, qBias, wSelf, wNeigh, wBias);
    }
}
