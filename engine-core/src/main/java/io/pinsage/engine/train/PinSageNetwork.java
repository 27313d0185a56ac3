package io.pinsage.engine.train;

import java.util.Arrays;

/**
 * Forward and backward passes of the PinSage network over a {@link ComputationGraph}.
 *
 * <p>Forward, per layer k: {@code M = ReLU(H_{k-1} Q_k + q_k)} once per node of layer k−1 (map);
 * {@code C = [H_{k-1}[self] ; Σ α · M[nbr]]} (join and importance pooling); {@code H_k = normalize(ReLU(C W_k + w_k))}
 * (reduce). Then {@code G = ReLU(H_K G1 + g1)}, {@code O = G G2 + g2}, optionally normalised.
 * Backward accumulates dense gradients into a flat array laid out like {@link ModelParams#dense} and leaves the
 * id-embedding gradient of every layer-0 node in {@link #embeddingGradient()}.
 *
 * <p>Threading: one network per trainer thread; it splits each kernel over its {@link Parallel}. Buffers grow to
 * the largest batch seen and are then reused: steady-state steps allocate nothing here.
 */
public final class PinSageNetwork {

    private final ModelShape shape;
    private final Parallel par;
    private final int k;

    private float[] x = new float[0];
    private final float[][] h;
    private final float[][] norms;
    private final float[][] m;
    private final float[][] c;
    private float[] g = new float[0];
    private float[] o = new float[0];
    private float[] outNorms = new float[0];

    private final float[][] dh;
    private final float[][] dm;
    private float[] dc = new float[0];
    private float[] dg = new float[0];
    private float[] dx = new float[0];
    private float[] transposed = new float[0];

    private ComputationGraph graph;

    /** @param par the kernel thread pool; the caller keeps ownership */
    public PinSageNetwork(ModelShape shape, Parallel par) {
        this.shape = shape;
        this.par = par;
        this.k = shape.layers();
        h = new float[k + 1][0];
        norms = new float[k + 1][0];
        m = new float[k + 1][0];
        c = new float[k + 1][0];
        dh = new float[k + 1][0];
        dm = new float[k + 1][0];
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[Math.max(n, a.length + a.length / 2)];
    }

