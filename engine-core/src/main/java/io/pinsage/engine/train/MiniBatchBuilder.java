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

    /**
     * @param negativeFrom    first node id negatives are drawn from (inclusive)
     * @param negativeTo      end of the negative range (exclusive); uniform draws
     * @param sharedNegatives negatives shared by every query of a batch
     * @param hard            hard-negative source, or {@code null} for none
     */
    public MiniBatchBuilder(int layers, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs, int negativeFrom,
                            int negativeTo, int sharedNegatives, HardNegatives hard) {
        int nodes = inputs.nodeCount();
        if (negativeFrom < 0 || negativeTo > nodes || negativeFrom >= negativeTo) {
            throw new IllegalArgumentException("negativeFrom=" + negativeFrom + " negativeTo=" + negativeTo
                    + ": must be a non-empty range within [0, " + nodes + ")");
        }
        this.graphs = new ComputationGraphBuilder(layers, hood, inputs);
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
}
