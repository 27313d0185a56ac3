package io.pinsage.nn.model;

import io.pinsage.nn.backend.Activation;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensor;

/**
 * The ranking loss of a minibatch of (query, positive) pairs on the model's output rows {@code z}, with its
 * gradient {@code ∂L/∂z}, for either {@link RankingLossKind}. Each query {@code b} ranks its positive against
 * a negative set made of the {@code S} negatives the whole batch shares, optionally the other queries'
 * positives (in-batch negatives: free, their embeddings are computed anyway) and its own {@code H} hard
 * negatives. The loss is the mean over queries; a query's margin loss is the mean over its negatives.
 *
 * <h2>How it runs</h2>
 * Built from {@link Backend} operations, so every backend runs it, and it stays on the device: the query rows and
 * the candidate block {@code [positives ; shared negatives ; hard negatives]} ({@code C = B + S + B·H} rows) are
 * gathered, one GEMM gives the {@code B x C} scores, {@link Backend#rankingLossRows} turns each query's row into its
 * loss and, in place, its gradient with respect to the scores (scaled by {@code 1/B}), and two GEMMs and two
 * scatter-adds carry it back to {@code dz}. Only the row indices travel to the device, and only the {@code B} row
 * losses come back, when {@link #loss()} asks for them: {@link #issue} never waits for the device, so a training
 * step can issue its backward pass behind the loss. A hard-negative column is scored by every query but counts only
 * for its own (masked elsewhere): {@code B·H} extra dot products per query, cheap for the few hard negatives PinSage
 * uses.
 *
 * <p>Rows are positions among the graph's outputs; a row may serve in several roles and pairs, and its
 * gradients add up. Hard-negative entries may be {@code -1} where a query has fewer than {@code H}.
 *
 * <p>Confined to the backend's thread; host buffers and workspaces grow to the largest batch, then are
 * reused (the {@code B x C} score tensor is reallocated when the batch's shape changes). Cost: {@code 2·B·C·d} flops
 * for the scores and {@code 4·B·C·d} for the gradients, plus {@code O(B·C)} for the rows.
 */
public final class SampledRankingLoss {

