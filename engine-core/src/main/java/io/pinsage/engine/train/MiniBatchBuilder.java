package io.pinsage.engine.train;

import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import org.agrona.collections.Int2IntHashMap;

import java.util.SplittableRandom;

/**
 * Builds {@link MiniBatch}es: chooses the shared and hard negatives, lists every target once (queries, positives
 * and negatives may coincide) and hands them to nn-runtime's {@link ComputationGraphBuilder}, which expands them
 * layer by layer through the neighbourhoods and gathers the layer-0 inputs. Node ids are those of the
 * {@link NodeInputs}, {@code 0 .. inputs.nodeCount()-1}, and of the neighbourhoods' rows.
 *
 * <p>Threading: one builder per sampler thread (it owns a hash map from node to target row for de-duplication, as
 * large as a batch's targets and not the node space, and its own graph builder). Cost per batch:
 * O(Σ_k count[k] · T) plus the input gather.
 */
public final class MiniBatchBuilder {

    private final ComputationGraphBuilder graphs;
    private final int negativeFrom;
    private final int negativeTo;
    private final int sharedNegatives;
    private final HardNegatives hard;
    /** Each target node's row in the batch being built. */
    private final Int2IntHashMap row = new Int2IntHashMap(-1);
    /** The neighbourhoods as the graph builder reads them: with the batch's positives left out, when asked to. */
    private final PositivesLeftOut leftOut;

    /**
     * @param negativeFrom    first node id negatives are drawn from (inclusive)
     * @param negativeTo      end of the negative range (exclusive); uniform draws
     * @param sharedNegatives negatives shared by every query of a batch
     * @param hard            hard-negative source, or {@code null} for none
     */
    public MiniBatchBuilder(int layers, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs, int negativeFrom,
                            int negativeTo, int sharedNegatives, HardNegatives hard) {
        this(layers, hood, inputs, negativeFrom, negativeTo, sharedNegatives, hard, false);
    }

    /**
     * As above; with {@code leavePositivesOut}, each query's neighbourhood row in a batch lacks the positives it is
     * paired with in that batch ({@link TrainingConfig#leavePositivesOut}).
     */
    public MiniBatchBuilder(int layers, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs, int negativeFrom,
                            int negativeTo, int sharedNegatives, HardNegatives hard, boolean leavePositivesOut) {
        int nodes = inputs.nodeCount();
        if (negativeFrom < 0 || negativeTo > nodes || negativeFrom >= negativeTo) {
            throw new IllegalArgumentException("negativeFrom=" + negativeFrom + " negativeTo=" + negativeTo
                    + ": must be a non-empty range within [0, " + nodes + ")");
        }
        this.leftOut = leavePositivesOut ? new PositivesLeftOut(hood) : null;
        this.graphs = new ComputationGraphBuilder(layers, leftOut != null ? leftOut : hood, inputs);
        this.negativeFrom = negativeFrom;
        this.negativeTo = negativeTo;
        this.sharedNegatives = sharedNegatives;
        this.hard = hard;
    }

    /**
     * Builds the batch of pairs {@code [from, to)} of {@code queries}/{@code positives} (unified node ids),
     * drawing negatives from {@code rnd}.
     */
    public MiniBatch build(int[] queries, int[] positives, int[] order, int from, int to, int hardPerQuery,
                           SplittableRandom rnd, int epoch, int index) {
        return build(queries, positives, order, from, to, hardPerQuery, rnd, epoch, index, true);
    }

    /**
     * The batch {@link #build} makes, without its graph's layer-0 inputs: what a sampler sends to a trainer, which
     * gathers them from its own node inputs ({@link MiniBatch#withInputs}).
     */
    public MiniBatch buildWithoutInputs(int[] queries, int[] positives, int[] order, int from, int to, int hardPerQuery,
                                        SplittableRandom rnd, int epoch, int index) {
        return build(queries, positives, order, from, to, hardPerQuery, rnd, epoch, index, false);
    }

