package io.pinsage.nn.model;

import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Reference;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loss and its gradient against a direct double-precision evaluation and central differences. */
class SampledRankingLossTest extends SeededCpuTest {

    private static final int ROWS = 9;
    private static final int DIM = 5;
    private static final int[] QUERIES = {0, 1, 2};
    // row 3 is the positive of two queries, row 1 is a query and a shared negative, row 5 is shared and hard
    private static final int[] POSITIVES = {3, 3, 4};
    private static final int[] SHARED = {5, 1};
    private static final int[] HARD = {6, 5, 7, -1, 8, 0};
    private static final float MARGIN = 0.6f;
    private static final float TAU = 0.7f;

    @Test
    void shouldMatchFiniteDifferencesForSoftmaxWithInBatchAndHardNegatives() {
        check(RankingLossKind.SOFTMAX, true, HARD, 2);
    }

    @Test
    void shouldMatchFiniteDifferencesForSoftmaxWithSharedNegativesOnly() {
        check(RankingLossKind.SOFTMAX, false, new int[0], 0);
    }

    @Test
    void shouldMatchFiniteDifferencesForMarginWithInBatchAndHardNegatives() {
        check(RankingLossKind.MARGIN, true, HARD, 2);
    }

    @Test
    void shouldMatchFiniteDifferencesForMarginWithoutInBatchNegatives() {
        check(RankingLossKind.MARGIN, false, HARD, 2);
    }

