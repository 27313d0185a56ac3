package io.pinsage.engine.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dense row-major kernels of the PinSage step: matrix products in the three shapes forward and backward
 * need, bias + ReLU, row L2 normalisation and importance-weighted gather–aggregate, each with its backward.
 *
 * <p>Products are SIMD (broadcast-FMA over output rows, four input rows per register block) and split by rows
 * (or, for weight gradients, by output rows of the gradient) over a {@link Parallel}, so no two threads
 * write the same float and results do not depend on the thread count. Nothing here allocates. Shapes are the
 * caller's contract and are checked with {@code assert}.
 */
public final class DenseKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MIN_ROWS = 16;

    private DenseKernels() {
    }

    /** {@code c[n×m] = a[n×k] · b[k×m]} (or {@code +=} when {@code accumulate}); {@code b} starts at {@code bOff}. */
    public static void matmul(float[] a, int n, int k, float[] b, int bOff, int m, float[] c, boolean accumulate, Parallel par) {
        assert a.length >= n * k && b.length >= bOff + k * m && c.length >= n * m;
        par.forRange(n, MIN_ROWS, (part, from, to) -> matmulRows(a, k, b, bOff, m, c, accumulate, from, to));
    }

    private static void matmulRows(float[] a, int k, float[] b, int bOff, int m, float[] c, boolean accumulate, int from, int to) {
        int bound = S.loopBound(m);
        int i = from;
        for (; i + 4 <= to; i += 4) {
            int a0 = i * k;
            int a1 = a0 + k;
            int a2 = a1 + k;
            int a3 = a2 + k;
            for (int j = 0; j < bound; j += L) {
                FloatVector c0 = accumulate ? FloatVector.fromArray(S, c, i * m + j) : FloatVector.zero(S);
                FloatVector c1 = accumulate ? FloatVector.fromArray(S, c, (i + 1) * m + j) : FloatVector.zero(S);
                FloatVector c2 = accumulate ? FloatVector.fromArray(S, c, (i + 2) * m + j) : FloatVector.zero(S);
                FloatVector c3 = accumulate ? FloatVector.fromArray(S, c, (i + 3) * m + j) : FloatVector.zero(S);
                for (int kk = 0; kk < k; kk++) {
                    FloatVector bv = FloatVector.fromArray(S, b, bOff + kk * m + j);
                    c0 = bv.fma(FloatVector.broadcast(S, a[a0 + kk]), c0);
                    c1 = bv.fma(FloatVector.broadcast(S, a[a1 + kk]), c1);
                    c2 = bv.fma(FloatVector.broadcast(S, a[a2 + kk]), c2);
                    c3 = bv.fma(FloatVector.broadcast(S, a[a3 + kk]), c3);
                }
                c0.intoArray(c, i * m + j);
                c1.intoArray(c, (i + 1) * m + j);
                c2.intoArray(c, (i + 2) * m + j);
                c3.intoArray(c, (i + 3) * m + j);
            }
            for (int r = i; r < i + 4; r++) {
                scalarTail(a, k, b, bOff, m, c, accumulate, r, bound);
            }
        }
        for (; i < to; i++) {
            for (int j = 0; j < bound; j += L) {
                FloatVector acc = accumulate ? FloatVector.fromArray(S, c, i * m + j) : FloatVector.zero(S);
                for (int kk = 0; kk < k; kk++) {
                    acc = FloatVector.fromArray(S, b, bOff + kk * m + j).fma(FloatVector.broadcast(S, a[i * k + kk]), acc);
                }
                acc.intoArray(c, i * m + j);
            }
            scalarTail(a, k, b, bOff, m, c, accumulate, i, bound);
        }
    }

    private static void scalarTail(float[] a, int k, float[] b, int bOff, int m, float[] c, boolean accumulate, int row, int fromCol) {
        for (int j = fromCol; j < m; j++) {
            float s = accumulate ? c[row * m + j] : 0f;
            for (int kk = 0; kk < k; kk++) {
                s += a[row * k + kk] * b[bOff + kk * m + j];
            }
            c[row * m + j] = s;
        }
    }

    /**
     * {@code out[k×m] += a[n×k]ᵀ · g[n×m]} ({@code out} starting at {@code outOff}): the weight gradient of
     * {@code g = a · w}. Split by rows of {@code out}, four at a time, each pass streaming {@code a} and {@code g}.
     */
    public static void matmulTransposedA(float[] a, int n, int k, float[] g, int m, float[] out, int outOff, Parallel par) {
        assert a.length >= n * k && g.length >= n * m && out.length >= outOff + k * m;
        int blocks = (k + 3) / 4;
        par.forRange(blocks, 1, (part, from, to) -> {
            for (int blk = from; blk < to; blk++) {
                int r0 = blk * 4;
                int rows = Math.min(4, k - r0);
                transposedABlock(a, n, k, g, m, out, outOff, r0, rows);
            }
        });
    }

    private static void transposedABlock(float[] a, int n, int k, float[] g, int m, float[] out, int outOff, int r0, int rows) {
        int bound = S.loopBound(m);
        if (rows == 4) {
            for (int j = 0; j < bound; j += L) {
                FloatVector o0 = FloatVector.zero(S);
                FloatVector o1 = FloatVector.zero(S);
                FloatVector o2 = FloatVector.zero(S);
                FloatVector o3 = FloatVector.zero(S);
                for (int i = 0; i < n; i++) {
                    FloatVector gv = FloatVector.fromArray(S, g, i * m + j);
                    int ai = i * k + r0;
                    o0 = gv.fma(FloatVector.broadcast(S, a[ai]), o0);
                    o1 = gv.fma(FloatVector.broadcast(S, a[ai + 1]), o1);
                    o2 = gv.fma(FloatVector.broadcast(S, a[ai + 2]), o2);
                    o3 = gv.fma(FloatVector.broadcast(S, a[ai + 3]), o3);
                }
                int at = outOff + r0 * m + j;
                FloatVector.fromArray(S, out, at).add(o0).intoArray(out, at);
                FloatVector.fromArray(S, out, at + m).add(o1).intoArray(out, at + m);
                FloatVector.fromArray(S, out, at + 2 * m).add(o2).intoArray(out, at + 2 * m);
                FloatVector.fromArray(S, out, at + 3 * m).add(o3).intoArray(out, at + 3 * m);
            }
        } else {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < bound; j += L) {
                    FloatVector o = FloatVector.zero(S);
                    for (int i = 0; i < n; i++) {
                        o = FloatVector.fromArray(S, g, i * m + j).fma(FloatVector.broadcast(S, a[i * k + r0 + r]), o);
                    }
                    int at = outOff + (r0 + r) * m + j;
                    FloatVector.fromArray(S, out, at).add(o).intoArray(out, at);
                }
            }
        }
        for (int j = bound; j < m; j++) {
            for (int r = 0; r < rows; r++) {
                float s = 0;
                for (int i = 0; i < n; i++) {
                    s += a[i * k + r0 + r] * g[i * m + j];
                }
                out[outOff + (r0 + r) * m + j] += s;
            }
        }
    }

    /** {@code dst[cols×rows] = src[rows×cols]ᵀ} ({@code src} from {@code srcOff}). Single-threaded; for weights. */
    public static void transpose(float[] src, int srcOff, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[srcOff + r * cols + c];
            }
        }
    }

    /** {@code x[n×m] = x + bias} per row, then ReLU when {@code relu}. */
    public static void addBias(float[] x, int n, int m, float[] bias, int biasOffset, boolean relu, Parallel par) {
        par.forRange(n, 64, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                int base = i * m;
                for (int j = 0; j < m; j++) {
                    float v = x[base + j] + bias[biasOffset + j];
                    x[base + j] = relu && v < 0 ? 0 : v;
                }
            }
        });
    }

    /**
     * Backward of {@link #addBias}: zeroes {@code grad} where the ReLU output {@code y} is 0 (when {@code relu}),
     * then adds the column sums of {@code grad} to {@code biasGrad}. Column sums run on the calling thread so
     * that their order, hence their rounding, is fixed.
     */
    public static void addBiasBackward(float[] y, float[] grad, int n, int m, float[] biasGrad, int biasOffset, boolean relu,
                                       Parallel par) {
        if (relu) {
            par.forRange(n, 64, (part, from, to) -> {
                for (int i = from * m; i < to * m; i++) {
                    if (y[i] <= 0) {
                        grad[i] = 0;
                    }
                }
            });
        }
        for (int i = 0; i < n; i++) {
            int base = i * m;
            for (int j = 0; j < m; j++) {
                biasGrad[biasOffset + j] += grad[base + j];
            }
        }
    }

    /** Normalises each row of {@code x[n×m]} to unit L2 norm in place, keeping each row's norm in {@code norms}. */
    public static void normalizeRows(float[] x, int n, int m, float[] norms, Parallel par) {
        par.forRange(n, 64, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                float ss = dot(x, i * m, x, i * m, m);
                float norm = (float) Math.sqrt(Math.max(ss, 1e-12f));
                norms[i] = norm;
                float inv = 1f / norm;
                for (int j = 0; j < m; j++) {
                    x[i * m + j] *= inv;
                }
            }
        });
    }

    /** Backward of {@link #normalizeRows}: {@code grad ← (grad − y (y·grad)) / norm}, in place. */
    public static void normalizeRowsBackward(float[] y, float[] grad, int n, int m, float[] norms, Parallel par) {
        par.forRange(n, 64, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                float yg = dot(y, i * m, grad, i * m, m);
                float inv = 1f / norms[i];
                for (int j = 0; j < m; j++) {
                    grad[i * m + j] = (grad[i * m + j] - y[i * m + j] * yg) * inv;
                }
            }
        });
    }

    /** SIMD dot product of {@code len} floats. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        int bound = S.loopBound(len);
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < bound; j += L) {
            acc = FloatVector.fromArray(S, a, aOff + j).fma(FloatVector.fromArray(S, b, bOff + j), acc);
        }
        // Lanes are summed in a fixed order: reduceLanes may associate differently once compiled, and training must
        // give the same bits whether a step ran interpreted or compiled (exact resume).
        float s = 0;
        for (int lane = 0; lane < L; lane++) {
            s += acc.lane(lane);
        }
        for (int j = bound; j < len; j++) {
            s += a[aOff + j] * b[bOff + j];
        }
        return s;
    }

    /**
     * Importance pooling: {@code out[i, outOff..outOff+m) = Σ_t alpha[i·T+t] · src[nbr[i·T+t], 0..m)} for
     * {@code count[i]} neighbours, into rows of width {@code outStride}. A node without neighbours pools zeros.
     */
    public static void gatherAggregate(float[] src, int m, int[] nbr, float[] alpha, int[] count, int t, int n,
                                       float[] out, int outStride, int outOff, Parallel par) {
        par.forRange(n, 32, (part, from, to) -> {
            int bound = S.loopBound(m);
            for (int i = from; i < to; i++) {
                int o = i * outStride + outOff;
                for (int j = 0; j < m; j++) {
                    out[o + j] = 0;
                }
                for (int s = 0; s < count[i]; s++) {
                    int row = nbr[i * t + s] * m;
                    FloatVector w = FloatVector.broadcast(S, alpha[i * t + s]);
                    int j = 0;
                    for (; j < bound; j += L) {
                        FloatVector.fromArray(S, src, row + j).fma(w, FloatVector.fromArray(S, out, o + j)).intoArray(out, o + j);
                    }
                    for (; j < m; j++) {
                        out[o + j] += alpha[i * t + s] * src[row + j];
                    }
                }
            }
        });
    }

    /**
     * Backward of {@link #gatherAggregate}: {@code srcGrad[nbr] += alpha · grad[i]}. Neighbours repeat across
     * rows, so the scatter runs on one thread; its cost is {@code n · T · m} FMAs, small beside the products.
     */
    public static void gatherAggregateBackward(float[] grad, int gradStride, int gradOff, int m, int[] nbr, float[] alpha,
                                               int[] count, int t, int n, float[] srcGrad) {
        int bound = S.loopBound(m);
        for (int i = 0; i < n; i++) {
            int g = i * gradStride + gradOff;
            for (int s = 0; s < count[i]; s++) {
                int row = nbr[i * t + s] * m;
                FloatVector w = FloatVector.broadcast(S, alpha[i * t + s]);
                int j = 0;
                for (; j < bound; j += L) {
                    FloatVector.fromArray(S, grad, g + j).fma(w, FloatVector.fromArray(S, srcGrad, row + j)).intoArray(srcGrad, row + j);
                }
                for (; j < m; j++) {
                    srcGrad[row + j] += alpha[i * t + s] * grad[g + j];
                }
            }
        }
    }
}
