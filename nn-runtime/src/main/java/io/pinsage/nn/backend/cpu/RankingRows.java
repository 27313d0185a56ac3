package io.pinsage.nn.backend.cpu;

import java.util.Arrays;

/**
 * The rows of {@link CpuBackend#rankingLossRows}: one query's scores turned into its loss and, in place, its gradient.
 * Each row's arithmetic runs in a fixed order, and the softmax uses {@link StrictMath}'s exp and log, whose results,
 * unlike {@link Math}'s, do not change when the JIT compiles the loop, so results are bit-identical from run to run.
 *
 * <p>Row {@code i} (at {@code base} in {@code g}) has {@code c = b + s + b·h} columns. Its negatives are columns
 * {@code [first, b + s)} other than {@code i} and the valid columns of its own hard block
 * {@code [b + s + i·h, b + s + (i + 1)·h)}; column {@code i} is its positive. The passes visit only those columns,
 * so the other queries' hard blocks (most of a row once hard negatives are on) cost one fill, not a test each.
 * Stateless.
 */
final class RankingRows {

    private RankingRows() {
    }

    static int negatives(int i, int first, int b, int s, int h, int[] hard, int hardOffset) {
        int n = b + s - first - (i >= first ? 1 : 0);
        for (int k = 0; k < h; k++) {
            if (hard[hardOffset + i * h + k] >= 0) {
                n++;
            }
        }
        return n;
    }

    /** Zeroes the columns of row {@code i} that are neither its positive nor one of its negatives. */
    private static void zeroOthers(float[] g, int base, int i, int first, int b, int s, int h, int c, int[] hard,
                                   int hardOffset) {
        if (first > 0) {
            Arrays.fill(g, base, base + i, 0f);
            Arrays.fill(g, base + i + 1, base + first, 0f);
        }
        int own = b + s + i * h;
        Arrays.fill(g, base + b + s, base + own, 0f);
        Arrays.fill(g, base + own + h, base + c, 0f);
        for (int k = 0; k < h; k++) {
            if (hard[hardOffset + i * h + k] < 0) {
                g[base + own + k] = 0f;
            }
        }
    }

    /**
     * Replaces the row with {@code scale · ∂l_i/∂score} and returns {@code l_i}. A NaN score counts as an active
     * hinge, so it makes the loss NaN.
     */
    static double margin(float[] g, int base, int i, int first, int b, int s, int h, int[] hard, int hardOffset,
                         float margin, float scale) {
        int c = b + s + b * h;
        int negatives = negatives(i, first, b, s, h, hard, hardOffset);
        if (negatives == 0) {
            Arrays.fill(g, base, base + c, 0f);
            return 0;
        }
        float pos = g[base + i];
        float w = 1f / negatives;
        float active = w * scale;
        double loss = 0;
        float dPos = 0;
        for (int col = first; col < b + s; col++) {
            if (col != i) {
                float v = g[base + col] - pos + margin;
                boolean on = !(v <= 0);
                loss += on ? v : 0;
                dPos -= on ? w : 0;
                g[base + col] = on ? active : 0;
            }
        }
        int own = b + s + i * h;
        for (int k = 0; k < h; k++) {
            if (hard[hardOffset + i * h + k] >= 0) {
                float v = g[base + own + k] - pos + margin;
                boolean on = !(v <= 0);
                loss += on ? v : 0;
                dPos -= on ? w : 0;
                g[base + own + k] = on ? active : 0;
            }
        }
        zeroOthers(g, base, i, first, b, s, h, c, hard, hardOffset);
        g[base + i] = dPos * scale;
        return loss * w;
    }

    /**
     * As {@link #margin} for the sampled softmax: one {@link StrictMath#exp} per candidate, its value kept in the row
     * until the sum is known. NaN propagates through the maximum into the loss.
     */
    static double softmax(float[] g, int base, int i, int first, int b, int s, int h, int[] hard, int hardOffset,
                          float temperature, float scale) {
        int c = b + s + b * h;
        if (negatives(i, first, b, s, h, hard, hardOffset) == 0) {
            Arrays.fill(g, base, base + c, 0f);
            return 0;
        }
        float inv = 1f / temperature;
        int own = b + s + i * h;
        double pos = g[base + i] * inv;
        double max = pos;
        for (int col = first; col < b + s; col++) {
            max = Math.max(max, g[base + col] * inv);
        }
        for (int k = 0; k < h; k++) {
            if (hard[hardOffset + i * h + k] >= 0) {
                max = Math.max(max, g[base + own + k] * inv);
            }
        }
        // Column i, when in [first, b + s), is visited with the negatives; its exp is kept in double, since its
        // gradient p - 1 cancels when p is near 1.
        double ePos = i < first ? StrictMath.exp(pos - max) : 0;
        double sum = ePos;
        for (int col = first; col < b + s; col++) {
            double e = StrictMath.exp(g[base + col] * inv - max);
            sum += e;
            g[base + col] = (float) e;
            if (col == i) {
                ePos = e;
            }
        }
        for (int k = 0; k < h; k++) {
            if (hard[hardOffset + i * h + k] >= 0) {
                double e = StrictMath.exp(g[base + own + k] * inv - max);
                sum += e;
                g[base + own + k] = (float) e;
            }
        }
        double loss = max + StrictMath.log(sum) - pos;
        double factor = inv / sum;
        for (int col = first; col < b + s; col++) {
            g[base + col] = (float) (g[base + col] * factor) * scale;
        }
        for (int k = 0; k < h; k++) {
            if (hard[hardOffset + i * h + k] >= 0) {
                g[base + own + k] = (float) (g[base + own + k] * factor) * scale;
            }
        }
        zeroOthers(g, base, i, first, b, s, h, c, hard, hardOffset);
        g[base + i] = (float) ((ePos / sum - 1) * inv) * scale;
        return loss;
    }
}
