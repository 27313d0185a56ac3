package io.pinsage.nn.backend;

import java.util.function.ToDoubleFunction;

/**
 * Double-precision reference implementations of the {@link Backend} operations and a central-difference
 * gradient, used by {@link BackendConformanceTest} as the ground truth every backend is held to.
 */
public final class Reference {

    private Reference() {
    }

    /** Row-major {@code op(A)·op(B)} in double. */
    public static double[] matmul(boolean transA, boolean transB, double[] a, int aRows, int aCols, double[] b,
                                  int bRows, int bCols) {
        int m = transA ? aCols : aRows;
        int k = transA ? aRows : aCols;
        int n = transB ? bRows : bCols;
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) {
                    double av = transA ? a[kk * aCols + i] : a[i * aCols + kk];
                    double bv = transB ? b[j * bCols + kk] : b[kk * bCols + j];
                    s += av * bv;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** The pooling of {@link Backend#aggregate} in double. */
    public static double[] aggregate(Pooling pooling, double[] src, int cols, int[] offsets, int[] neighbours,
                                     double[] weights) {
        int targets = offsets.length - 1;
        double[] out = new double[targets * cols];
        for (int u = 0; u < targets; u++) {
            double wsum = 0;
            for (int j = 0; j < cols; j++) {
                double acc = pooling == Pooling.MAX ? Double.NEGATIVE_INFINITY : 0;
                for (int e = offsets[u]; e < offsets[u + 1]; e++) {
                    double v = weights[e] * src[neighbours[e] * cols + j];
                    acc = pooling == Pooling.MAX ? Math.max(acc, v) : acc + v;
                }
                out[u * cols + j] = offsets[u] == offsets[u + 1] ? 0 : acc;
            }
            for (int e = offsets[u]; e < offsets[u + 1]; e++) {
                wsum += weights[e];
            }
            if (pooling == Pooling.MEAN && wsum != 0) {
                for (int j = 0; j < cols; j++) {
                    out[u * cols + j] /= wsum;
                }
            }
        }
        return out;
    }

    /** Row L2 normalisation in double. */
    public static double[] l2Normalize(double[] x, int cols) {
        double[] out = new double[x.length];
        for (int r = 0; r < x.length / cols; r++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += x[r * cols + j] * x[r * cols + j];
            }
            double norm = Math.max(Math.sqrt(s), 1e-12);
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] = x[r * cols + j] / norm;
            }
        }
        return out;
    }

    /**
     * The per-query losses of {@link Backend#rankingLossRows} in double, straight from the definition: each query's
     * negatives listed, then its margin or softmax loss.
     */
    public static double[] rankingRowLosses(RankingLossKind kind, double[] scores, int b, int s, int h, int[] hard,
                                            boolean inBatch, double margin, double temperature) {
        int c = b + s + b * h;
        int first = inBatch ? 0 : b;
        double[] loss = new double[b];
        for (int i = 0; i < b; i++) {
            java.util.List<Integer> negatives = new java.util.ArrayList<>();
            for (int col = first; col < b + s; col++) {
                if (col != i) {
                    negatives.add(col);
                }
            }
            for (int k = 0; k < h; k++) {
                if (hard[i * h + k] >= 0) {
                    negatives.add(b + s + i * h + k);
                }
            }
            if (negatives.isEmpty()) {
                continue;
            }
            double pos = scores[i * c + i];
            if (kind == RankingLossKind.MARGIN) {
                for (int col : negatives) {
                    loss[i] += Math.max(0, scores[i * c + col] - pos + margin) / negatives.size();
                }
            } else {
                double sum = Math.exp(pos / temperature);
                for (int col : negatives) {
                    sum += Math.exp(scores[i * c + col] / temperature);
                }
                loss[i] = Math.log(sum) - pos / temperature;
            }
        }
        return loss;
    }

    /** Dot product of two runs. */
    public static double dot(double[] x, int xo, double[] y, int yo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[xo + i] * y[yo + i];
        }
        return s;
    }

    /** {@code Σ w_i · y_i}, the scalar whose gradient with respect to the input is the backward pass given {@code w}. */
    public static double weightedSum(double[] w, double[] y) {
        return dot(w, 0, y, 0, y.length);
    }

    /** Central-difference gradient of {@code f} at {@code x} (which is restored), step {@code h}. */
    public static double[] numericGradient(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double saved = x[i];
            x[i] = saved + h;
            double up = f.applyAsDouble(x);
            x[i] = saved - h;
            double down = f.applyAsDouble(x);
            x[i] = saved;
            grad[i] = (up - down) / (2 * h);
        }
        return grad;
    }

    /** Widens a float array. */
    public static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** Narrows a double array. */
    public static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