    /** Row r of z is node 100 + 3r; each node's log expected count is drawn per test. */
    @Test
    void shouldMatchFiniteDifferencesForSoftmaxCorrectedByCandidateCounts() {
        double[] logCount = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            logCount[r] = (float) (2 * random.nextGaussian());
        }
        check(RankingLossKind.SOFTMAX, true, HARD, 2, logCount);
        check(RankingLossKind.SOFTMAX, false, new int[0], 0, logCount);
    }

    /** A count that is the same for every node shifts every score alike: the softmax, and so the loss, is unchanged. */
    @Test
    void shouldLeaveTheLossAsItIsWhenEveryNodeIsAsLikelyACandidate() {
        double[] z = new double[ROWS * DIM];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (0.7 * random.nextGaussian());
        }
        Tensor zt = Tensors.of(backend, "z", ROWS, DIM, Reference.toFloat(z));
        Tensor dz = backend.allocate("dz", ROWS, DIM);
        double plain = new SampledRankingLoss(backend, DIM, RankingLossKind.SOFTMAX, MARGIN, TAU, true)
                .compute(zt, QUERIES, POSITIVES, SHARED, HARD, 2, dz);
        SampledRankingLoss same = new SampledRankingLoss(backend, DIM, RankingLossKind.SOFTMAX, MARGIN, TAU, true)
                .correctedBy(node -> 3.5f);
        same.issue(zt, nodes(), QUERIES, POSITIVES, SHARED, HARD, 2, dz);
        assertEquals(plain, same.loss(), 1e-5, seedTag());
    }

    @Test
    void shouldRefuseACorrectionOfTheMarginLossAndABatchWithoutItsRowsNodes() {
        SampledRankingLoss margin = new SampledRankingLoss(backend, DIM, RankingLossKind.MARGIN, MARGIN, TAU, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> margin.correctedBy(node -> 0f));
        assertEquals("loss=MARGIN: the candidate-count correction is for the SOFTMAX loss", e.getMessage());
        SampledRankingLoss corrected = new SampledRankingLoss(backend, DIM, RankingLossKind.SOFTMAX, MARGIN, TAU, true)
                .correctedBy(node -> 0f);
        Tensor z = backend.allocate("z", ROWS, DIM);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> corrected.issue(z, QUERIES,
                POSITIVES, SHARED, new int[0], 0, backend.allocate("dz", ROWS, DIM)));
        assertEquals("ranking loss: corrected by candidate counts, it needs the node of each of the 9 rows (got none)",
                none.getMessage());
    }

    @Test
    void shouldRejectABatchWithoutNegatives() {
        SampledRankingLoss loss = new SampledRankingLoss(backend, DIM, RankingLossKind.SOFTMAX, MARGIN, TAU, false);
        Tensor z = backend.allocate("z", ROWS, DIM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.compute(z, QUERIES,
                POSITIVES, new int[0], new int[0], 0, backend.allocate("dz", ROWS, DIM)));
        assertTrue(e.getMessage().contains("no query has a negative"), e.getMessage());
    }

    @Test
    void shouldRejectAQueryWhoseOnlyNegativesAreMissingHardRows() {
        SampledRankingLoss loss = new SampledRankingLoss(backend, DIM, RankingLossKind.MARGIN, MARGIN, TAU, false);
        Tensor z = backend.allocate("z", ROWS, DIM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.issue(z, QUERIES,
                POSITIVES, new int[0], new int[] {6, -1, -1}, 1, backend.allocate("dz", ROWS, DIM)));
        assertTrue(e.getMessage().contains("query 1 has no negative"), e.getMessage());
        assertThrows(IllegalStateException.class, loss::loss, "nothing was issued");
        loss.issue(z, QUERIES, POSITIVES, SHARED, new int[0], 0, backend.allocate("dz", ROWS, DIM));
        loss.loss();
        assertThrows(IllegalArgumentException.class, () -> loss.issue(z, QUERIES, POSITIVES, new int[0],
                new int[] {6, -1, -1}, 1, backend.allocate("dz", ROWS, DIM)));
        assertThrows(IllegalStateException.class, loss::loss, "the last issue threw: no stale loss");
    }

    @Test
    void shouldReadTheLossOnceAndKeepItUntilTheNextIssue() {
        double[] z = new double[ROWS * DIM];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (0.7 * random.nextGaussian());
        }
        Tensor zt = Tensors.of(backend, "z", ROWS, DIM, Reference.toFloat(z));
        Tensor dz = backend.allocate("dz", ROWS, DIM);
        SampledRankingLoss head = new SampledRankingLoss(backend, DIM, RankingLossKind.SOFTMAX, MARGIN, TAU, true);
        head.issue(zt, QUERIES, POSITIVES, SHARED, HARD, 2, dz);
        double first = head.loss();
        assertEquals(reference(z, RankingLossKind.SOFTMAX, true, HARD, 2, null), first, 1e-5, seedTag() + "loss");
        assertEquals(first, head.loss(), seedTag() + "a second read");
        head.issue(zt, QUERIES, POSITIVES, SHARED, new int[0], 0, dz);
        assertEquals(reference(z, RankingLossKind.SOFTMAX, true, new int[0], 0, null), head.loss(), 1e-5,
                seedTag() + "the next batch's loss");
    }

    @Test
    void shouldNameARowOutsideTheEmbeddings() {
        SampledRankingLoss loss = new SampledRankingLoss(backend, DIM, RankingLossKind.MARGIN, MARGIN, TAU, true);
        Tensor z = backend.allocate("z", ROWS, DIM);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.compute(z, QUERIES,
                new int[] {3, ROWS, 4}, SHARED, new int[0], 0, backend.allocate("dz", ROWS, DIM)));
        assertTrue(e.getMessage().contains("candidate row[1]=" + ROWS), e.getMessage());
    }

    private void check(RankingLossKind kind, boolean inBatch, int[] hard, int h) {
        check(kind, inBatch, hard, h, null);
    }

    /** Row r's node: 100 + 3r. */
    private static int[] nodes() {
        int[] n = new int[ROWS];
        for (int r = 0; r < ROWS; r++) {
            n[r] = 100 + 3 * r;
        }
        return n;
    }

    /** @param logCount null, or the log expected count of row r's node, by row */
    private void check(RankingLossKind kind, boolean inBatch, int[] hard, int h, double[] logCount) {
        double[] z = new double[ROWS * DIM];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (0.7 * random.nextGaussian());
        }
        Tensor zt = Tensors.of(backend, "z", ROWS, DIM, Reference.toFloat(z));
        Tensor dz = backend.allocate("dz", ROWS, DIM);
        SampledRankingLoss head = new SampledRankingLoss(backend, DIM, kind, MARGIN, TAU, inBatch);
        if (logCount != null) {
            head.correctedBy(node -> (float) logCount[(node - 100) / 3]);
        }
        // Twice: the second call reuses every buffer and must give the same answer.
        head.issue(zt, nodes(), QUERIES, POSITIVES, SHARED, hard, h, dz);
        head.loss();
        head.issue(zt, nodes(), QUERIES, POSITIVES, SHARED, hard, h, dz);
        double loss = head.loss();
        assertEquals(reference(z, kind, inBatch, hard, h, logCount), loss, 1e-5, seedTag() + kind + " loss");
        double[] numeric = Reference.numericGradient(v -> reference(v, kind, inBatch, hard, h, logCount), z, 1e-6);
        float[] analytic = Tensors.toArray(dz);
        for (int i = 0; i < numeric.length; i++) {
            assertEquals(numeric[i], analytic[i], 1e-3 * (1 + Math.abs(numeric[i])), seedTag() + kind + " dz[" + i + "]");
        }
    }

    /** The loss straight from its definition, in double precision. */
    private static double reference(double[] z, RankingLossKind kind, boolean inBatch, int[] hard, int h, double[] logCount) {
        int b = QUERIES.length;
        double total = 0;
        for (int i = 0; i < b; i++) {
            java.util.List<Integer> negatives = new java.util.ArrayList<>();
            for (int j = 0; j < b; j++) {
                if (inBatch && j != i) {
                    negatives.add(POSITIVES[j]);
                }
            }
            for (int s : SHARED) {
                negatives.add(s);
            }
            for (int k = 0; k < h; k++) {
                if (hard[i * h + k] >= 0) {
                    negatives.add(hard[i * h + k]);
                }
            }
            double pos = dot(z, QUERIES[i], POSITIVES[i]);
            if (kind == RankingLossKind.MARGIN) {
                double l = 0;
                for (int n : negatives) {
                    l += Math.max(0, dot(z, QUERIES[i], n) - pos + MARGIN);
                }
                total += l / negatives.size();
            } else {
                double posLogit = pos / TAU - (logCount == null ? 0 : logCount[POSITIVES[i]]);
                double sum = Math.exp(posLogit);
                for (int n : negatives) {
                    sum += Math.exp(dot(z, QUERIES[i], n) / TAU - (logCount == null ? 0 : logCount[n]));
                }
                total += Math.log(sum) - posLogit;
            }
        }
        return total / b;
    }

    private static double dot(double[] z, int a, int b) {
        double s = 0;
        for (int j = 0; j < DIM; j++) {
            s += z[a * DIM + j] * z[b * DIM + j];
        }
        return s;
    }
}
