package io.pinsage.engine.eval;

/**
 * Scores candidates for one query: the model side of the pair-ranking protocol ({@link PairRankingEvaluator}).
 * Must be safe to call from several threads at once, each with its own output array.
 */
@FunctionalInterface
public interface PairScorer {

    /** Writes the score of {@code candidates[i]} for {@code query} into {@code out[i]}, {@code i < count}; higher is better. */
    void score(int query, int[] candidates, int count, float[] out);
}
