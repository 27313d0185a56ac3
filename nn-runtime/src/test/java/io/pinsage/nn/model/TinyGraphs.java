package io.pinsage.nn.model;

import java.util.Random;

/**
 * Random small neighbourhoods and inputs for model tests, all drawn from one seeded {@link Random}; other
 * backends' model tests use them through the test-jar.
 */
public final class TinyGraphs {

    private TinyGraphs() {
    }

    /** Each of {@code nodes} nodes gets 1..maxNeighbours distinct random neighbours with weights in (0.1, 1.1). */
    public static ComputationGraphBuilder.Neighborhoods neighborhoods(Random random, int nodes, int maxNeighbours) {
        int[][] ids = new int[nodes][];
        float[][] weights = new float[nodes][];
        for (int u = 0; u < nodes; u++) {
            int n = 1 + random.nextInt(maxNeighbours);
            ids[u] = random.ints(0, nodes).distinct().limit(n).toArray();
            weights[u] = new float[ids[u].length];
            for (int i = 0; i < ids[u].length; i++) {
                weights[u][i] = 0.1f + random.nextFloat();
            }
        }
        return rows(ids, weights);
    }

    /** Node u's neighbours are {@code ids[u]} with weights {@code weights[u]}. */
    public static ComputationGraphBuilder.Neighborhoods rows(int[][] ids, float[][] weights) {
        int width = java.util.Arrays.stream(ids).mapToInt(r -> r.length).max().orElse(0);
        return new ComputationGraphBuilder.Neighborhoods() {
            @Override
            public int width() {
                return width;
            }

            @Override
            public int read(int node, int[] dst, float[] w, int offset) {
                System.arraycopy(ids[node], 0, dst, offset, ids[node].length);
                System.arraycopy(weights[node], 0, w, offset, ids[node].length);
                return ids[node].length;
            }
        };
    }

    /** Gaussian features of width {@code dim} and log-degrees in [0, 3). */
    public static ComputationGraphBuilder.NodeInputs inputs(Random random, int nodes, int dim) {
        float[] features = new float[nodes * dim];
        float[] logDegrees = new float[nodes];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < nodes; i++) {
            logDegrees[i] = 3 * random.nextFloat();
        }
        return ComputationGraphBuilder.NodeInputs.of(features, dim, logDegrees);
    }
}
