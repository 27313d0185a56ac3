package io.pinsage.engine.eval;

import java.util.Locale;

/**
 * Result of the pair-ranking protocol over {@code pairs} held-out (query, positive) pairs, each ranked among
 * {@code poolSize} candidates: the hit rate at {@code k} (positive ranked within the top k) and the mean
 * reciprocal rank (plain 1/rank; the PinSage paper's scaled MRR divides ranks by 100 first).
 */
public record PairRankingMetrics(int k, double hitRate, double mrr, int pairs, int poolSize) {

    /** {@code hit@K=H mrr=M} with four decimals. */
    public String summaryLine() {
        return String.format(Locale.ROOT, "hit@%d=%.4f mrr=%.4f", k, hitRate, mrr);
    }
}