    private MiniBatch build(int[] queries, int[] positives, int[] order, int from, int to, int hardPerQuery,
                            SplittableRandom rnd, int epoch, int index, boolean withInputs) {
        int b = to - from;
        int h = hard == null ? 0 : hardPerQuery;
        long slots = 2L * b + sharedNegatives + (long) b * h;
        if (slots > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("batch=" + b + " sharedNegatives=" + sharedNegatives + " hardPerQuery=" + h
                    + ": " + slots + " target rows, at most 2^31 - 64");
        }
        int[] targets = new int[(int) slots];
        int n = 0;
        row.clear();
        int[] queryRow = new int[b];
        int[] positiveRow = new int[b];
        for (int i = 0; i < b; i++) {
            int p = order[from + i];
            n = addCount(queries[p], targets, n);
            queryRow[i] = row.get(queries[p]);
            n = addCount(positives[p], targets, n);
            positiveRow[i] = row.get(positives[p]);
        }
        int[] negativeRow = new int[sharedNegatives];
        for (int j = 0; j < sharedNegatives; j++) {
            int v = negativeFrom + rnd.nextInt(negativeTo - negativeFrom);
            n = addCount(v, targets, n);
            negativeRow[j] = row.get(v);
        }
        int[] hardRow = new int[b * h];
        for (int i = 0; i < b; i++) {
            int q = queries[order[from + i]];
            for (int s = 0; s < h; s++) {
                int v = hard.sample(q, rnd);
                if (v < 0) {
                    hardRow[i * h + s] = -1;
                } else {
                    n = addCount(v, targets, n);
                    hardRow[i * h + s] = row.get(v);
                }
            }
        }
        if (leftOut != null) {
            leftOut.set(queries, positives, order, from, to);
        }
        ComputationGraph graph = withInputs ? graphs.build(targets, n) : graphs.buildWithoutInputs(targets, n);
        return new MiniBatch(graph, queryRow, positiveRow, negativeRow, h, hardRow, epoch, index);
    }

    private boolean add(int node, int[] list, int n) {
        if (row.containsKey(node)) {
            return false;
        }
        row.put(node, n);
        list[n] = node;
        return true;
    }

    private int addCount(int node, int[] list, int n) {
        return add(node, list, n) ? n + 1 : n;
    }

    /**
     * A node's row less the positives its pairs of the current batch have: a user pooling over its own items must not
     * find the item it is scored against among them. The filtered row keeps the other neighbours and their weights
     * (mean pooling divides by the weights' sum, so the rest need no rescaling). Per builder, so per thread.
     */
    private static final class PositivesLeftOut implements ComputationGraphBuilder.Neighborhoods {

        private final ComputationGraphBuilder.Neighborhoods rows;
        /** Query node -> index of its first pair in {@link #next}/{@link #positive}; a chain per query. */
        private final Int2IntHashMap first = new Int2IntHashMap(-1);
        private int[] next = new int[0];
        private int[] positive = new int[0];

        PositivesLeftOut(ComputationGraphBuilder.Neighborhoods rows) {
            this.rows = rows;
        }

        void set(int[] queries, int[] positives, int[] order, int from, int to) {
            int b = to - from;
            if (next.length < b) {
                next = new int[b];
                positive = new int[b];
            }
            first.clear();
            for (int i = 0; i < b; i++) {
                int p = order[from + i];
                positive[i] = positives[p];
                next[i] = first.get(queries[p]);
                first.put(queries[p], i);
            }
        }

        @Override
        public int width() {
            return rows.width();
        }

        @Override
        public int read(int node, int[] ids, float[] weights, int offset) {
            int n = rows.read(node, ids, weights, offset);
            int chain = first.get(node);
            if (chain < 0) {
                return n;
            }
            int kept = 0;
            for (int j = 0; j < n; j++) {
                int id = ids[offset + j];
                if (!paired(chain, id)) {
                    ids[offset + kept] = id;
                    weights[offset + kept++] = weights[offset + j];
                }
            }
            return kept;
        }

        private boolean paired(int chain, int id) {
            for (int i = chain; i >= 0; i = next[i]) {
                if (positive[i] == id) {
                    return true;
                }
            }
            return false;
        }
    }
}
