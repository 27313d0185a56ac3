package io.pinsage.nn.model;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Tensor;

import java.util.stream.IntStream;

/**
 * The ranking loss of a minibatch of (query, positive) pairs on the model's output rows {@code z}, with its
 * gradient {@code ∂L/∂z}, for either {@link RankingLossKind}. Each query {@code b} ranks its positive against
 * a negative set made of the {@code S} negatives the whole batch shares, optionally the other queries'
 * positives (in-batch negatives: free, their embeddings are computed anyway) and its own {@code H} hard
 * negatives. The loss is the mean over queries; a query's margin loss is the mean over its negatives.
 *
 * <h2>How it runs</h2>
 * Built only from existing {@link Backend} operations, so every backend runs it: the query rows and the
 * candidate block {@code [positives ; shared negatives ; hard negatives]} ({@code C = B + S + B·H} rows) are
 * gathered, one GEMM gives the {@code B x C} scores, which are downloaded; the per-row loss and its gradient
 * with respect to the scores are computed on the host (rows in parallel, each row's arithmetic in a fixed
 * order, and {@link StrictMath}'s exp and log, whose results, unlike {@link Math}'s, do not change when the JIT
 * compiles the loop, so results are bit-identical from run to run), uploaded, and two GEMMs and two scatter-adds carry
 * them back to {@code dz}. A hard-negative column is scored by every query but counts only for its own
 * (masked elsewhere): {@code B·H} extra dot products per query, cheap for the few hard negatives PinSage uses.
 *
 * <p>Rows are positions among the graph's outputs; a row may serve in several roles and pairs, and its
 * gradients add up. Hard-negative entries may be {@code -1} where a query has fewer than {@code H}.
 *
 * <p>Confined to the backend's thread; host buffers and workspaces grow to the largest batch, then are
 * reused (the {@code B x C} score tensor is reallocated when the batch's shape changes). Cost: {@code 2·B·C·d} flops for the scores and {@code 4·B·C·d} for the gradients, plus
 * {@code O(B·C)} host work and two {@code B x C} transfers.
 */
public final class SampledRankingLoss {

    private final Backend backend;
    private final RankingLossKind kind;
    private final float margin;
    private final float temperature;
    private final boolean inBatchNegatives;
    private final Workspace queryIndex;
    private final Workspace candidateIndex;
    private final Workspace queries;
    private final Workspace candidates;
    private Tensor scores;
    private final Workspace dQueries;
    private final Workspace dCandidates;
    private int[] candidateRows = new int[0];
    private float[] hostScores = new float[0];
    private double[] rowLoss = new double[0];

    /**
     * @param dim         width of the embeddings
     * @param margin      Δ of {@link RankingLossKind#MARGIN}
     * @param temperature τ of {@link RankingLossKind#SOFTMAX}, {@code > 0}
     * @throws IllegalArgumentException naming {@code temperature=} or {@code margin=} when not finite and in range
     */
    public SampledRankingLoss(Backend backend, int dim, RankingLossKind kind, float margin, float temperature,
                              boolean inBatchNegatives) {
        if (!(temperature > 0) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature=" + temperature + " (expected a finite value > 0)");
        }
        if (!Float.isFinite(margin)) {
            throw new IllegalArgumentException("margin=" + margin + " (expected a finite value)");
        }
        this.backend = backend;
        this.kind = kind;
        this.margin = margin;
        this.temperature = temperature;
        this.inBatchNegatives = inBatchNegatives;
        queryIndex = new Workspace(backend, "rankingLoss.queryRows", 1);
        candidateIndex = new Workspace(backend, "rankingLoss.candidateRows", 1);
        queries = new Workspace(backend, "rankingLoss.queries", dim);
        candidates = new Workspace(backend, "rankingLoss.candidates", dim);
        dQueries = new Workspace(backend, "rankingLoss.queries.grad", dim);
        dCandidates = new Workspace(backend, "rankingLoss.candidates.grad", dim);
    }

