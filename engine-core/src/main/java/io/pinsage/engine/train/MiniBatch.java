package io.pinsage.engine.train;

/**
 * One training step's input: the computation graph of its target nodes and, as rows of the target layer, the
 * (query, positive) pairs, the negatives shared by the whole batch and {@code hardPerQuery} hard negatives per
 * query ({@code -1} where a query has fewer). Built by a sampler thread, consumed once by the trainer
 * (published by the queue hand-off; immutable afterwards).
 */
public final class MiniBatch {

    final ComputationGraph graph;
    final int[] queryRow;
    final int[] positiveRow;
    final int[] negativeRow;
    final int hardPerQuery;
    final int[] hardRow;
    final int epoch;
    final int index;

    MiniBatch(ComputationGraph graph, int[] queryRow, int[] positiveRow, int[] negativeRow, int hardPerQuery, int[] hardRow,
              int epoch, int index) {
        this.graph = graph;
        this.queryRow = queryRow;
        this.positiveRow = positiveRow;
        this.negativeRow = negativeRow;
        this.hardPerQuery = hardPerQuery;
        this.hardRow = hardRow;
        this.epoch = epoch;
        this.index = index;
    }

    /** Number of (query, positive) pairs. */
    public int size() {
        return queryRow.length;
    }

    /** The epoch (0-based) this batch belongs to. */
    public int epoch() {
        return epoch;
    }

    /** The batch's position within its epoch. */
    public int index() {
        return index;
    }

    /** The computation graph (for size statistics). */
    public ComputationGraph graph() {
        return graph;
    }
}
