package io.pinsage.nn.batch;

import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;

/**
 * One training step's input: the computation graph of its target nodes and, as rows of the graph's outputs (the
 * first {@code graph.outputCount()} nodes), the (query, positive) pairs, the negatives shared by the whole batch and
 * {@code hardPerQuery} hard negatives per query ({@code -1} where a query has fewer).
 *
 * <p>Immutable. The arrays are not copied: the constructor takes ownership of them, so the producer must not touch
 * them afterwards, and the accessors return the batch's own arrays, which callers read and never write. A copy would
 * cost as much as validating and buys nothing, since every producer builds fresh arrays per batch. Like
 * {@link ComputationGraph}, a batch is safe to hand between threads through a queue or any other safe publication.
 *
 * <p>Which batch it is ({@link #epoch()}, {@link #index()}) travels with it, so a consumer can check that it got the
 * batch it asked for.
 */
public final class MiniBatch {

    private final ComputationGraph graph;
    private final int[] queryRows;
    private final int[] positiveRows;
    private final int[] negativeRows;
    private final int hardPerQuery;
    private final int[] hardRows;
    private final int epoch;
    private final int index;

    /**
     * Takes ownership of the arrays and validates them in O(rows).
     *
     * @param queryRows    output row of each pair's query; at least one pair
     * @param positiveRows output row of each pair's positive, one per query
     * @param negativeRows output rows of the negatives shared by the batch (may be empty)
     * @param hardPerQuery hard-negative slots per query, {@code >= 0}
     * @param hardRows     {@code queryRows.length × hardPerQuery} output rows, query-major, {@code -1} for an empty slot
     * @param epoch        the epoch, 0-based
     * @param index        the batch's position within its epoch, 0-based
     * @throws IllegalArgumentException naming the field and its value when a length or a row is out of range
     */
    public MiniBatch(ComputationGraph graph, int[] queryRows, int[] positiveRows, int[] negativeRows, int hardPerQuery,
                     int[] hardRows, int epoch, int index) {
        if (epoch < 0 || index < 0) {
            throw new IllegalArgumentException("epoch=" + epoch + " index=" + index + ": must be >= 0");
        }
        if (queryRows.length == 0 || positiveRows.length != queryRows.length) {
            throw new IllegalArgumentException("queryRows.length=" + queryRows.length + " positiveRows.length="
                    + positiveRows.length + ": must be equal and non-zero");
        }
        if (hardPerQuery < 0 || hardRows.length != (long) queryRows.length * hardPerQuery) {
            throw new IllegalArgumentException("hardRows.length=" + hardRows.length + " hardPerQuery=" + hardPerQuery
                    + " queryRows.length=" + queryRows.length + ": must be hardPerQuery × queryRows.length, hardPerQuery >= 0");
        }
        int outputs = graph.outputCount();
        checkRows("queryRows", queryRows, 0, outputs);
        checkRows("positiveRows", positiveRows, 0, outputs);
        checkRows("negativeRows", negativeRows, 0, outputs);
        checkRows("hardRows", hardRows, -1, outputs);
        this.graph = graph;
        this.queryRows = queryRows;
        this.positiveRows = positiveRows;
        this.negativeRows = negativeRows;
        this.hardPerQuery = hardPerQuery;
        this.hardRows = hardRows;
        this.epoch = epoch;
        this.index = index;
    }

    private static void checkRows(String name, int[] rows, int min, int outputs) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < min || rows[i] >= outputs) {
                throw new IllegalArgumentException(name + "[" + i + "]=" + rows[i] + ": must lie in [" + min + ", "
                        + outputs + "), the graph's output rows");
            }
        }
    }

    /** The computation graph of every target of the batch. */
    public ComputationGraph graph() {
        return graph;
    }

    /**
     * This batch with its graph's layer-0 inputs gathered from {@code inputs} ({@link ComputationGraph#withInputs}):
     * how a trainer completes a batch that a sampler sent without them. The rows' arrays are shared, not copied.
     */
    public MiniBatch withInputs(ComputationGraphBuilder.NodeInputs inputs) {
        return new MiniBatch(graph.withInputs(inputs), queryRows, positiveRows, negativeRows, hardPerQuery, hardRows,
                epoch, index);
    }

    /** Number of (query, positive) pairs. */
    public int size() {
        return queryRows.length;
    }

    /** Output row of each pair's query (the batch's own array: do not write). */
    public int[] queryRows() {
        return queryRows;
    }

    /** Output row of each pair's positive (the batch's own array: do not write). */
    public int[] positiveRows() {
        return positiveRows;
    }

    /** Output rows of the negatives shared by every query (the batch's own array: do not write). */
    public int[] negativeRows() {
        return negativeRows;
    }

    /** Hard-negative slots per query. */
    public int hardPerQuery() {
        return hardPerQuery;
    }

    /** Hard-negative rows, {@link #hardPerQuery()} per query in query order, {@code -1} for none (do not write). */
    public int[] hardRows() {
        return hardRows;
    }

    /** The epoch (0-based) this batch belongs to. */
    public int epoch() {
        return epoch;
    }

    /** The batch's position within its epoch. */
    public int index() {
        return index;
    }
}
