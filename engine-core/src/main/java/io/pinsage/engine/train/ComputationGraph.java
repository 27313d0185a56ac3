package io.pinsage.engine.train;

/**
 * The compact per-layer computation graph of one minibatch (or of all nodes, for inference): layer K holds the
 * target nodes, layer k−1 holds every node that layer k reads (itself and its neighbours), each listed once, so
 * that no node's representation is computed twice within a layer.
 *
 * <p>Arrays are indexed {@code [k]}; {@code nodes[k][0..count[k])} are node ids of the unified node space;
 * for {@code k >= 1}, {@code self[k][i]} is the row of node {@code i}'s own representation in layer k−1 and
 * {@code nbr[k][i·T + s]} (with weight {@code alpha[k][i·T + s]}, {@code s < nbrCount[k][i]}) are rows of its
 * neighbours there. {@code input} holds each layer-0 node's fixed row ({@link NodeInputs}).
 *
 * <p>Ownership: built by one sampler thread, then handed to the trainer through a queue (the hand-off publishes
 * it); nobody writes it after that.
 */
public final class ComputationGraph {

    final int layers;
    final int width;
    final int[][] nodes;
    final int[] count;
    final int[][] self;
    final int[][] nbr;
    final float[][] alpha;
    final int[][] nbrCount;
    final float[] input;
    final int inputWidth;

    ComputationGraph(int layers, int width, int[][] nodes, int[] count, int[][] self, int[][] nbr, float[][] alpha,
                     int[][] nbrCount, float[] input, int inputWidth) {
        this.layers = layers;
        this.width = width;
        this.nodes = nodes;
        this.count = count;
        this.self = self;
        this.nbr = nbr;
        this.alpha = alpha;
        this.nbrCount = nbrCount;
        this.input = input;
        this.inputWidth = inputWidth;
    }

    /** Number of nodes in layer {@code k} (K = targets). */
    public int nodeCount(int k) {
        return count[k];
    }

    /**
     * The whole node space at every layer: layer-by-layer inference over all nodes, with no repeated work
     * (map: Q on every node once; join: gather neighbour rows; reduce: pool, concatenate, dense, normalise).
     */
    static ComputationGraph allNodes(int layers, Neighbourhoods hood, NodeInputs inputs) {
        int n = hood.nodeCount();
        int t = hood.width();
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) {
            identity[i] = i;
        }
        int[] ids = new int[n * t];
        float[] alpha = new float[n * t];
        int[] cnt = new int[n];
        for (int u = 0; u < n; u++) {
            cnt[u] = hood.count(u);
            for (int s = 0; s < cnt[u]; s++) {
                ids[u * t + s] = hood.neighbor(u, s);
                alpha[u * t + s] = hood.alpha(u, s);
            }
        }
        int[][] nodes = new int[layers + 1][];
        int[] count = new int[layers + 1];
        int[][] self = new int[layers + 1][];
        int[][] nbr = new int[layers + 1][];
        float[][] al = new float[layers + 1][];
        int[][] nc = new int[layers + 1][];
        for (int k = 0; k <= layers; k++) {
            nodes[k] = identity;
            count[k] = n;
            if (k > 0) {
                self[k] = identity;
                nbr[k] = ids;
                al[k] = alpha;
                nc[k] = cnt;
            }
        }
        int w = inputs.width();
        float[] input = new float[n * w];
        for (int u = 0; u < n; u++) {
            inputs.copyRow(u, input, u * w);
        }
        return new ComputationGraph(layers, t, nodes, count, self, nbr, al, nc, input, w);
    }
}
