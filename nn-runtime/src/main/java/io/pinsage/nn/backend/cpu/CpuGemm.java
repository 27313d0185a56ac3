package io.pinsage.nn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM {@code C = alpha·op(A)·op(B) + beta·C} on row-major arrays, blocked for the cache
 * hierarchy and register-tiled with the Vector API (the Goto/BLIS structure).
 *
 * <p>Loops, outermost first: {@code N} in panels of at most {@link #NC} columns; {@code K} in equal slices of
 * at most {@link #KC_MAX} (usually {@link #KC}), whose slice of {@code op(B)} is packed once (in parallel)
 * into micro-panels of {@link #NR} columns stored k-major; {@code M} in blocks of {@code mc} rows, one block
 * per parallel chunk, each packing its slice of {@code op(A)} into micro-panels of {@link #MR} rows; then,
 * per {@code B} micro-panel (kept in L1 while the loop below re-reads it), per {@code A} micro-panel, the
 * {@code MR x NR} micro-kernel holds its block of {@code C} in {@code 2·MR} vector registers and performs
 * one broadcast and two FMAs per row per {@code k}. Transposes cost nothing extra: packing reads either
 * layout. Edges are zero-padded in the packed panels and written back through a small tile.
 *
 * <p>Threading: one caller at a time (the backend's owner); chunks run on the {@link WorkerPool}. Packed
 * buffers are reused, so steady state allocates nothing (per-thread A panels live in a {@link ThreadLocal}).
 */
final class CpuGemm {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /**
     * Rows of the register tile. With 16-lane vectors (AVX-512, 32 vector registers) 6 rows x 2 vectors = 12
     * accumulators, 2 B vectors and a broadcast. With 8 lanes (AVX2) there are only 16 registers, and C2 spills
     * that tile's 15 live vectors in the inner loop (it ran at half the speed of 4 rows on a Zen 3 core), so 4 rows:
     * 8 accumulators, still enough independent FMAs to cover the FMA latency of two pipes.
     */
    static final int MR = LANES >= 16 ? 6 : 4;
    /** Columns of the register tile. */
    static final int NR = 2 * LANES;
    /** Usual depth of a slice: a KC x NR micro-panel of B (32 KiB with AVX-512) stays in a 48 KiB L1. */
    static final int KC = 256;
    /**
     * Deepest slice: K is cut into {@code ceil(K / KC_MAX)} equal slices, so that K = 257 (256 features and a
     * log-degree) is one pass over C rather than a second pass for one column.
     */
    static final int KC_MAX = 320;
    /** Largest row block, a multiple of either {@link #MR}: an mc x KC panel of A (144 KiB) stays in L2. */
    static final int MC_MAX = 144;
    /** Widest column panel of B packed at once (2 MiB with KC = 256). */
    static final int NC = 2048;
    /**
     * What a full tile adds its product to when it overwrites C ({@code beta = 0}, first slice): {@code 0 + alpha·tile},
     * the rounding of adding to a cleared C (a zero product stays +0) without clearing or reading C. The tile reads
     * this row or C's through one expression: a vector chosen between zero and C's row made C2 recompile the
     * micro-kernels three times slower (AVX-512, 60 against 190 GFLOP/s) once both kinds of call had run.
     */
    private static final float[] ZERO_ROW = new float[NR];
    /** Below this many multiply-adds a single thread is faster than waking the pool. */
    private static final long PARALLEL_THRESHOLD = 1L << 17;

    private final WorkerPool pool;
    private final ThreadLocal<float[]> packedA = ThreadLocal.withInitial(() -> new float[MC_MAX * KC_MAX + MR * NR]);
    private float[] packedB = new float[KC * NR];
    private final WorkerPool.Chunked computeTask = this::computeBlock;
    private final WorkerPool.Chunked packTask = this::packBChunk;
    private final WorkerPool.Chunked splitKTask = this::splitKChunk;
    /** One serial GEMM and one partial product per split-K chunk (lazily created; see {@link #gemm}). */
    private CpuGemm[] splitGemms = new CpuGemm[0];
    private float[][] partials = new float[0][];
    private int n;
    private int k;
    private int kPerChunk;

    // Arguments of the call in progress, read by the chunks (published by WorkerPool's volatile handoff).
    private boolean transA;
    private boolean transB;
    private int m;
    private float alpha;
    private float beta;
    private float[] a;
    private int aOff;
    private int lda;
    private float[] b;
    private int bOff;
    private int ldb;
    private float[] c;
    private int cOff;
    private int ldc;
    private int pc;
    private int kc;
    private int jc;
    private int nc;
    private int mc;
    private int panelsPerPackChunk;
    private boolean firstSlice;

    CpuGemm(WorkerPool pool) {
        this.pool = pool;
    }

    /** Multiplies; shapes are {@code op(A): m x k}, {@code op(B): k x n}, {@code C: m x n}, already checked. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            for (int i = 0; i < m; i++) {
                scaleRow(c, cOff + i * ldc, n, beta);
            }
            return;
        }
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.alpha = alpha;
        this.beta = beta;
        this.a = a;
        this.aOff = aOff;
        this.lda = lda;
        this.b = b;
        this.bOff = bOff;
        this.ldb = ldb;
        this.c = c;
        this.cOff = cOff;
        this.ldc = ldc;
        this.n = n;
        this.k = k;
        boolean parallel = (long) m * n * k >= PARALLEL_THRESHOLD;
        int threads = parallel ? pool.parallelism() : 1;
        if (threads > 1 && k > 4 * KC * threads && k > 4 * Math.max(m, n) && (long) m * n <= 1 << 18) {
            splitK(threads);
            return;
        }
        int chunks = threads * ceilDiv(m, threads * MC_MAX);
        mc = Math.min(MC_MAX, roundUp(ceilDiv(m, chunks), MR));
        chunks = ceilDiv(m, mc);
        try {
            for (jc = 0; jc < n; jc += NC) {
                nc = Math.min(NC, n - jc);
                int panels = ceilDiv(nc, NR);
                int depth = ceilDiv(k, ceilDiv(k, KC_MAX));
                if (packedB.length < panels * NR * depth) {
                    packedB = new float[panels * NR * depth];
                }
                for (pc = 0; pc < k; pc += depth) {
                    kc = Math.min(depth, k - pc);
                    firstSlice = pc == 0;
                    int packChunks = Math.min(panels, threads);
                    panelsPerPackChunk = ceilDiv(panels, packChunks);
                    if (parallel) {
                        pool.run(packTask, ceilDiv(panels, panelsPerPackChunk));
                        pool.run(computeTask, chunks);
                    } else {
                        packBChunk(0);
                        for (int chunk = 0; chunk < chunks; chunk++) {
                            computeBlock(chunk);
                        }
                    }
                }
            }
        } finally {
            this.a = null;
            this.b = null;
            this.c = null;
        }
    }

    /**
     * Weight gradients ({@code Xᵀ·dY}: small {@code M x N}, long {@code K}) give too few row blocks to keep
     * every thread busy, so {@code K} is split instead: each chunk multiplies its slice of {@code K} serially
     * into a private partial product, and the partials are summed into {@code C}.
     */
    private void splitK(int threads) {
        int chunks = 2 * threads;
        if (splitGemms.length < chunks) {
            splitGemms = new CpuGemm[chunks];
            partials = new float[chunks][];
            for (int i = 0; i < chunks; i++) {
                splitGemms[i] = new CpuGemm(WorkerPool.INLINE);
            }
        }
        for (int i = 0; i < chunks; i++) {
            if (partials[i] == null || partials[i].length < m * n) {
                partials[i] = new float[m * n];
            }
        }
        kPerChunk = roundUp(ceilDiv(k, chunks), KC);
        int used = ceilDiv(k, kPerChunk);
        try {
            pool.run(splitKTask, used);
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                scaleRow(c, row, n, beta);
                for (int p = 0; p < used; p++) {
                    CpuKernels.axpy(1f, partials[p], i * n, c, row, n);
                }
            }
        } finally {
            this.a = null;
            this.b = null;
            this.c = null;
        }
    }

    private void splitKChunk(int chunk) {
        int k0 = chunk * kPerChunk;
        int k1 = Math.min(k, k0 + kPerChunk);
        int aStart = aOff + (transA ? k0 * lda : k0);
        int bStart = bOff + (transB ? k0 : k0 * ldb);
        splitGemms[chunk].gemm(transA, transB, m, n, k1 - k0, alpha, a, aStart, lda, b, bStart, ldb, 0f,
                partials[chunk], 0, n);
    }

    private void packBChunk(int chunk) {
        int firstPanel = chunk * panelsPerPackChunk;
        int lastPanel = Math.min(ceilDiv(nc, NR), firstPanel + panelsPerPackChunk);
        float[] dst = packedB;
        for (int p = firstPanel; p < lastPanel; p++) {
            int j0 = p * NR;
            int nr = Math.min(NR, nc - j0);
            int base = p * kc * NR;
            if (!transB) {
                for (int kk = 0; kk < kc; kk++) {
                    int src = bOff + (pc + kk) * ldb + jc + j0;
                    int d = base + kk * NR;
                    if (nr == NR) {
                        System.arraycopy(b, src, dst, d, NR);
                    } else {
                        System.arraycopy(b, src, dst, d, nr);
                        java.util.Arrays.fill(dst, d + nr, d + NR, 0f);
                    }
                }
            } else {
                for (int j = 0; j < NR; j++) {
                    if (j < nr) {
                        int src = bOff + (jc + j0 + j) * ldb + pc;
                        for (int kk = 0; kk < kc; kk++) {
                            dst[base + kk * NR + j] = b[src + kk];
                        }
                    } else {
                        for (int kk = 0; kk < kc; kk++) {
                            dst[base + kk * NR + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    private void computeBlock(int chunk) {
        int i0 = chunk * mc;
        int rows = Math.min(mc, m - i0);
        float[] ap = packedA.get();
        // With op(A) = Aᵀ, the MR values a micro-kernel needs per k are already adjacent in A's storage, so it
        // reads them in place (stride lda) and only a partial last panel is packed (it would read past the end).
        int fullRows = transA ? rows / MR * MR : 0;
        packA(i0 + fullRows, rows - fullRows, ap);
        // With beta = 0 the first slice's tiles overwrite C (see ZERO_ROW), so C is neither cleared nor read.
        boolean overwrite = firstSlice && beta == 0f;
        if (firstSlice && beta != 1f && !overwrite) {
            for (int i = 0; i < rows; i++) {
                scaleRow(c, cOff + (i0 + i) * ldc + jc, nc, beta);
            }
        }
        int tileOffset = MC_MAX * KC_MAX;
        float[] bp = packedB;
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bBase = (jr / NR) * kc * NR;
            for (int ir = 0; ir < rows; ir += MR) {
                int mr = Math.min(MR, rows - ir);
                int cBase = cOff + (i0 + ir) * ldc + jc + jr;
                if (ir < fullRows) {
                    microKernel(a, aOff + pc * lda + i0 + ir, lda, bp, bBase, kc, c, cBase, ldc, mr, nr, alpha,
                            overwrite, ap, tileOffset);
                } else {
                    microKernel(ap, (ir - fullRows) * kc, MR, bp, bBase, kc, c, cBase, ldc, mr, nr, alpha,
                            overwrite, ap, tileOffset);
                }
            }
        }
    }

    private void packA(int i0, int rows, float[] dst) {
        for (int ir = 0; ir < rows; ir += MR) {
            int mr = Math.min(MR, rows - ir);
            int base = ir * kc;
            if (!transA) {
                for (int r = 0; r < MR; r++) {
                    if (r < mr) {
                        int src = aOff + (i0 + ir + r) * lda + pc;
                        for (int kk = 0; kk < kc; kk++) {
                            dst[base + kk * MR + r] = a[src + kk];
                        }
                    } else {
                        for (int kk = 0; kk < kc; kk++) {
                            dst[base + kk * MR + r] = 0f;
                        }
                    }
                }
            } else {
                for (int kk = 0; kk < kc; kk++) {
                    int src = aOff + (pc + kk) * lda + i0 + ir;
                    int d = base + kk * MR;
                    for (int r = 0; r < mr; r++) {
                        dst[d + r] = a[src + r];
                    }
                    for (int r = mr; r < MR; r++) {
                        dst[d + r] = 0f;
                    }
                }
            }
        }
    }

    private static void microKernel(float[] a, int aBase, int aStep, float[] b, int bBase, int kc, float[] c,
                                    int cBase, int ldc, int mr, int nr, float alpha, boolean overwrite, float[] tile,
                                    int tileOffset) {
        if (MR == 4) {
            microKernel4(a, aBase, aStep, b, bBase, kc, c, cBase, ldc, mr, nr, alpha, overwrite, tile, tileOffset);
        } else {
            microKernel6(a, aBase, aStep, b, bBase, kc, c, cBase, ldc, mr, nr, alpha, overwrite, tile, tileOffset);
        }
    }

    /** The {@code 4 x NR} tile: {@link #microKernel6} without its last two rows. */
    private static void microKernel4(float[] a, int aBase, int aStep, float[] b, int bBase, int kc, float[] c,
                                     int cBase, int ldc, int mr, int nr, float alpha, boolean overwrite, float[] tile,
                                     int tileOffset) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        int ai = aBase;
        int bi = bBase;
        for (int kk = 0; kk < kc; kk++, ai += aStep, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        if (mr == MR && nr == NR) {
            FloatVector al = FloatVector.broadcast(SPECIES, alpha);
            // C's rows, or a row of zeros when overwriting: one vector expression either way (see ZERO_ROW)
            float[] src = overwrite ? ZERO_ROW : c;
            int srcStep = overwrite ? 0 : ldc;
            int at = overwrite ? 0 : cBase;
            c00.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase);
            c01.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + LANES);
            at += srcStep;
            c10.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase + ldc);
            c11.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + ldc + LANES);
            at += srcStep;
            c20.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase + 2 * ldc);
            c21.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + 2 * ldc + LANES);
            at += srcStep;
            c30.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase + 3 * ldc);
            c31.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + 3 * ldc + LANES);
            return;
        }
        c00.intoArray(tile, tileOffset);
        c01.intoArray(tile, tileOffset + LANES);
        c10.intoArray(tile, tileOffset + NR);
        c11.intoArray(tile, tileOffset + NR + LANES);
        c20.intoArray(tile, tileOffset + 2 * NR);
        c21.intoArray(tile, tileOffset + 2 * NR + LANES);
        c30.intoArray(tile, tileOffset + 3 * NR);
        c31.intoArray(tile, tileOffset + 3 * NR + LANES);
        addTile(c, cBase, ldc, mr, nr, alpha, overwrite, tile, tileOffset);
    }

    /** The {@code 6 x NR} tile: one broadcast of A and two FMAs per row and {@code k}, C in 12 registers. */
    private static void microKernel6(float[] a, int aBase, int aStep, float[] b, int bBase, int kc, float[] c,
                                     int cBase, int ldc, int mr, int nr, float alpha, boolean overwrite, float[] tile,
                                     int tileOffset) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        int ai = aBase;
        int bi = bBase;
        for (int kk = 0; kk < kc; kk++, ai += aStep, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (mr == MR && nr == NR) {
            FloatVector al = FloatVector.broadcast(SPECIES, alpha);
            // C's rows, or a row of zeros when overwriting: one vector expression either way (see ZERO_ROW)
            float[] src = overwrite ? ZERO_ROW : c;
            int srcStep = overwrite ? 0 : ldc;
            int at = overwrite ? 0 : cBase;
            c00.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase);
            c01.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + LANES);
            at += srcStep;
            c10.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase + ldc);
            c11.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + ldc + LANES);
            at += srcStep;
            c20.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase + 2 * ldc);
            c21.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + 2 * ldc + LANES);
            at += srcStep;
            c30.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase + 3 * ldc);
            c31.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + 3 * ldc + LANES);
            at += srcStep;
            c40.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase + 4 * ldc);
            c41.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + 4 * ldc + LANES);
            at += srcStep;
            c50.fma(al, FloatVector.fromArray(SPECIES, src, at)).intoArray(c, cBase + 5 * ldc);
            c51.fma(al, FloatVector.fromArray(SPECIES, src, at + LANES)).intoArray(c, cBase + 5 * ldc + LANES);
            return;
        }
        c00.intoArray(tile, tileOffset);
        c01.intoArray(tile, tileOffset + LANES);
        c10.intoArray(tile, tileOffset + NR);
        c11.intoArray(tile, tileOffset + NR + LANES);
        c20.intoArray(tile, tileOffset + 2 * NR);
        c21.intoArray(tile, tileOffset + 2 * NR + LANES);
        c30.intoArray(tile, tileOffset + 3 * NR);
        c31.intoArray(tile, tileOffset + 3 * NR + LANES);
        c40.intoArray(tile, tileOffset + 4 * NR);
        c41.intoArray(tile, tileOffset + 4 * NR + LANES);
        c50.intoArray(tile, tileOffset + 5 * NR);
        c51.intoArray(tile, tileOffset + 5 * NR + LANES);
        addTile(c, cBase, ldc, mr, nr, alpha, overwrite, tile, tileOffset);
    }

    /** Adds the {@code mr x nr} corner of a stored register tile into C (or into zero): the edges of C. */
    private static void addTile(float[] c, int cBase, int ldc, int mr, int nr, float alpha, boolean overwrite, float[] tile,
                                int tileOffset) {
        for (int r = 0; r < mr; r++) {
            int row = cBase + r * ldc;
            int t = tileOffset + r * NR;
            for (int j = 0; j < nr; j++) {
                c[row + j] = (overwrite ? 0f : c[row + j]) + alpha * tile[t + j];
            }
        }
    }


    private static void scaleRow(float[] c, int at, int n, float beta) {
        if (beta == 0f) {
            java.util.Arrays.fill(c, at, at + n, 0f);
        } else if (beta != 1f) {
            for (int j = 0; j < n; j++) {
                c[at + j] *= beta;
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }
}
