package io.pinsage.engine.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PairRankingEvaluatorTest {

    @Test
    void shouldRankTheBestPositiveFirstAndTheWorstLast() {
        // Query 1's positive outscores everything; query 2's positive scores below every candidate.
        PairScorer scorer = (query, candidates, count, out) -> {
            for (int i = 0; i < count; i++) {
                out[i] = candidates[i] == 50 ? (query == 1 ? 1e9f : -1e9f) : candidates[i];
            }
        };
        PairRankingMetrics m = new PairRankingEvaluator(10, 100, 3, 2).evaluate(scorer, new int[] {1, 2}, new int[] {50, 50}, 0, 1000);
        assertEquals(0.5, m.hitRate(), 1e-12);
        assertEquals((1.0 + 1.0 / 101) / 2, m.mrr(), 1e-12);
        assertEquals("hit@10=0.5000 mrr=0.5050", m.summaryLine());
    }

    @Test
    void shouldCountTiesAgainstTheModel() {
        PairScorer constant = (query, candidates, count, out) -> java.util.Arrays.fill(out, 0, count, 1f);
        PairRankingMetrics m = new PairRankingEvaluator(5, 20, 1, 1).evaluate(constant, new int[] {0}, new int[] {1}, 0, 100);
        assertEquals(0.0, m.hitRate(), 1e-12);
        assertEquals(1.0 / 21, m.mrr(), 1e-12);
    }

    @Test
    void shouldRejectAPoolLargerThanTheCandidates() {
        PairScorer any = (query, candidates, count, out) -> { };
        assertThrows(IllegalArgumentException.class,
                () -> new PairRankingEvaluator(5, 100, 1, 1).evaluate(any, new int[] {0}, new int[] {1}, 0, 50));
    }
}
