package io.pinsage.nn.backend.cpu;

import io.pinsage.nn.backend.AdamConfig;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise SIMD loops of {@link CpuBackend}: one vector body over full lanes and a scalar tail.
 * Stateless, thread-safe, allocation-free (C2 keeps the vectors in registers). Offsets and lengths are
 * trusted: callers have checked shapes.
 */
final class CpuKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private CpuKernels() {
    }

    /** {@code y[yo..yo+n) += alpha · x[xo..xo+n)}. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector a = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(a, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }

    /**
     * {@code y += Σ_i coef[co + i] · x[base + rows[ro + i]·n ..]} for {@code i < 8}, over {@code n} columns (rows of
     * {@code x} are {@code n} wide), one fused multiply-add per term in order {@code i}: where {@code n} is a multiple
     * of the lanes, the same result to the bit as eight {@link #axpy} calls, with eight gathered rows in flight (the
     * memory latency of random rows is what a gather waits for) and {@code y} read and written once.
     */
    static void axpy8(float[] coef, int co, int[] rows, int ro, int base, float[] x, float[] y, int yo, int n) {
        int o0 = base + rows[ro] * n;
        int o1 = base + rows[ro + 1] * n;
        int o2 = base + rows[ro + 2] * n;
        int o3 = base + rows[ro + 3] * n;
        int o4 = base + rows[ro + 4] * n;
        int o5 = base + rows[ro + 5] * n;
        int o6 = base + rows[ro + 6] * n;
        int o7 = base + rows[ro + 7] * n;
        FloatVector v0 = FloatVector.broadcast(S, coef[co]);
        FloatVector v1 = FloatVector.broadcast(S, coef[co + 1]);
        FloatVector v2 = FloatVector.broadcast(S, coef[co + 2]);
        FloatVector v3 = FloatVector.broadcast(S, coef[co + 3]);
        FloatVector v4 = FloatVector.broadcast(S, coef[co + 4]);
        FloatVector v5 = FloatVector.broadcast(S, coef[co + 5]);
        FloatVector v6 = FloatVector.broadcast(S, coef[co + 6]);
        FloatVector v7 = FloatVector.broadcast(S, coef[co + 7]);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector acc = FloatVector.fromArray(S, y, yo + i);
            acc = FloatVector.fromArray(S, x, o0 + i).fma(v0, acc);
            acc = FloatVector.fromArray(S, x, o1 + i).fma(v1, acc);
            acc = FloatVector.fromArray(S, x, o2 + i).fma(v2, acc);
            acc = FloatVector.fromArray(S, x, o3 + i).fma(v3, acc);
            acc = FloatVector.fromArray(S, x, o4 + i).fma(v4, acc);
            acc = FloatVector.fromArray(S, x, o5 + i).fma(v5, acc);
            acc = FloatVector.fromArray(S, x, o6 + i).fma(v6, acc);
            acc = FloatVector.fromArray(S, x, o7 + i).fma(v7, acc);
            acc.intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float acc = y[yo + i];
            acc = Math.fma(x[o0 + i], coef[co], acc);
            acc = Math.fma(x[o1 + i], coef[co + 1], acc);
            acc = Math.fma(x[o2 + i], coef[co + 2], acc);
            acc = Math.fma(x[o3 + i], coef[co + 3], acc);
            acc = Math.fma(x[o4 + i], coef[co + 4], acc);
            acc = Math.fma(x[o5 + i], coef[co + 5], acc);
            acc = Math.fma(x[o6 + i], coef[co + 6], acc);
            y[yo + i] = Math.fma(x[o7 + i], coef[co + 7], acc);
        }
    }

    /** {@link #axpy} over the column range {@code [c0, c1)} of rows starting at {@code xo} and {@code yo}. */
    static void axpyRange(float alpha, float[] x, int xo, float[] y, int yo, int c0, int c1) {
        axpy(alpha, x, xo + c0, y, yo + c0, c1 - c0);
    }

    /** {@code x[o..o+n) *= s}. */
    static void scale(float s, float[] x, int o, int n) {
        scaleInto(s, x, o, x, o, n);
    }

    /** {@code y[yo..yo+n) = s · x[xo..xo+n)}. */
    static void scaleInto(float s, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(s).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = s * x[xo + i];
        }
    }

    /** Dot product of two length-{@code n} runs, accumulated in lanes then reduced. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            acc = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc);
        }
        // Lanes summed in lane order: reduceLanes(ADD) may associate differently once the JIT intrinsifies it
        // than in the interpreter, which made results depend on when a method got compiled.
        float sum = 0f;
        for (int l = 0; l < L; l++) {
            sum += acc.lane(l);
        }
        for (; i < n; i++) {
            sum += x[xo + i] * y[yo + i];
        }
        return sum;
    }

    /** {@code out = act(x + bias)} over one row of {@code n} columns. */
    static void biasActivationRow(float[] x, int xo, float[] bias, int bo, float[] out, int oo, int n, boolean relu) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, bias, bo + i));
            (relu ? v.max(zero) : v).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i] + bias[bo + i];
            out[oo + i] = relu ? Math.max(v, 0f) : v;
        }
    }

    /** {@code dx = relu ? (out > 0 ? g : 0) : g} over the columns {@code [c0, c1)} of one row. */
    static void activationBackwardRange(float[] out, int oo, float[] g, int go, float[] dx, int xo, int c0, int c1,
                                        boolean relu) {
        if (!relu) {
            if (g != dx || go != xo) {
                System.arraycopy(g, go + c0, dx, xo + c0, c1 - c0);
            }
            return;
        }
        FloatVector zero = FloatVector.zero(S);
        int i = c0;
        for (int bound = c0 + S.loopBound(c1 - c0); i < bound; i += L) {
            VectorMask<Float> off = FloatVector.fromArray(S, out, oo + i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(S, g, go + i).blend(zero, off).intoArray(dx, xo + i);
        }
        for (; i < c1; i++) {
            dx[xo + i] = out[oo + i] > 0f ? g[go + i] : 0f;
        }
    }

    /**
     * Element-wise {@code max_e α_e · src[nb[e]]} over edges {@code [e0, e1)} into one output row, recording the
     * winning edge per element in {@code argMax} ({@code -1} and a zero output when there are no edges).
     */
    static void maxPoolRow(float[] src, int so, int cols, int[] nb, int nbBase, float[] w, int wo, int e0, int e1,
                           float[] out, int oo, int[] argMax, int ao) {
        if (e0 == e1) {
            java.util.Arrays.fill(out, oo, oo + cols, 0f);
            java.util.Arrays.fill(argMax, ao, ao + cols, -1);
            return;
        }
        float alpha = w[wo + e0];
        scaleInto(alpha, src, so + nb[nbBase + e0] * cols, out, oo, cols);
        java.util.Arrays.fill(argMax, ao, ao + cols, e0);
        for (int e = e0 + 1; e < e1; e++) {
            alpha = w[wo + e];
            int row = so + nb[nbBase + e] * cols;
            for (int j = 0; j < cols; j++) {
                float v = alpha * src[row + j];
                if (v > out[oo + j]) {
                    out[oo + j] = v;
                    argMax[ao + j] = e;
                }
            }
        }
    }

    /** {@code dx = (g − y · proj) · inv} over one row. */
    static void normalizeBackwardRow(float[] y, int yo, float[] g, int go, float[] dx, int xo, int n, float proj,
                                     float inv) {
        FloatVector p = FloatVector.broadcast(S, -proj);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, y, yo + i).fma(p, FloatVector.fromArray(S, g, go + i)).mul(inv)
                    .intoArray(dx, xo + i);
        }
        for (; i < n; i++) {
            dx[xo + i] = (g[go + i] - y[yo + i] * proj) * inv;
        }
    }

    /** The Adam rule of {@link io.pinsage.nn.backend.Backend#adam} over {@code n} consecutive elements. */
    static void adam(AdamConfig c, float bias1, float bias2, float[] p, int po, float[] g, int go, float[] m, int mo,
                     float[] v, int vo, int n) {
        float b1 = c.beta1();
        float b2 = c.beta2();
        float stepSize = c.learningRate() / bias1;
        float invSqrtBias2 = (float) (1.0 / Math.sqrt(bias2));
        float decay = 1f - c.learningRate() * c.weightDecay();
        float eps = c.epsilon();
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            FloatVector mv = FloatVector.fromArray(S, m, mo + i).mul(b1).add(gv.mul(1f - b1));
            FloatVector vv = FloatVector.fromArray(S, v, vo + i).mul(b2).add(gv.mul(gv).mul(1f - b2));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            FloatVector denom = vv.sqrt().mul(invSqrtBias2).add(eps);
            FloatVector pv = FloatVector.fromArray(S, p, po + i).mul(decay);
            pv.sub(mv.mul(stepSize).div(denom)).intoArray(p, po + i);
        }
        for (; i < n; i++) {
            float gi = g[go + i];
            float mi = b1 * m[mo + i] + (1f - b1) * gi;
            float vi = b2 * v[vo + i] + (1f - b2) * gi * gi;
            m[mo + i] = mi;
            v[vo + i] = vi;
            p[po + i] = p[po + i] * decay - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBias2 + eps);
        }
    }

    /** Whether all {@code n} values are finite: {@code x − x} is 0 for finite x and NaN otherwise. */
    static boolean allFinite(float[] x, int o, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, o + i);
            acc = acc.add(v.sub(v));
        }
        if (acc.test(VectorOperators.IS_NAN).anyTrue()) {
            return false;
        }
        for (; i < n; i++) {
            if (!Float.isFinite(x[o + i])) {
                return false;
            }
        }
        return true;
    }
}