    private final Backend backend;
    private final RankingLossKind kind;
    private final float margin;
    private final float temperature;
    private final boolean inBatchNegatives;
    private final Workspace queryIndex;
    private final Workspace candidateIndex;
    private final Workspace hardIndex;
    private final Workspace queries;
    private final Workspace candidates;
    private final Workspace rowLosses;
    private Tensor scores;
    private CandidateCounts correction;
    private Tensor columnBias;
    private float[] biasHost = new float[0];
    private final Workspace dQueries;
    private final Workspace dCandidates;
    private int[] candidateRows = new int[0];
    private float[] hostLosses = new float[0];
    /** Queries of the last {@link #issue}, or 0 when its loss has been read (or nothing was issued). */
    private int pending;
    private double lastLoss = Double.NaN;
    private boolean issued;

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
        hardIndex = new Workspace(backend, "rankingLoss.hardRows", 1);
        queries = new Workspace(backend, "rankingLoss.queries", dim);
        candidates = new Workspace(backend, "rankingLoss.candidates", dim);
        rowLosses = new Workspace(backend, "rankingLoss.rowLoss", 1);
        dQueries = new Workspace(backend, "rankingLoss.queries.grad", dim);
        dCandidates = new Workspace(backend, "rankingLoss.candidates.grad", dim);
    }

    /** How often each node is expected among the candidate columns of one batch, for {@link #correctedBy}. */
    @FunctionalInterface
    public interface CandidateCounts {
        /** The log of the expected number of {@code node}'s columns among one batch's candidates; finite. */
        float logExpectedCount(int node);
    }

    /**
     * Corrects the softmax for how its candidates were drawn (the sampling-bias, or logQ, correction): each column's
     * score is lowered by {@code τ · counts.logExpectedCount(node)} before the softmax, so a node that is drawn often
     * (the other queries' positives, drawn by popularity) is not pushed down more than a softmax over every node
     * would push it. The gradient is that of the corrected scores; inference scores are not corrected. Every
     * {@link #issue} then needs the nodes of {@code z}'s rows.
     *
     * @return this loss
     * @throws IllegalArgumentException if the loss is not {@link RankingLossKind#SOFTMAX} (the margin loss compares
     *                                  each negative with the positive alone, where no such bias arises)
     */
    public SampledRankingLoss correctedBy(CandidateCounts counts) {
        if (counts != null && kind != RankingLossKind.SOFTMAX) {
            throw new IllegalArgumentException("loss=" + kind + ": the candidate-count correction is for the SOFTMAX loss");
        }
        this.correction = counts;
        return this;
    }

    /**
     * Computes the loss and overwrites {@code dz} (same shape as {@code z}) with its gradient: {@link #issue}, then
     * {@link #loss()}.
     *
     * @return the mean loss over the queries (NaN or infinite when {@code z} is)
     * @throws IllegalArgumentException as {@link #issue}
     */
    public double compute(Tensor z, int[] queryRows, int[] positiveRows, int[] sharedRows, int[] hardRows,
                          int hardPerQuery, Tensor dz) {
        issue(z, queryRows, positiveRows, sharedRows, hardRows, hardPerQuery, dz);
        return loss();
    }

    /**
     * Issues the loss and its gradient: overwrites {@code dz} (same shape as {@code z}) with {@code ∂L/∂z} without
     * waiting for the device. The loss itself is read by {@link #loss()}.
     *
     * @param queryRows    {@code B} rows of {@code z}
     * @param positiveRows {@code B} rows, the positive of each query
     * @param sharedRows   {@code S} rows shared by every query
     * @param hardRows     {@code B·hardPerQuery} rows, query-major, {@code -1} for none
     * @throws IllegalArgumentException if the row arrays disagree in length, name a row outside {@code z}, or a
     *                                  query has no negative at all (checked on the host before anything is issued)
     */
    public void issue(Tensor z, int[] queryRows, int[] positiveRows, int[] sharedRows, int[] hardRows,
                      int hardPerQuery, Tensor dz) {
        issue(z, null, queryRows, positiveRows, sharedRows, hardRows, hardPerQuery, dz);
    }

    /**
     * As above, with the node of each row of {@code z} ({@code rowNodes[r]} for row {@code r}), which a loss
     * {@link #correctedBy corrected} by candidate counts needs; null otherwise.
     *
     * @throws IllegalArgumentException as above, or if the loss is corrected and {@code rowNodes} is null or shorter
     *                                  than {@code z}
     */
    public void issue(Tensor z, int[] rowNodes, int[] queryRows, int[] positiveRows, int[] sharedRows, int[] hardRows,
                      int hardPerQuery, Tensor dz) {
        pending = 0;
        issued = false;
        if (correction != null && (rowNodes == null || rowNodes.length < z.rows())) {
            throw new IllegalArgumentException("ranking loss: corrected by candidate counts, it needs the node of each of the "
                    + z.rows() + " rows (got " + (rowNodes == null ? "none" : rowNodes.length + "") + ")");
        }
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
        if (s == 0 && !(inBatchNegatives && b > 1)) {
            checkEveryQueryHasAHardNegative(hardRows, b, h);
        }
        int c = b + s + b * h;
        if (candidateRows.length < c) {
            candidateRows = new int[c];
        }
        System.arraycopy(positiveRows, 0, candidateRows, 0, b);
        System.arraycopy(sharedRows, 0, candidateRows, b, s);
        for (int i = 0; i < b * h; i++) {
            // A missing hard negative still needs a valid row to gather; its column is masked out by the rows.
            candidateRows[b + s + i] = Math.max(0, hardRows[i]);
        }
        checkRows(queryRows, b, z, "query");
        checkRows(candidateRows, c, z, "candidate");
        IndexBuffer qIdx = queryIndex.ints(b);
        backend.upload(queryRows, 0, qIdx);
        IndexBuffer cIdx = candidateIndex.ints(c);
        backend.upload(candidateRows, 0, cIdx);
        IndexBuffer hIdx = null;
        if (b * h > 0) {
            hIdx = hardIndex.ints(b * h);
            backend.upload(hardRows, 0, hIdx);
        }
        Tensor q = queries.rows(b);
        backend.gatherRows(z, qIdx, q);
        Tensor cand = candidates.rows(c);
        backend.gatherRows(z, cIdx, cand);
        Tensor sc = scoresTensor(b, c);
        backend.gemm(false, true, 1f, q, cand, 0f, sc);
        if (correction != null) {
            backend.biasActivation(sc, candidateBias(rowNodes, c), Activation.NONE, sc);
        }
        Tensor perQuery = rowLosses.rows(b);
        backend.rankingLossRows(kind, margin, temperature, inBatchNegatives, s, hIdx, h, 1f / b, sc, perQuery);
        Tensor dq = dQueries.rows(b);
        backend.gemm(false, false, 1f, sc, cand, 0f, dq);
        Tensor dc = dCandidates.rows(c);
        backend.gemm(true, false, 1f, sc, q, 0f, dc);
        backend.fill(dz, 0f);
        backend.scatterAddRows(dq, qIdx, dz);
        backend.scatterAddRows(dc, cIdx, dz);
        pending = b;
        issued = true;
    }

    /**
     * The mean loss over the queries of the last {@link #issue}: the first call after it waits for the device and
     * reads the {@code B} row losses back (summed on the host in query order, so the value is the same from run to
     * run); later calls return the same value. NaN or infinite when {@code z} was.
     *
     * @throws IllegalStateException if nothing has been issued, or the last {@link #issue} threw
     */
    public double loss() {
        if (!issued) {
            throw new IllegalStateException("ranking loss: nothing issued yet");
        }
        if (pending > 0) {
            int b = pending;
            if (hostLosses.length < b) {
                hostLosses = new float[b];
            }
            backend.download(rowLosses.rows(b), hostLosses, 0);
            double total = 0;
            for (int i = 0; i < b; i++) {
                total += hostLosses[i];
            }
            lastLoss = total / b;
            pending = 0;
        }
        return lastLoss;
    }

    /** {@code 1 x c}: minus τ times the log expected count of each candidate column's node. */
    private Tensor candidateBias(int[] rowNodes, int c) {
        if (biasHost.length < c) {
            biasHost = new float[c];
        }
        for (int j = 0; j < c; j++) {
            float log = correction.logExpectedCount(rowNodes[candidateRows[j]]);
            if (!Float.isFinite(log)) {
                throw new IllegalArgumentException("ranking loss: log expected count " + log + " of node "
                        + rowNodes[candidateRows[j]] + " (expected finite)");
            }
            biasHost[j] = -temperature * log;
        }
        if (columnBias == null || columnBias.cols() != c) {
            if (columnBias != null) {
                columnBias.close();
            }
            columnBias = backend.allocate("rankingLoss.candidateBias", 1, c);
        }
        backend.upload(biasHost, 0, columnBias);
        return columnBias;
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

    private static void checkEveryQueryHasAHardNegative(int[] hardRows, int b, int h) {
        for (int i = 0; i < b; i++) {
            boolean any = false;
            for (int k = 0; k < h && !any; k++) {
                any = hardRows[i * h + k] >= 0;
            }
            if (!any) {
                throw new IllegalArgumentException("ranking loss: query " + i + " has no negative (no shared or"
                        + " in-batch negatives, and all its " + h + " hard rows are -1)");
            }
        }
    }

    private static void checkRows(int[] rows, int n, Tensor z, String role) {
        for (int i = 0; i < n; i++) {
            if (rows[i] < 0 || rows[i] >= z.rows()) {
                throw new IllegalArgumentException("ranking loss: " + role + " row[" + i + "]=" + rows[i]
                        + " outside " + Tensor.describe(z));
            }
        }
    }
}
