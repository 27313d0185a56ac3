package io.pinsage.engine.eval;

/**
 * Scores every item for a block of users: the model side of the full-ranking protocol
 * ({@link FullRankingEvaluator}).
 *
 * <p>Threading: {@link #score} is called concurrently from several evaluator threads, each with its own
 * output buffer; implementations must be safe for that (typically read-only after construction).
 */
public interface ItemScorer {

    /** Number of items; ids are {@code [0, itemCount())}. */
    int itemCount();

    /**
     * How many items the evaluator should ask for per call: small chunks keep a block of scores in cache for
     * embedding scorers, while scorers that produce a whole row at once (walk counts) want
     * {@link #itemCount()}.
     */
    int preferredItemChunk();

    /**
     * Writes the scores of items {@code [itemFrom, itemTo)} for {@code users[0..userCount)} into {@code out},
     * row-major: user {@code r}'s score for item {@code i} goes to {@code out[r * (itemTo - itemFrom) + i - itemFrom]}.
     * Higher is better; {@code NaN} is not allowed.
     */
    void score(int[] users, int userCount, int itemFrom, int itemTo, float[] out);
}
