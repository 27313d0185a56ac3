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

    /*
     * Row i's negatives are columns [first, b + s) other than i (first = 0 with in-batch negatives, else b) and the
     * valid columns of its own hard block [b + s + i·h, b + s + (i + 1)·h); column i is its positive. The row
     * passes below visit only those columns, so the other queries' hard blocks (b·h columns, most of a row once
     * hard negatives are on) cost one fill, not a test each.
     */

    private int firstNegative(int b) {
        return inBatchNegatives ? 0 : b;
    }

    private static int negatives(int i, int first, int b, int s, int h, int[] hardRows) {
        int n = b + s - first - (i >= first ? 1 : 0);
        for (int k = 0; k < h; k++) {
            if (hardRows[i * h + k] >= 0) {
                n++;
            }
        }
        return n;
    }

    /** Zeroes the columns of row {@code i} that are neither its positive nor one of its negatives. */
    private static void zeroOthers(float[] g, int base, int i, int first, int b, int s, int h, int c, int[] hardRows) {
        if (first > 0) {
            java.util.Arrays.fill(g, base, base + i, 0f);
            java.util.Arrays.fill(g, base + i + 1, base + first, 0f);
        }
        int own = b + s + i * h;
        java.util.Arrays.fill(g, base + b + s, base + own, 0f);
        java.util.Arrays.fill(g, base + own + h, base + c, 0f);
        for (int k = 0; k < h; k++) {
            if (hardRows[i * h + k] < 0) {
                g[base + own + k] = 0f;
            }
        }
    }

    /** Replaces row {@code i} of the scores with {@code ∂l_i/∂score} and returns {@code l_i}. */
    private double marginRow(float[] g, int i, int b, int s, int h, int c, int[] hardRows) {
        int base = i * c;
        int first = firstNegative(b);
        int negatives = negatives(i, first, b, s, h, hardRows);
        if (negatives == 0) {
            throw new IllegalArgumentException("ranking loss: query " + i + " has no negative");
        }
        float pos = g[base + i];
        float w = 1f / negatives;
        double loss = 0;
        float dPos = 0;
        for (int col = first; col < b + s; col++) {
            if (col != i) {
                float v = g[base + col] - pos + margin;
                boolean active = v > 0;
                loss += active ? v : 0;
                dPos -= active ? w : 0;
                g[base + col] = active ? w : 0;
            }
        }
        int own = b + s + i * h;
        for (int k = 0; k < h; k++) {
            if (hardRows[i * h + k] >= 0) {
                float v = g[base + own + k] - pos + margin;
                boolean active = v > 0;
                loss += active ? v : 0;
                dPos -= active ? w : 0;
                g[base + own + k] = active ? w : 0;
            }
        }
        zeroOthers(g, base, i, first, b, s, h, c, hardRows);
        g[base + i] = dPos;
        return loss * w;
    }

    /**
     * As {@link #marginRow} for the sampled softmax: one {@link StrictMath#exp} per candidate, its value kept in
     * the row until the sum is known.
     */
    private double softmaxRow(float[] g, int i, int b, int s, int h, int c, int[] hardRows) {
        int base = i * c;
        int first = firstNegative(b);
        if (negatives(i, first, b, s, h, hardRows) == 0) {
            throw new IllegalArgumentException("ranking loss: query " + i + " has no negative");
        }
        float inv = 1f / temperature;
        int own = b + s + i * h;
        double pos = g[base + i] * inv;
        double max = pos;
        for (int col = first; col < b + s; col++) {
            max = Math.max(max, g[base + col] * inv);
        }
        for (int k = 0; k < h; k++) {
            if (hardRows[i * h + k] >= 0) {
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
            if (hardRows[i * h + k] >= 0) {
                double e = StrictMath.exp(g[base + own + k] * inv - max);
                sum += e;
                g[base + own + k] = (float) e;
            }
        }
        double loss = max + StrictMath.log(sum) - pos;
        double scale = inv / sum;
        for (int col = first; col < b + s; col++) {
            g[base + col] = (float) (g[base + col] * scale);
        }
        for (int k = 0; k < h; k++) {
            if (hardRows[i * h + k] >= 0) {
                g[base + own + k] = (float) (g[base + own + k] * scale);
            }
        }
        zeroOthers(g, base, i, first, b, s, h, c, hardRows);
        g[base + i] = (float) ((ePos / sum - 1) * inv);
        return loss;
    }
}