    /**
     * Runs the forward pass; the output rows (one per layer-K node) are then in {@link #output()}.
     *
     * @throws IllegalArgumentException if the graph's layer count or input width does not fit the shape
     */
    public void forward(ComputationGraph graph, ModelParams p) {
        if (graph.layers != k || graph.inputWidth != shape.featureDim() + (shape.logDegree() ? 1 : 0)) {
            throw new IllegalArgumentException("graph layers=" + graph.layers + " inputWidth=" + graph.inputWidth
                    + " does not fit " + shape);
        }
        this.graph = graph;
        int raw = shape.rawInputDim();
        int e = shape.embedDim();
        int n0 = graph.count[0];
        x = grow(x, n0 * raw);
        float[] emb = p.embedding;
        float[] xx = x;
        par.forRange(n0, 256, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                if (e > 0) {
                    System.arraycopy(emb, graph.nodes[0][i] * e, xx, i * raw, e);
                }
                System.arraycopy(graph.input, i * graph.inputWidth, xx, i * raw + e, graph.inputWidth);
            }
        });
        int d0 = shape.dim(0);
        h[0] = grow(h[0], n0 * d0);
        DenseKernels.matmul(x, n0, raw, p.dense, p.projW, d0, h[0], false, par);
        DenseKernels.addBias(h[0], n0, d0, p.dense, p.projB, false, par);
        for (int l = 1; l <= k; l++) {
            int din = shape.dim(l - 1);
            int dk = shape.dim(l);
            int nPrev = graph.count[l - 1];
            int nk = graph.count[l];
            m[l] = grow(m[l], nPrev * dk);
            DenseKernels.matmul(h[l - 1], nPrev, din, p.dense, p.qW[l - 1], dk, m[l], false, par);
            DenseKernels.addBias(m[l], nPrev, dk, p.dense, p.qB[l - 1], true, par);
            int cw = din + dk;
            c[l] = grow(c[l], nk * cw);
            float[] cl = c[l];
            float[] hPrev = h[l - 1];
            int[] self = graph.self[l];
            par.forRange(nk, 256, (part, from, to) -> {
                for (int i = from; i < to; i++) {
                    System.arraycopy(hPrev, self[i] * din, cl, i * cw, din);
                }
            });
            DenseKernels.gatherAggregate(m[l], dk, graph.nbr[l], graph.alpha[l], graph.nbrCount[l], graph.width, nk, cl, cw, din, par);
            h[l] = grow(h[l], nk * dk);
            DenseKernels.matmul(cl, nk, cw, p.dense, p.wW[l - 1], dk, h[l], false, par);
            DenseKernels.addBias(h[l], nk, dk, p.dense, p.wB[l - 1], true, par);
            norms[l] = grow(norms[l], nk);
            DenseKernels.normalizeRows(h[l], nk, dk, norms[l], par);
        }
        int nk = graph.count[k];
        int dk = shape.dim(k);
        g = grow(g, nk * shape.g1Dim());
        DenseKernels.matmul(h[k], nk, dk, p.dense, p.g1W, shape.g1Dim(), g, false, par);
        DenseKernels.addBias(g, nk, shape.g1Dim(), p.dense, p.g1B, true, par);
        o = grow(o, nk * shape.outDim());
        DenseKernels.matmul(g, nk, shape.g1Dim(), p.dense, p.g2W, shape.outDim(), o, false, par);
        DenseKernels.addBias(o, nk, shape.outDim(), p.dense, p.g2B, false, par);
        if (shape.normalizeOutput()) {
            outNorms = grow(outNorms, nk);
            DenseKernels.normalizeRows(o, nk, shape.outDim(), outNorms, par);
        }
    }

    /** Output rows of the last forward pass: {@code count[K] × outDim}. Valid until the next forward. */
    public float[] output() {
        return o;
    }

    /** Number of output rows of the last forward pass. */
    public int outputRows() {
        return graph.count[k];
    }

    /**
     * Backward pass from {@code dOut} ({@code count[K] × outDim}, consumed), accumulating into {@code denseGrad}
     * and filling {@link #embeddingGradient()}.
     */
    public void backward(ModelParams p, float[] dOut, float[] denseGrad) {
        int nk = graph.count[k];
        int out = shape.outDim();
        int g1 = shape.g1Dim();
        int dk = shape.dim(k);
        if (shape.normalizeOutput()) {
            DenseKernels.normalizeRowsBackward(o, dOut, nk, out, outNorms, par);
        }
        DenseKernels.addBiasBackward(o, dOut, nk, out, denseGrad, p.g2B, false, par);
        accumulateWeightGrad(g, nk, g1, dOut, out, denseGrad, p.g2W);
        dg = grow(dg, nk * g1);
        DenseKernels.matmul(dOut, nk, out, transposedWeight(p.dense, p.g2W, g1, out), 0, g1, dg, false, par);
        DenseKernels.addBiasBackward(g, dg, nk, g1, denseGrad, p.g1B, true, par);
        accumulateWeightGrad(h[k], nk, dk, dg, g1, denseGrad, p.g1W);
        dh[k] = grow(dh[k], nk * dk);
        DenseKernels.matmul(dg, nk, g1, transposedWeight(p.dense, p.g1W, dk, g1), 0, dk, dh[k], false, par);
        for (int l = k; l >= 1; l--) {
            int din = shape.dim(l - 1);
            int dl = shape.dim(l);
            int nl = graph.count[l];
            int nPrev = graph.count[l - 1];
            int cw = din + dl;
            DenseKernels.normalizeRowsBackward(h[l], dh[l], nl, dl, norms[l], par);
            DenseKernels.addBiasBackward(h[l], dh[l], nl, dl, denseGrad, p.wB[l - 1], true, par);
            accumulateWeightGrad(c[l], nl, cw, dh[l], dl, denseGrad, p.wW[l - 1]);
            dc = grow(dc, nl * cw);
            DenseKernels.matmul(dh[l], nl, dl, transposedWeight(p.dense, p.wW[l - 1], cw, dl), 0, cw, dc, false, par);
            dh[l - 1] = grow(dh[l - 1], nPrev * din);
            float[] dPrev = dh[l - 1];
            dm[l] = grow(dm[l], nPrev * dl);
            Arrays.fill(dm[l], 0, nPrev * dl, 0f);
            DenseKernels.gatherAggregateBackward(dc, cw, din, dl, graph.nbr[l], graph.alpha[l], graph.nbrCount[l], graph.width, nl, dm[l]);
            DenseKernels.addBiasBackward(m[l], dm[l], nPrev, dl, denseGrad, p.qB[l - 1], true, par);
            accumulateWeightGrad(h[l - 1], nPrev, din, dm[l], dl, denseGrad, p.qW[l - 1]);
            DenseKernels.matmul(dm[l], nPrev, dl, transposedWeight(p.dense, p.qW[l - 1], din, dl), 0, din, dPrev, false, par);
            int[] self = graph.self[l];
            float[] dcl = dc;
            // Self rows are distinct within a layer, so the scatter has no write conflicts across threads.
            par.forRange(nl, 256, (part, from, to) -> {
                for (int i = from; i < to; i++) {
                    int dst = self[i] * din;
                    int src = i * cw;
                    for (int j = 0; j < din; j++) {
                        dPrev[dst + j] += dcl[src + j];
                    }
                }
            });
        }
        int n0 = graph.count[0];
        int raw = shape.rawInputDim();
        int d0 = shape.dim(0);
        DenseKernels.addBiasBackward(h[0], dh[0], n0, d0, denseGrad, p.projB, false, par);
        accumulateWeightGrad(x, n0, raw, dh[0], d0, denseGrad, p.projW);
        dx = grow(dx, n0 * raw);
        DenseKernels.matmul(dh[0], n0, d0, transposedWeight(p.dense, p.projW, raw, d0), 0, raw, dx, false, par);
    }

    /** {@code denseGrad[offset..] += aᵀ · g}: a weight's gradient. */
    private void accumulateWeightGrad(float[] a, int n, int kIn, float[] gr, int mOut, float[] denseGrad, int offset) {
        DenseKernels.matmulTransposedA(a, n, kIn, gr, mOut, denseGrad, offset, par);
    }

    private float[] transposedWeight(float[] dense, int offset, int rows, int cols) {
        transposed = grow(transposed, rows * cols);
        DenseKernels.transpose(dense, offset, rows, cols, transposed);
        return transposed;
    }

    /**
     * The id-embedding gradient of the last backward pass: row {@code i} ({@code embedDim} floats at stride
     * {@link #embeddingGradientStride()}) belongs to layer-0 node {@code graph.nodes[0][i]}.
     */
    public float[] embeddingGradient() {
        return dx;
    }

    /** Row stride of {@link #embeddingGradient()}. */
    public int embeddingGradientStride() {
        return shape.rawInputDim();
    }

    /**
     * Names the first tensor of the last forward pass that holds a NaN or infinity, or returns {@code null}.
     * O(size of all activations); called only after a non-finite loss.
     */
    public String firstNonFiniteTensor() {
        if (!finite(x, graph.count[0] * shape.rawInputDim())) {
            return "input h0 (id embeddings / features)";
        }
        if (!finite(h[0], graph.count[0] * shape.dim(0))) {
            return "projection output";
        }
        for (int l = 1; l <= k; l++) {
            if (!finite(m[l], graph.count[l - 1] * shape.dim(l))) {
                return "layer " + l + " neighbour transform ReLU(Q h + q)";
            }
            if (!finite(h[l], graph.count[l] * shape.dim(l))) {
                return "layer " + l + " output h" + l;
            }
        }
        if (!finite(g, graph.count[k] * shape.g1Dim())) {
            return "G1 output";
        }
        if (!finite(o, graph.count[k] * shape.outDim())) {
            return "G2 output (embeddings)";
        }
        return null;
    }

    private static boolean finite(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }
}
