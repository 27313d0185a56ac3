package io.pinsage.engine.eval;

import java.util.Locale;

/**
 * Result of the full-ranking protocol at cut-off {@code k}: recall and NDCG (binary relevance, ideal DCG over
 * {@code min(|test|, k)} positions) averaged over the {@code users} users that have at least one test item.
 */
public record RankingMetrics(int k, double recall, double ndcg, int users) {

    /** The line {@code recall@K=R ndcg@K=N} with four decimals, as the {@code evaluate} command prints it. */
    public String summaryLine() {
        return String.format(Locale.ROOT, "recall@%d=%.4f ndcg@%d=%.4f", k, recall, k, ndcg);
    }
}
