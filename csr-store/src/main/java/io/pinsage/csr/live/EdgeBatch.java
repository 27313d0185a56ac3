package io.pinsage.csr.live;

import java.util.Arrays;

/**
 * Edges to add to a {@link LiveGraph} in one step, by external id text (as a store's id map knows them, or a dense id
 * for a store without one): all of a batch is applied and logged, or none of it. Ids that name no node yet become new
 * pins (left) or boards (right). A batch is checked when it is appended, not when it is filled.
 *
 * <p>A batch may carry the {@link SourcePosition} its source reaches once it is applied: it is logged with the edges,
 * in the same record, and the live graph reports it from then on, also after a restart.
 *
 * <p>Not thread-safe; reusable after {@link #clear()}. Memory: two strings and a float per edge.
 */
public final class EdgeBatch {

    private String[] pins = new String[16];
    private String[] boards = new String[16];
    private float[] weights = new float[16];
    private int size;
    private SourcePosition source;

    /** Adds the edge pin–board with weight 1. */
    public EdgeBatch add(String pin, String board) {
        return add(pin, board, 1f);
    }

    /** Adds the edge pin–board with {@code weight}, which must be positive and finite ({@link io.pinsage.csr.EdgeWeight}; checked on append). */
    public EdgeBatch add(String pin, String board, float weight) {
        if (size == pins.length) {
            int n = Math.max(16, size * 2);
            pins = Arrays.copyOf(pins, n);
            boards = Arrays.copyOf(boards, n);
            weights = Arrays.copyOf(weights, n);
        }
        pins[size] = pin;
        boards[size] = board;
        weights[size] = weight;
        size++;
        return this;
    }

    /** Number of edges. */
    public int size() {
        return size;
    }

    /** Removes edge {@code i}; the edges after it move down one place. O(size). */
    public void remove(int i) {
        java.util.Objects.checkIndex(i, size);
        System.arraycopy(pins, i + 1, pins, i, size - i - 1);
        System.arraycopy(boards, i + 1, boards, i, size - i - 1);
        System.arraycopy(weights, i + 1, weights, i, size - i - 1);
        size--;
        pins[size] = null;
        boards[size] = null;
    }

    /** Empties the batch and drops its source position. */
    public void clear() {
        Arrays.fill(pins, 0, size, null);
        Arrays.fill(boards, 0, size, null);
        size = 0;
        source = null;
    }

    /** Sets the position its source reaches once the batch is applied (null for none); kept by {@link #remove}. */
    public EdgeBatch source(SourcePosition reached) {
        source = reached;
        return this;
    }

    /** The position set by {@link #source(SourcePosition)}, or null. */
    public SourcePosition source() {
        return source;
    }

    /** The pin id text of edge {@code i}, as added. */
    public String pin(int i) {
        java.util.Objects.checkIndex(i, size);
        return pins[i];
    }

    String board(int i) {
        return boards[i];
    }

    float weight(int i) {
        return weights[i];
    }
}
