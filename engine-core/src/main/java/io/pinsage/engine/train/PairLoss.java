package io.pinsage.engine.train;

import java.util.Arrays;

/**
 * The loss of a minibatch and its gradient with respect to the output embeddings.
 *
 * <p>Every query is scored against the candidate block {@code [positives of the batch ; shared negatives]} with one
 * matrix product ({@code B × (B + N)} scores); its own positive is column {@code b}, the shared negatives are
 * the last N columns, and with {@code inBatchNegatives} the other queries' positives count as negatives too
 * (free: their embeddings are already computed). Hard negatives add {@code B × H} dot products. The loss is the
 * mean over queries.
 *
 * <p>Threading: one instance per trainer thread; its buffers grow to the largest batch, then are reused.
 */
public final class PairLoss {

    private final LossKind kind;
    private final float margin;
    private final float temperature;
    private final boolean inBatchNegatives;
    private final Parallel par;

    private float[] queries = new float[0];
    private float[] candidates = new float[0];
    private float[] candidatesT = new float[0];
    private float[] scores = new float[0];
    private float[] dQueries = new float[0];
    private float[] dCandidates = new float[0];
    private float[] hardScores = new float[0];
    private double[] rowLoss = new double[0];

    /**
     * @param margin      Δ of the max-margin loss
     * @param temperature τ of the softmax loss, positive
     */
    public PairLoss(LossKind kind, float margin, float temperature, boolean inBatchNegatives, Parallel par) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature=" + temperature + ": must be > 0");
        }
        this.kind = kind;
        this.margin = margin;
        this.temperature = temperature;
        this.inBatchNegatives = inBatchNegatives;
        this.par = par;
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[Math.max(n, a.length + a.length / 2)];
    }

    /**
     * Computes the batch loss from {@code out} ({@code rows × dim}) and writes its gradient into {@code dOut}
     * (zeroed first).
     */
    public double lossAndGradient(MiniBatch batch, float[] out, int rows, int dim, float[] dOut) {
        int b = batch.size();
        int nNeg = batch.negativeRow.length;
        int cols = b + nNeg;
        queries = grow(queries, b * dim);
        candidates = grow(candidates, cols * dim);
        candidatesT = grow(candidatesT, cols * dim);
        for (int i = 0; i < b; i++) {
            System.arraycopy(out, batch.queryRow[i] * dim, queries, i * dim, dim);
            System.arraycopy(out, batch.positiveRow[i] * dim, candidates, i * dim, dim);
        }
        for (int j = 0; j < nNeg; j++) {
            System.arraycopy(out, batch.negativeRow[j] * dim, candidates, (b + j) * dim, dim);
        }
        DenseKernels.transpose(candidates, 0, cols, dim, candidatesT);
        scores = grow(scores, b * cols);
        DenseKernels.matmul(queries, b, dim, candidatesT, 0, cols, scores, false, par);
        int h = batch.hardPerQuery;
        hardScores = grow(hardScores, b * h);
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < h; s++) {
                int r = batch.hardRow[i * h + s];
                hardScores[i * h + s] = r < 0 ? Float.NaN : DenseKernels.dot(queries, i * dim, out, r * dim, dim);
            }
        }
        // From here on scores/hardScores hold d loss / d score.
        rowLoss = rowLoss.length >= b ? rowLoss : new double[b];
        double[] perRow = rowLoss;
        par.forRange(b, 16, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                perRow[i] = kind == LossKind.MARGIN ? marginRow(i, b, cols, h) : softmaxRow(i, b, cols, h);
            }
        });
        double total = 0;
        for (int i = 0; i < b; i++) {
            total += perRow[i];
        }
        float scale = 1f / b;
        for (int i = 0; i < b * cols; i++) {
            scores[i] *= scale;
        }
        Arrays.fill(dOut, 0, rows * dim, 0f);
        dQueries = grow(dQueries, b * dim);
        DenseKernels.matmul(scores, b, cols, candidates, 0, dim, dQueries, false, par);
        dCandidates = grow(dCandidates, cols * dim);
        Arrays.fill(dCandidates, 0, cols * dim, 0f);
        DenseKernels.matmulTransposedA(scores, b, cols, queries, dim, dCandidates, 0, par);
        for (int i = 0; i < b; i++) {
            addRow(dQueries, i, dOut, batch.queryRow[i], dim, 1f);
            addRow(dCandidates, i, dOut, batch.positiveRow[i], dim, 1f);
            for (int s = 0; s < h; s++) {
                int r = batch.hardRow[i * h + s];
                float gs = hardScores[i * h + s] * scale;
                if (r >= 0 && gs != 0) {
                    addRow(out, r, dOut, batch.queryRow[i], dim, gs);
                    addRow(queries, i, dOut, r, dim, gs);
                }
            }
        }
        for (int j = 0; j < nNeg; j++) {
            addRow(dCandidates, b + j, dOut, batch.negativeRow[j], dim, 1f);
        }
        return total / b;
    }

    private static void addRow(float[] src, int srcRow, float[] dst, int dstRow, int dim, float w) {
        int s = srcRow * dim;
        int d = dstRow * dim;
        for (int j = 0; j < dim; j++) {
            dst[d + j] += w * src[s + j];
        }
    }

    private boolean isNegative(int i, int col, int b) {
        return col >= b || (inBatchNegatives && col != i);
    }

    private double marginRow(int i, int b, int cols, int h) {
        int base = i * cols;
        float pos = scores[base + i];
        int negatives = 0;
        for (int col = 0; col < cols; col++) {
            if (isNegative(i, col, b)) {
                negatives++;
            }
        }
        for (int s = 0; s < h; s++) {
            if (!Float.isNaN(hardScores[i * h + s])) {
                negatives++;
            }
        }
        double loss = 0;
        float dPos = 0;
        float w = 1f / Math.max(1, negatives);
        for (int col = 0; col < cols; col++) {
            float d = 0;
            if (isNegative(i, col, b)) {
                float v = scores[base + col] - pos + margin;
                if (v > 0) {
                    loss += v;
                    d = w;
                    dPos -= w;
                }
            }
            if (col != i) {
                scores[base + col] = d;
            }
        }
        for (int s = 0; s < h; s++) {
            float hs = hardScores[i * h + s];
            float d = 0;
            if (!Float.isNaN(hs) && hs - pos + margin > 0) {
                loss += hs - pos + margin;
                d = w;
                dPos -= w;
            }
            hardScores[i * h + s] = d;
        }
        scores[base + i] = dPos;
        return loss * w;
    }

    private double softmaxRow(int i, int b, int cols, int h) {
        int base = i * cols;
        float inv = 1f / temperature;
        double max = scores[base + i] * inv;
        for (int col = 0; col < cols; col++) {
            if (isNegative(i, col, b)) {
                max = Math.max(max, scores[base + col] * inv);
            }
        }
        for (int s = 0; s < h; s++) {
            if (!Float.isNaN(hardScores[i * h + s])) {
                max = Math.max(max, hardScores[i * h + s] * inv);
            }
        }
        double sum = 0;
        for (int col = 0; col < cols; col++) {
            if (col == i || isNegative(i, col, b)) {
                sum += Math.exp(scores[base + col] * inv - max);
            }
        }
        for (int s = 0; s < h; s++) {
            if (!Float.isNaN(hardScores[i * h + s])) {
                sum += Math.exp(hardScores[i * h + s] * inv - max);
            }
        }
        double logSum = max + Math.log(sum);
        double loss = logSum - scores[base + i] * inv;
        for (int col = 0; col < cols; col++) {
            if (col == i) {
                scores[base + col] = (float) ((Math.exp(scores[base + col] * inv - logSum) - 1) * inv);
            } else if (isNegative(i, col, b)) {
                scores[base + col] = (float) (Math.exp(scores[base + col] * inv - logSum) * inv);
            } else {
                scores[base + col] = 0;
            }
        }
        for (int s = 0; s < h; s++) {
            float hs = hardScores[i * h + s];
            hardScores[i * h + s] = Float.isNaN(hs) ? 0 : (float) (Math.exp(hs * inv - logSum) * inv);
        }
        return loss;
    }
}
