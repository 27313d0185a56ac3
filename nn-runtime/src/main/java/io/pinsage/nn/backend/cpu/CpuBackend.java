package io.pinsage.nn.backend.cpu;

import io.pinsage.nn.backend.Activation;
import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.BackendChecks;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The {@link Backend} on this machine's cores: SIMD kernels through the Vector API ({@code jdk.incubator.vector},
 * 16 float lanes with AVX-512) and a blocked, register-tiled, multi-threaded SGEMM ({@link CpuGemm}).
 *
 * <p>Every operation completes before it returns ({@link #synchronize()} is free). Large operations split
 * into chunks run by a {@link WorkerPool} of {@code threads} threads, the caller included; chunks never
 * write the same element, so scatter-adds split by column ranges rather than by rows. Steady state
 * allocates nothing except view objects ({@link Tensor#rows}) and growth of internal scratch space.
 *
 * <p>Deterministic: for a fixed thread count, results are bit-identical from run to run whatever the
 * scheduling, because every output element is computed by one chunk in a fixed order (split-K partial
 * products are summed in chunk order). Different thread counts may differ in the last bits.
 *
 * <p>Threading: confined to one thread at a time, as the SPI says. Cost of each operation: one pass over its
 * operands (O(elements)), GEMM {@code 2·M·N·K} flops.
 */
public final class CpuBackend implements Backend {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements below which an element-wise operation runs on the calling thread alone. */
    private static final int PARALLEL_ELEMENTS = 1 << 15;
    private static final float NORM_FLOOR = 1e-12f;

    private final WorkerPool pool;
    private final CpuGemm gemm;
    private final int threads;
    /** Most recently used first; see {@link ReversedNeighborhood}. */
    private final ArrayDeque<ReversedNeighborhood> reversed = new ArrayDeque<>();
    /** The reversed neighbourhood of the backward pass in progress, and its targets' weight normalisation. */
    private ReversedNeighborhood opReversed;
    private float[] targetScale = new float[0];
    /** Per slot of {@link #opReversed}, the coefficient of its edge: weight times its target's factor. */
    private float[] slotCoefficient = new float[0];
    private boolean closed;
    /** {@link System#nanoTime()} at the open busy span's start, or -1 when none is open. */
    private long spanStart = -1;
    private long busyNanos;

    // Arguments of the chunked operation in progress (published to workers by WorkerPool's handoff).
    private Pooling opPooling;
    private Activation opActivation;
    private CpuTensor opX;
    private CpuTensor opY;
    private CpuTensor opZ;
    private CpuTensor opW;
    private CpuIndexBuffer opIdx;
    private CpuIndexBuffer opIdx2;
    private CpuIndexBuffer opIdx3;
    private AdamConfig opAdam;
    private float opBias1;
    private float opBias2;
    private int opChunkSize;
    private RankingLossKind opLossKind;
    private float opLossParameter;
    private int opLossFirst;
    private int opLossShared;
    private int opLossHard;
    private float opLossScale;
    private static final int[] NO_HARD_ROWS = new int[0];
    /** Reversed neighbourhoods kept: both input sets of a model of up to four layers. */
    private static final int REVERSED_CACHE = 8;
    private final WorkerPool.Chunked aggregateRows = this::aggregateChunk;
    private final WorkerPool.Chunked maxPoolBackwardCols = this::maxPoolBackwardChunk;
    private final WorkerPool.Chunked gatherBackRows = this::gatherBackChunk;
    private final WorkerPool.Chunked biasActRows = this::biasActivationChunk;
    private final WorkerPool.Chunked biasActBackCols = this::biasActivationBackwardChunk;
    private final WorkerPool.Chunked adamRange = this::adamChunk;
    private final WorkerPool.Chunked sparseAdamRows = this::sparseAdamChunk;
    private final WorkerPool.Chunked normalizeRows = this::normalizeChunk;
    private final WorkerPool.Chunked normalizeBackRows = this::normalizeBackwardChunk;
    private final WorkerPool.Chunked rankingLossRows = this::rankingLossChunk;

    /** A backend using every available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A backend running operations on {@code threads} threads (the caller and {@code threads − 1} workers).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public CpuBackend(int threads) {
        this.pool = new WorkerPool(threads);
        this.threads = threads;
        this.gemm = new CpuGemm(pool);
    }

    /** Number of threads operations run on. */
    public int threads() {
        return threads;
    }

    /** SIMD width in float lanes that the kernels use (16 with AVX-512, 8 with AVX2). */
    public static int vectorLanes() {
        return L;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Tensor allocate(String name, int rows, int cols) {
        ensureOpen();
        if (rows < 0 || cols < 1 || (long) rows * cols > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("allocate: " + name + " rows=" + rows + " cols=" + cols
                    + " (expected rows >= 0, cols >= 1, rows·cols < 2^31)");
        }
        return new CpuTensor(this, name, new float[rows * cols], 0, rows, cols);
    }

    @Override
    public IndexBuffer allocateIndex(String name, int length) {
        ensureOpen();
        if (length < 0) {
            throw new IllegalArgumentException("allocateIndex: " + name + " length=" + length + " (expected >= 0)");
        }
        return new CpuIndexBuffer(this, name, new int[length], 0, length);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        CpuTensor d = own(dst);
        BackendChecks.hostRange("upload", "source array", src.length, srcOffset, d.size());
        System.arraycopy(src, srcOffset, d.data, d.offset, (int) d.size());
    }

    @Override
    public void upload(MemorySegment src, Tensor dst) {
        CpuTensor d = own(dst);
        if (src.byteSize() < d.size() * Float.BYTES) {
            throw new IllegalArgumentException("upload: segment of " + src.byteSize() + " bytes is too small for "
                    + Tensor.describe(dst));
        }
        MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 0,
                d.data, d.offset, (int) d.size());
    }

    @Override
    public void upload(int[] src, int srcOffset, IndexBuffer dst) {
        CpuIndexBuffer d = own(dst);
        BackendChecks.hostRange("upload", "source array", src.length, srcOffset, d.length());
        forgetReversed(d);
        System.arraycopy(src, srcOffset, d.data, d.offset, d.length());
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        CpuTensor s = own(src);
        BackendChecks.hostRange("download", "destination array", dst.length, dstOffset, s.size());
        System.arraycopy(s.data, s.offset, dst, dstOffset, (int) s.size());
    }

    @Override
    public void download(IndexBuffer src, int[] dst, int dstOffset) {
        CpuIndexBuffer s = own(src);
        BackendChecks.hostRange("download", "destination array", dst.length, dstOffset, s.length());
        System.arraycopy(s.data, s.offset, dst, dstOffset, s.length());
    }

    @Override
    public void fill(Tensor t, float value) {
        CpuTensor x = own(t);
        Arrays.fill(x.data, x.offset, x.offset + (int) x.size(), value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CpuTensor s = own(src);
        CpuTensor d = own(dst);
        BackendChecks.sameShape("copy", s, d);
        System.arraycopy(s.data, s.offset, d.data, d.offset, (int) s.size());
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        CpuTensor xs = own(x);
        CpuTensor ys = own(y);
        BackendChecks.sameShape("axpy", xs, ys);
        CpuKernels.axpy(alpha, xs.data, xs.offset, ys.data, ys.offset, (int) xs.size());
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        CpuTensor as = own(a);
        CpuTensor bs = own(b);
        CpuTensor cs = own(c);
        BackendChecks.gemm(transA, transB, as, bs, cs);
        int k = transA ? as.rows() : as.cols();
        gemm.gemm(transA, transB, cs.rows(), cs.cols(), k, alpha, as.data, as.offset, as.cols(),
                bs.data, bs.offset, bs.cols(), beta, cs.data, cs.offset, cs.cols());
    }

    @Override
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor out) {
        CpuTensor xs = own(x);
        CpuTensor bs = own(bias);
        CpuTensor os = own(out);
        BackendChecks.bias("biasActivation", xs, bs);
        BackendChecks.sameShape("biasActivation", xs, os);
        opX = xs;
        opY = bs;
        opZ = os;
        opActivation = act;
        runRows(biasActRows, xs.rows(), xs.cols());
    }

    private void biasActivationChunk(int chunk) {
        CpuTensor x = opX;
        CpuTensor bias = opY;
        CpuTensor out = opZ;
        int cols = x.cols();
        int end = Math.min(x.rows(), (chunk + 1) * opChunkSize);
        boolean relu = opActivation == Activation.RELU;
        for (int r = chunk * opChunkSize; r < end; r++) {
            CpuKernels.biasActivationRow(x.data, x.offset + r * cols, bias.data, bias.offset, out.data,
                    out.offset + r * cols, cols, relu);
        }
    }

    @Override
    public void biasActivationBackward(Activation act, Tensor out, Tensor dOut, Tensor dX, Tensor dBias) {
        CpuTensor os = own(out);
        CpuTensor gs = own(dOut);
        CpuTensor xs = own(dX);
        BackendChecks.sameShape("biasActivationBackward", os, gs);
        BackendChecks.sameShape("biasActivationBackward", os, xs);
        CpuTensor bs = null;
        if (dBias != null) {
            bs = own(dBias);
            BackendChecks.bias("biasActivationBackward", os, bs);
        }
        opX = os;
        opY = gs;
        opZ = xs;
        opW = bs;
        opActivation = act;
        runColumns(biasActBackCols, os.cols(), os.size());
    }

    private void biasActivationBackwardChunk(int chunk) {
        CpuTensor out = opX;
        CpuTensor g = opY;
        CpuTensor dx = opZ;
        CpuTensor db = opW;
        int cols = out.cols();
        int c0 = chunk * opChunkSize;
        int c1 = Math.min(cols, c0 + opChunkSize);
        boolean relu = opActivation == Activation.RELU;
        for (int r = 0; r < out.rows(); r++) {
            int o = r * cols;
            CpuKernels.activationBackwardRange(out.data, out.offset + o, g.data, g.offset + o, dx.data,
                    dx.offset + o, c0, c1, relu);
            if (db != null) {
                CpuKernels.axpyRange(1f, dx.data, dx.offset + o, db.data, db.offset, c0, c1);
            }
        }
    }

    @Override
    public void aggregate(Pooling pooling, Tensor src, IndexBuffer offsets, IndexBuffer neighbours, Tensor weights,
                          Tensor out, IndexBuffer argMax) {
        CpuTensor ss = own(src);
        CpuIndexBuffer os = own(offsets);
        CpuIndexBuffer ns = own(neighbours);
        CpuTensor ws = own(weights);
        CpuTensor outs = own(out);
        BackendChecks.aggregate("aggregate", pooling, ss, os, ns, ws, outs, argMax);
        opPooling = pooling;
        opX = ss;
        opIdx = os;
        opIdx2 = ns;
        opW = ws;
        opZ = outs;
        opIdx3 = pooling == Pooling.MAX ? own(argMax) : null;
        if (opIdx3 != null) {
            forgetReversed(opIdx3);
        }
        runRows(aggregateRows, outs.rows(), (long) ns.length() * outs.cols() / Math.max(1, outs.rows()));
    }

    private void aggregateChunk(int chunk) {
        CpuTensor src = opX;
        CpuTensor out = opZ;
        CpuTensor w = opW;
        int[] offs = opIdx.data;
        int offBase = opIdx.offset;
        int[] nb = opIdx2.data;
        int nbBase = opIdx2.offset;
        int cols = out.cols();
        int end = Math.min(out.rows(), (chunk + 1) * opChunkSize);
        for (int u = chunk * opChunkSize; u < end; u++) {
            int e0 = offs[offBase + u];
            int e1 = offs[offBase + u + 1];
            int o = out.offset + u * cols;
            if (opPooling == Pooling.MAX) {
                CpuKernels.maxPoolRow(src.data, src.offset, cols, nb, nbBase, w.data, w.offset, e0, e1, out.data, o,
                        opIdx3.data, opIdx3.offset + u * cols);
                continue;
            }
            Arrays.fill(out.data, o, o + cols, 0f);
            float sum = 0f;
            float[] wd = w.data;
            int wo = w.offset;
            int so = src.offset;
            int e = e0;
            for (; e + 8 <= e1; e += 8) {
                assert rowsExist(nb, nbBase + e, 8, src);
                CpuKernels.axpy8(wd, wo + e, nb, nbBase + e, so, src.data, out.data, o, cols);
            }
            for (; e < e1; e++) {
                CpuKernels.axpy(wd[wo + e], src.data, so + row(nb[nbBase + e], src), out.data, o, cols);
            }
            // weights summed in groups of four: a fixed order, on which the mean (and a trained model) depends to the bit
            for (e = e0; e + 4 <= e1; e += 4) {
                sum += wd[wo + e] + wd[wo + e + 1] + wd[wo + e + 2] + wd[wo + e + 3];
            }
            for (; e < e1; e++) {
                sum += wd[wo + e];
            }
            if (opPooling == Pooling.MEAN && e1 > e0) {
                CpuKernels.scale(sum == 0f ? 0f : 1f / sum, out.data, o, cols);
            }
        }
    }

    /** Whether the {@code n} rows named from {@code rows[at]} on exist in {@code t}: an assertion's test. */
    private static boolean rowsExist(int[] rows, int at, int n, CpuTensor t) {
        for (int i = 0; i < n; i++) {
            if (rows[at + i] < 0 || rows[at + i] >= t.rows()) {
                throw new AssertionError("row " + rows[at + i] + " outside " + t);
            }
        }
        return true;
    }

    /** Offset of row {@code v} of {@code t} relative to its start; the row must exist. */
    private static int row(int v, CpuTensor t) {
        assert v >= 0 && v < t.rows() : "row " + v + " outside " + t;
        return v * t.cols();
    }

    @Override
    public void aggregateBackward(Pooling pooling, Tensor dOut, IndexBuffer offsets, IndexBuffer neighbours,
                                  Tensor weights, IndexBuffer argMax, Tensor dSrc) {
        CpuTensor gs = own(dOut);
        CpuIndexBuffer os = own(offsets);
        CpuIndexBuffer ns = own(neighbours);
        CpuTensor ws = own(weights);
        CpuTensor ds = own(dSrc);
        BackendChecks.aggregate("aggregateBackward", pooling, ds, os, ns, ws, gs, argMax);
        opPooling = pooling;
        opX = gs;
        opIdx = os;
        opIdx2 = ns;
        opW = ws;
        opZ = ds;
        if (pooling == Pooling.MAX) {
            opIdx3 = own(argMax);
            runColumns(maxPoolBackwardCols, gs.cols(), (long) ns.length() * gs.cols());
            return;
        }
        opReversed = reversed(os, ns);
        if (opReversed.sources > ds.rows()) {
            throw new IndexOutOfBoundsException("aggregateBackward: " + IndexBuffer.describe(ns) + " names row "
                    + (opReversed.sources - 1) + ", outside " + Tensor.describe(ds));
        }
        scaleTargets(gs.rows());
        if (slotCoefficient.length < ns.length()) {
            slotCoefficient = new float[ns.length()];
        }
        runRows(gatherBackRows, opReversed.sources, (long) ns.length() * gs.cols() / Math.max(1, opReversed.sources));
    }

    /**
     * Builds the reversed neighbourhood of this CSR pair now (see {@link ReversedNeighborhood}), so that the backward
     * pass finds it ready: the minibatch's index work leaves the training step when the trainer stages the next
     * minibatch.
     *
     * @throws IndexOutOfBoundsException if the offsets are not a CSR row index of the neighbours, or a neighbour is negative
     */
    @Override
    public void prepareNeighborhood(IndexBuffer offsets, IndexBuffer neighbours) {
        reversed(own(offsets), own(neighbours));
    }

    private ReversedNeighborhood reversed(CpuIndexBuffer offsets, CpuIndexBuffer neighbours) {
        for (ReversedNeighborhood r : reversed) {
            if (r.matches(offsets, neighbours)) {
                reversed.remove(r);
                reversed.addFirst(r);
                return r;
            }
        }
        ReversedNeighborhood built = ReversedNeighborhood.build(offsets, neighbours);
        if (reversed.size() == REVERSED_CACHE) {
            reversed.removeLast();
        }
        reversed.addFirst(built);
        return built;
    }

    /** Drops the reversed neighbourhoods built from {@code written}'s array, about to change. */
    private void forgetReversed(CpuIndexBuffer written) {
        reversed.removeIf(r -> r.reads(written));
    }

    /** Each target's factor on its edges' weights: {@code 1 / Σ α} for MEAN pooling (0 for a zero sum), else 1. */
    private void scaleTargets(int targets) {
        if (targetScale.length < targets) {
            targetScale = new float[targets];
        }
        int[] offs = opIdx.data;
        int ob = opIdx.offset;
        float[] w = opW.data;
        int wo = opW.offset;
        for (int u = 0; u < targets; u++) {
            float norm = 1f;
            if (opPooling == Pooling.MEAN) {
                float sum = 0f;
                for (int e = offs[ob + u]; e < offs[ob + u + 1]; e++) {
                    sum += w[wo + e];
                }
                norm = sum == 0f ? 0f : 1f / sum;
            }
            targetScale[u] = norm;
        }
    }

    private void gatherBackChunk(int chunk) {
        CpuTensor g = opX;
        CpuTensor ds = opZ;
        ReversedNeighborhood r = opReversed;
        int cols = g.cols();
        int go = g.offset;
        float[] w = opW.data;
        int wo = opW.offset;
        float[] scale = targetScale;
        int end = Math.min(r.sources, (chunk + 1) * opChunkSize);
        int[] start = r.start;
        int[] target = r.target;
        int[] edge = r.edge;
        int first = chunk * opChunkSize;
        if (first >= end) {
            return;
        }
        // This chunk's sources own the slots [start[first], start[end]): their coefficients are written here alone.
        float[] coef = slotCoefficient;
        for (int p = start[first]; p < start[end]; p++) {
            coef[p] = w[wo + edge[p]] * scale[target[p]];
        }
        for (int v = first; v < end; v++) {
            int p = start[v];
            int p1 = start[v + 1];
            int dst = ds.offset + v * cols;
            for (; p + 8 <= p1; p += 8) {
                CpuKernels.axpy8(coef, p, target, p, go, g.data, ds.data, dst, cols);
            }
            for (; p < p1; p++) {
                CpuKernels.axpy(coef[p], g.data, go + target[p] * cols, ds.data, dst, cols);
            }
        }
    }

    /** MAX pooling's backward over the column range of {@code chunk}: each element goes to its arg-max edge. */
    private void maxPoolBackwardChunk(int chunk) {
        CpuTensor g = opX;
        CpuTensor ds = opZ;
        CpuTensor w = opW;
        int[] nb = opIdx2.data;
        int nbBase = opIdx2.offset;
        int cols = g.cols();
        int c0 = chunk * opChunkSize;
        int c1 = Math.min(cols, c0 + opChunkSize);
        for (int u = 0; u < g.rows(); u++) {
            int go = g.offset + u * cols;
            int am = opIdx3.offset + u * cols;
            for (int j = c0; j < c1; j++) {
                int e = opIdx3.data[am + j];
                if (e >= 0) {
                    ds.data[ds.offset + nb[nbBase + e] * cols + j] += w.data[w.offset + e] * g.data[go + j];
                }
            }
        }
    }

    @Override
    public void l2Normalize(Tensor x, Tensor out, Tensor norms) {
        CpuTensor xs = own(x);
        CpuTensor os = own(out);
        CpuTensor ns = own(norms);
        BackendChecks.l2Normalize("l2Normalize", xs, os, ns);
        opX = xs;
        opZ = os;
        opW = ns;
        runRows(normalizeRows, xs.rows(), xs.cols());
    }

    private void normalizeChunk(int chunk) {
        CpuTensor x = opX;
        CpuTensor out = opZ;
        CpuTensor norms = opW;
        int cols = x.cols();
        int end = Math.min(x.rows(), (chunk + 1) * opChunkSize);
        for (int r = chunk * opChunkSize; r < end; r++) {
            float norm = Math.max((float) Math.sqrt(CpuKernels.dot(x.data, x.offset + r * cols, x.data,
                    x.offset + r * cols, cols)), NORM_FLOOR);
            norms.data[norms.offset + r] = norm;
            CpuKernels.scaleInto(1f / norm, x.data, x.offset + r * cols, out.data, out.offset + r * cols, cols);
        }
    }

    @Override
    public void l2NormalizeBackward(Tensor out, Tensor norms, Tensor dOut, Tensor dX) {
        CpuTensor os = own(out);
        CpuTensor ns = own(norms);
        CpuTensor gs = own(dOut);
        CpuTensor xs = own(dX);
        BackendChecks.l2Normalize("l2NormalizeBackward", os, gs, ns);
        BackendChecks.sameShape("l2NormalizeBackward", os, xs);
        opX = os;
        opW = ns;
        opY = gs;
        opZ = xs;
        runRows(normalizeBackRows, os.rows(), os.cols());
    }

    private void normalizeBackwardChunk(int chunk) {
        CpuTensor y = opX;
        CpuTensor norms = opW;
        CpuTensor g = opY;
        CpuTensor dx = opZ;
        int cols = y.cols();
        int end = Math.min(y.rows(), (chunk + 1) * opChunkSize);
        for (int r = chunk * opChunkSize; r < end; r++) {
            int yo = y.offset + r * cols;
            int go = g.offset + r * cols;
            int xo = dx.offset + r * cols;
            float proj = CpuKernels.dot(y.data, yo, g.data, go, cols);
            float inv = 1f / norms.data[norms.offset + r];
            CpuKernels.normalizeBackwardRow(y.data, yo, g.data, go, dx.data, xo, cols, proj, inv);
        }
    }

    /** Rows in parallel on the worker pool, each in {@link RankingRows}'s fixed order. */
    @Override
    public void rankingLossRows(RankingLossKind kind, float margin, float temperature, boolean inBatchNegatives,
                                int sharedNegatives, IndexBuffer hardRows, int hardPerQuery, float gradScale,
                                Tensor scores, Tensor rowLoss) {
        CpuTensor sc = own(scores);
        CpuTensor rl = own(rowLoss);
        CpuIndexBuffer hr = hardRows == null ? null : own(hardRows);
        BackendChecks.rankingLossRows(kind, temperature, sharedNegatives, hardRows, hardPerQuery, sc, rl);
        opLossKind = kind;
        opLossParameter = kind == RankingLossKind.MARGIN ? margin : temperature;
        opLossFirst = inBatchNegatives ? 0 : sc.rows();
        opLossShared = sharedNegatives;
        opLossHard = hardPerQuery;
        opIdx = hr;
        opX = sc;
        opZ = rl;
        opLossScale = gradScale;
        runRows(rankingLossRows, sc.rows(), sc.cols());
    }

    private void rankingLossChunk(int chunk) {
        CpuTensor scores = opX;
        CpuTensor rowLoss = opZ;
        int b = scores.rows();
        int[] hard = opIdx == null ? NO_HARD_ROWS : opIdx.data;
        int hardOffset = opIdx == null ? 0 : opIdx.offset;
        int end = Math.min(b, (chunk + 1) * opChunkSize);
        for (int i = chunk * opChunkSize; i < end; i++) {
            int base = scores.offset + i * scores.cols();
            double loss = opLossKind == RankingLossKind.MARGIN
                    ? RankingRows.margin(scores.data, base, i, opLossFirst, b, opLossShared, opLossHard, hard,
                            hardOffset, opLossParameter, opLossScale)
                    : RankingRows.softmax(scores.data, base, i, opLossFirst, b, opLossShared, opLossHard, hard,
                            hardOffset, opLossParameter, opLossScale);
            rowLoss.data[rowLoss.offset + i] = (float) loss;
        }
    }

    @Override
    public void gatherRows(Tensor src, IndexBuffer rows, Tensor dst) {
        CpuTensor s = own(src);
        CpuIndexBuffer idx = own(rows);
        CpuTensor d = own(dst);
        BackendChecks.rows("gatherRows", s, idx, d);
        int cols = s.cols();
        for (int i = 0; i < idx.length(); i++) {
            int r = idx.data[idx.offset + i];
            assert r >= 0 && r < s.rows() : "row " + r + " outside " + s;
            System.arraycopy(s.data, s.offset + r * cols, d.data, d.offset + i * cols, cols);
        }
    }

    @Override
    public void scatterAddRows(Tensor src, IndexBuffer rows, Tensor dst) {
        CpuTensor s = own(src);
        CpuIndexBuffer idx = own(rows);
        CpuTensor d = own(dst);
        BackendChecks.rows("scatterAddRows", d, idx, s);
        int cols = s.cols();
        for (int i = 0; i < idx.length(); i++) {
            int r = idx.data[idx.offset + i];
            assert r >= 0 && r < d.rows() : "row " + r + " outside " + d;
            CpuKernels.axpy(1f, s.data, s.offset + i * cols, d.data, d.offset + r * cols, cols);
        }
    }

    @Override
    public void adam(AdamConfig config, long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        BackendChecks.adam(step, param, grad, m, v);
        opX = own(param);
        opY = own(grad);
        opZ = own(m);
        opW = own(v);
        setAdam(config, step);
        long n = opX.size();
        int chunks = n < PARALLEL_ELEMENTS ? 1 : threads;
        opChunkSize = roundUpToLanes((int) ((n + chunks - 1) / chunks));
        pool.run(adamRange, (int) ((n + opChunkSize - 1) / opChunkSize));
    }

    private void setAdam(AdamConfig config, long step) {
        opAdam = config;
        opBias1 = (float) (1.0 - Math.pow(config.beta1(), step));
        opBias2 = (float) (1.0 - Math.pow(config.beta2(), step));
    }

    private void adamChunk(int chunk) {
        int from = chunk * opChunkSize;
        int to = (int) Math.min(opX.size(), (long) from + opChunkSize);
        CpuKernels.adam(opAdam, opBias1, opBias2, opX.data, opX.offset + from, opY.data, opY.offset + from,
                opZ.data, opZ.offset + from, opW.data, opW.offset + from, to - from);
    }

    @Override
    public void sparseAdam(AdamConfig config, long step, Tensor table, IndexBuffer rows, Tensor gradRows, Tensor m,
                           Tensor v) {
        BackendChecks.sparseAdam(step, table, rows, gradRows, m, v);
        opX = own(table);
        opIdx = own(rows);
        opY = own(gradRows);
        opZ = own(m);
        opW = own(v);
        setAdam(config, step);
        runRows(sparseAdamRows, opIdx.length(), opX.cols());
    }

    private void sparseAdamChunk(int chunk) {
        int cols = opX.cols();
        int end = Math.min(opIdx.length(), (chunk + 1) * opChunkSize);
        for (int i = chunk * opChunkSize; i < end; i++) {
            int r = opIdx.data[opIdx.offset + i];
            assert r >= 0 && r < opX.rows() : "row " + r + " outside " + opX;
            int o = r * cols;
            CpuKernels.adam(opAdam, opBias1, opBias2, opX.data, opX.offset + o, opY.data, opY.offset + i * cols,
                    opZ.data, opZ.offset + o, opW.data, opW.offset + o, cols);
        }
    }

    @Override
    public boolean allFinite(Tensor t) {
        CpuTensor x = own(t);
        return CpuKernels.allFinite(x.data, x.offset, (int) x.size());
    }

    @Override
    public void synchronize() {
        ensureOpen();
    }

    @Override
    public void beginBusySpan() {
        ensureOpen();
        if (spanStart >= 0) {
            throw new IllegalStateException("a busy span is already open on backend " + name());
        }
        spanStart = System.nanoTime();
    }

    @Override
    public void endBusySpan() {
        if (spanStart < 0) {
            throw new IllegalStateException("no busy span is open on backend " + name());
        }
        // Every operation has completed when its call returned, so the span's wall time is its busy time.
        busyNanos += System.nanoTime() - spanStart;
        spanStart = -1;
    }

    @Override
    public long busyNanos() {
        return busyNanos;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pool.close();
        }
    }

    /** Splits {@code rows} rows of {@code work} elements each into about one chunk per thread. */
    private void runRows(WorkerPool.Chunked task, int rows, long work) {
        long total = rows * Math.max(1, work);
        int chunks = total < PARALLEL_ELEMENTS ? 1 : Math.min(rows, threads * 4);
        opChunkSize = Math.max(1, (rows + chunks - 1) / Math.max(1, chunks));
        pool.run(task, rows == 0 ? 0 : (rows + opChunkSize - 1) / opChunkSize);
    }

    /** Splits {@code cols} columns into lane-aligned ranges, one per thread, so scatter-adds never collide. */
    private void runColumns(WorkerPool.Chunked task, int cols, long work) {
        int chunks = work < PARALLEL_ELEMENTS ? 1 : Math.min(threads, Math.max(1, cols / L));
        opChunkSize = roundUpToLanes((cols + chunks - 1) / chunks);
        pool.run(task, (cols + opChunkSize - 1) / opChunkSize);
    }

    private static int roundUpToLanes(int n) {
        return Math.max(L, (n + L - 1) / L * L);
    }

    private CpuTensor own(Tensor t) {
        if (t instanceof CpuTensor c && c.backend() == this) {
            return c;
        }
        throw new IllegalArgumentException("tensor " + Tensor.describe(t) + " belongs to "
                + (t == null ? "nothing" : t.backend().name() + " backend " + t.backend()) + ", not this cpu backend");
    }

    private CpuIndexBuffer own(IndexBuffer b) {
        if (b instanceof CpuIndexBuffer c && c.backend() == this) {
            return c;
        }
        throw new IllegalArgumentException("index buffer " + IndexBuffer.describe(b) + " does not belong to this"
                + " cpu backend");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("cpu backend is closed");
        }
    }
}
