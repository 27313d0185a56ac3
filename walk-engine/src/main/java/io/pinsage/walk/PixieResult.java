package io.pinsage.walk;

/**
 * The answer to a {@link PixieQuery}: top pins and (if asked) top boards with their scores, best first.
 *
 * <p>Reusable: pass the same instance to {@link PixieEngine#query(PixieQuery, PixieResult)} again and again; its
 * arrays grow to the largest answer given (at most K, and at most the pins or boards the walks visited, so a K far
 * beyond the graph costs nothing) and are then reused, so a serving loop allocates nothing. Not
 * thread-safe: owned by the caller's thread. Scores are boosted visit counts (see {@link PixieQuery.Builder#boost}).
 */
public final class PixieResult {

    int[] pins = new int[0];
    float[] pinScores = new float[0];
    int pinCount;
    int[] boards = new int[0];
    float[] boardScores = new float[0];
    int boardCount;
    long stepsTaken;

    /** Number of pins returned (at most the query's topPins). */
    public int pinCount() {
        return pinCount;
    }

    /** The {@code i}-th best pin, {@code 0 <= i < pinCount()}. */
    public int pin(int i) {
        return pins[i];
    }

    /** Score of the {@code i}-th best pin. */
    public float pinScore(int i) {
        return pinScores[i];
    }

    /** Number of boards returned (0 unless the query asked for boards). */
    public int boardCount() {
        return boardCount;
    }

    /** The {@code i}-th best board, {@code 0 <= i < boardCount()}. */
    public int board(int i) {
        return boards[i];
    }

    /** Visit count of the {@code i}-th best board. */
    public float boardScore(int i) {
        return boardScores[i];
    }

    /** Steps actually walked (below the budget after early stops, or when query pins have no edges). */
    public long stepsTaken() {
        return stepsTaken;
    }

    void ensureCapacity(int topPins, int topBoards) {
        if (pins.length < topPins) {
            pins = new int[topPins];
            pinScores = new float[topPins];
        }
        if (boards.length < topBoards) {
            boards = new int[topBoards];
            boardScores = new float[topBoards];
        }
    }
}
