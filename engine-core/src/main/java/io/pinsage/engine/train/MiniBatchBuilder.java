package io.pinsage.engine.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Builds {@link MiniBatch}es: chooses the shared and hard negatives, expands the targets layer by layer through
 * the neighbourhood table into a compact computation graph (each node once per layer, rows re-indexed), and
 * gathers the layer-0 fixed inputs.
 *
 * <p>Threading: one builder per sampler thread (it owns O(nodeCount) scratch arrays for O(1) re-indexing,
 * stamped instead of cleared). Cost per batch: O(Σ_k count[k] · T) plus the input gather.
 */
public final class MiniBatchBuilder {

    private final int layers;
    private final Neighbourhoods hood;
    private final NodeInputs inputs;
    private final int negativeFrom;
    private final int negativeTo;
    private final int sharedNegatives;
    private final HardNegatives hard;
    private final int[] stamp;
    private final int[] row;
    private int currentStamp;

    /**
     * @param negativeFrom    first node id negatives are drawn from (inclusive)
     * @param negativeTo      end of the negative range (exclusive); uniform draws
     * @param sharedNegatives negatives shared by every query of a batch
     * @param hard            hard-negative source, or {@code null} for none
     */
    public MiniBatchBuilder(int layers, Neighbourhoods hood, NodeInputs inputs, int negativeFrom, int negativeTo,
                            int sharedNegatives, HardNegatives hard) {
        if (negativeFrom < 0 || negativeTo > hood.nodeCount() || negativeFrom >= negativeTo) {
            throw new IllegalArgumentException("negativeFrom=" + negativeFrom + " negativeTo=" + negativeTo
                    + ": must be a non-empty range within [0, " + hood.nodeCount() + ")");
        }
        if (inputs.nodeCount() != hood.nodeCount()) {
            throw new IllegalArgumentException("inputs.nodeCount=" + inputs.nodeCount() + " neighbourhoods.nodeCount="
                    + hood.nodeCount() + ": must be equal");
        }
        this.layers = layers;
        this.hood = hood;
        this.inputs = inputs;
        this.negativeFrom = negativeFrom;
        this.negativeTo = negativeTo;
        this.sharedNegatives = sharedNegatives;
        this.hard = hard;
        this.stamp = new int[hood.nodeCount()];
        this.row = new int[hood.nodeCount()];
    }

    /**
     * Builds the batch of pairs {@code [from, to)} of {@code queries}/{@code positives} (unified node ids),
     * drawing negatives from {@code rnd}.
     */
    public MiniBatch build(int[] queries, int[] positives, int[] order, int from, int to, int hardPerQuery,
                           SplittableRandom rnd, int epoch, int index) {
        int b = to - from;
        int h = hard == null ? 0 : hardPerQuery;
        int[] targets = new int[2 * b + sharedNegatives + b * h];
        int n = 0;
        nextStamp();
        int[] queryRow = new int[b];
        int[] positiveRow = new int[b];
        for (int i = 0; i < b; i++) {
            int p = order[from + i];
            n = addCount(queries[p], targets, n);
            queryRow[i] = row[queries[p]];
            n = addCount(positives[p], targets, n);
            positiveRow[i] = row[positives[p]];
        }
        int[] negativeRow = new int[sharedNegatives];
        for (int j = 0; j < sharedNegatives; j++) {
            int v = negativeFrom + rnd.nextInt(negativeTo - negativeFrom);
            n = addCount(v, targets, n);
            negativeRow[j] = row[v];
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
                    hardRow[i * h + s] = row[v];
                }
            }
        }
        return new MiniBatch(expand(Arrays.copyOf(targets, n)), queryRow, positiveRow, negativeRow, h, hardRow, epoch, index);
    }

    /** Expands targets (layer K) down to layer 0. */
    private ComputationGraph expand(int[] targets) {
        int t = hood.width();
        int[][] nodes = new int[layers + 1][];
        int[] count = new int[layers + 1];
        int[][] self = new int[layers + 1][];
        int[][] nbr = new int[layers + 1][];
        float[][] alpha = new float[layers + 1][];
        int[][] nbrCount = new int[layers + 1][];
        nodes[layers] = targets;
        count[layers] = targets.length;
        for (int k = layers; k >= 1; k--) {
            int[] upper = nodes[k];
            int nk = count[k];
            int[] lower = new int[nk * (t + 1)];
            int n = 0;
            nextStamp();
            int[] selfK = new int[nk];
            int[] nbrK = new int[nk * t];
            float[] alphaK = new float[nk * t];
            int[] cntK = new int[nk];
            for (int i = 0; i < nk; i++) {
                n = addCount(upper[i], lower, n);
                selfK[i] = row[upper[i]];
            }
            for (int i = 0; i < nk; i++) {
                int u = upper[i];
                int c = hood.count(u);
                cntK[i] = c;
                for (int s = 0; s < c; s++) {
                    int v = hood.neighbor(u, s);
                    n = addCount(v, lower, n);
                    nbrK[i * t + s] = row[v];
                    alphaK[i * t + s] = hood.alpha(u, s);
                }
            }
            nodes[k - 1] = Arrays.copyOf(lower, n);
            count[k - 1] = n;
            self[k] = selfK;
            nbr[k] = nbrK;
            alpha[k] = alphaK;
            nbrCount[k] = cntK;
        }
        int w = inputs.width();
        float[] input = new float[count[0] * w];
        if (w > 0) {
            for (int i = 0; i < count[0]; i++) {
                inputs.copyRow(nodes[0][i], input, i * w);
            }
        }
        return new ComputationGraph(layers, t, nodes, count, self, nbr, alpha, nbrCount, input, w);
    }

    private void nextStamp() {
        if (++currentStamp == 0) {
            Arrays.fill(stamp, 0);
            currentStamp = 1;
        }
    }

    private boolean add(int node, int[] list, int n) {
        if (stamp[node] == currentStamp) {
            return false;
        }
        stamp[node] = currentStamp;
        row[node] = n;
        list[n] = node;
        return true;
    }

    private int addCount(int node, int[] list, int n) {
        return add(node, list, n) ? n + 1 : n;
    }
}
