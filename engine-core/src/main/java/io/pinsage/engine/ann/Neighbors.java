package io.pinsage.engine.ann;

/**
 * Rows of a nearest-neighbour answer, best first, with their dot products with the query. Immutable by
 * convention: callers do not write the arrays.
 *
 * @param rows   the rows (dense node ids of the embedding store's side)
 * @param scores their dot products with the query, non-increasing
 */
public record Neighbors(int[] rows, float[] scores) {

    /** The number of rows. */
    public int size() {
        return rows.length;
    }
}