    /**
     * Computes the loss and overwrites {@code dz} (same shape as {@code z}) with its gradient.
     *
     * @param queryRows    {@code B} rows of {@code z}
     * @param positiveRows {@code B} rows, the positive of each query
     * @param sharedRows   {@code S} rows shared by every query
     * @param hardRows     {@code B·hardPerQuery} rows, query-major, {@code -1} for none
     * @return the mean loss over the queries (NaN or infinite when {@code z} is)
     * @throws IllegalArgumentException if the row arrays disagree in length, name a row outside {@code z}, or a
     *                                  query has no negative at all
     */
    public double compute(Tensor z, int[] queryRows, int[] positiveRows, int[] sharedRows, int[] hardRows,
                          int hardPerQuery, Tensor dz) {
        int b = queryRows.length;
        int s = sharedRows.length;
        int h = hardPerQuery;
        if (positiveRows.length != b || b == 0 || h < 0 || hardRows.length != b * h) {
            throw new IllegalArgumentException("ranking loss: queries=" + b + " positives=" + positiveRows.length
                    + " hardRows=" + hardRows.length + " hardPerQuery=" + h
                    + " (expected as many positives as queries, at least one, and queries x hardPerQuery hard rows)");
        }
        if (s == 0 && h == 0 && !(inBatchNegatives && b > 1)) {
            throw new IllegalArgumentException("ranking loss: sharedNegatives=0 hardPerQuery=0 inBatchNegatives="
                    + inBatchNegatives + " with " + b + " queries: no query has a negative");
        }
        int c = b + s + b * h;
        if (candidateRows.length < c) {
            candidateRows = new int[c];
        }
        System.arraycopy(positiveRows, 0, candidateRows, 0, b);
        System.arraycopy(sharedRows, 0, candidateRows, b, s);
        for (int i = 0; i < b * h; i++) {
            // A missing hard negative still needs a valid row to gather; its column is masked out below.
            candidateRows[b + s + i] = Math.max(0, hardRows[i]);
        }
        checkRows(queryRows, b, z, "query");
        checkRows(candidateRows, c, z, "candidate");
        IndexBuffer qIdx = queryIndex.ints(b);
        backend.upload(queryRows, 0, qIdx);
        IndexBuffer cIdx = candidateIndex.ints(c);
        backend.upload(candidateRows, 0, cIdx);
        Tensor q = queries.rows(b);
        backend.gatherRows(z, qIdx, q);
        Tensor cand = candidates.rows(c);
        backend.gatherRows(z, cIdx, cand);
        Tensor sc = scoresTensor(b, c);
        backend.gemm(false, true, 1f, q, cand, 0f, sc);
        if (hostScores.length < b * c) {
            hostScores = new float[b * c];
        }
        backend.download(sc, hostScores, 0);
        if (rowLoss.length < b) {
            rowLoss = new double[b];
        }
        float[] g = hostScores;
        double[] perRow = rowLoss;
        IntStream.range(0, b).parallel().forEach(i -> perRow[i] = kind == RankingLossKind.MARGIN
                ? marginRow(g, i, b, s, h, c, hardRows) : softmaxRow(g, i, b, s, h, c, hardRows));
        double total = 0;
        for (int i = 0; i < b; i++) {
            total += perRow[i];
        }
        float scale = 1f / b;
        for (int i = 0; i < b * c; i++) {
            g[i] *= scale;
        }
        backend.upload(g, 0, sc);
        Tensor dq = dQueries.rows(b);
        backend.gemm(false, false, 1f, sc, cand, 0f, dq);
        Tensor dc = dCandidates.rows(c);
        backend.gemm(true, false, 1f, sc, q, 0f, dc);
        backend.fill(dz, 0f);
        backend.scatterAddRows(dq, qIdx, dz);
        backend.scatterAddRows(dc, cIdx, dz);
        return total / b;
    }

    private Tensor scoresTensor(int b, int c) {
        // The column count changes with the negatives, so this cannot be a row-grown workspace; a batch of
        // the usual shape reuses the tensor, and only a shape change (an epoch's short last batch, a new
        // hard-negative count) reallocates it.
        if (scores == null || scores.rows() != b || scores.cols() != c) {
            if (scores != null) {
                scores.close();
            }
            scores = backend.allocate("rankingLoss.scores", b, c);
        }
        return scores;
    }

    private static void checkRows(int[] rows, int n, Tensor z, String role) {
        for (int i = 0; i < n; i++) {
            if (rows[i] < 0 || rows[i] >= z.rows()) {
                throw new IllegalArgumentException("ranking loss: " + role + " row[" + i + "]=" + rows[i]
                        + " outside " + Tensor.describe(z));
            }
        }
    }

    private boolean isNegative(int i, int col, int b, int s, int h, int[] hardRows) {
        if (col < b) {
            return inBatchNegatives && col != i;
        }
        if (col < b + s) {
            return true;
        }
        int hard = col - b - s;
        return hard / h == i && hardRows[hard] >= 0;
    }

    /** Replaces row {@code i} of the scores with {@code ∂l_i/∂score} and returns {@code l_i}. */
    private double marginRow(float[] g, int i, int b, int s, int h, int c, int[] hardRows) {
        int base = i * c;
        float pos = g[base + i];
        int negatives = 0;
        for (int col = 0; col < c; col++) {
            if (isNegative(i, col, b, s, h, hardRows)) {
                negatives++;
            }
        }
        if (negatives == 0) {
            throw new IllegalArgumentException("ranking loss: query " + i + " has no negative");
        }
        float w = 1f / negatives;
        double loss = 0;
        float dPos = 0;
        for (int col = 0; col < c; col++) {
            float d = 0;
            if (isNegative(i, col, b, s, h, hardRows)) {
                float v = g[base + col] - pos + margin;
                if (v > 0) {
                    loss += v;
                    d = w;
                    dPos -= w;
                }
            }
            if (col != i) {
                g[base + col] = d;
            }
        }
        g[base + i] = dPos;
        return loss * w;
    }

    /** As {@link #marginRow} for the sampled softmax. */
    private double softmaxRow(float[] g, int i, int b, int s, int h, int c, int[] hardRows) {
        int base = i * c;
        float inv = 1f / temperature;
        double max = g[base + i] * inv;
        boolean any = false;
        for (int col = 0; col < c; col++) {
            if (isNegative(i, col, b, s, h, hardRows)) {
                max = Math.max(max, g[base + col] * inv);
                any = true;
            }
        }
        if (!any) {
            throw new IllegalArgumentException("ranking loss: query " + i + " has no negative");
        }
        double sum = 0;
        for (int col = 0; col < c; col++) {
            if (col == i || isNegative(i, col, b, s, h, hardRows)) {
                sum += StrictMath.exp(g[base + col] * inv - max);
            }
        }
        double logSum = max + StrictMath.log(sum);
        double loss = logSum - g[base + i] * inv;
        for (int col = 0; col < c; col++) {
            double p = col == i || isNegative(i, col, b, s, h, hardRows) ? StrictMath.exp(g[base + col] * inv - logSum) : 0;
            g[base + col] = (float) ((col == i ? p - 1 : p) * inv);
        }
        return loss;
    }
}
