package io.pinsage.engine.train;

import io.pinsage.nn.model.ComputationGraphBuilder;

import java.util.Arrays;
import java.util.Random;

/** Neighbourhood rows held in arrays, for tests: node u's neighbours {@code ids[u]} with weights {@code weights[u]}. */
final class RowTable implements ComputationGraphBuilder.Neighborhoods {

    private final int width;
    private final int[][] ids;
    private final float[][] weights;

    RowTable(int width, int[][] ids, float[][] weights) {
        this.width = width;
        this.ids = ids;
        this.weights = weights;
    }

    /** Up to t random neighbours (repeats allowed) per node, weights normalised to sum 1 as a store holds them. */
    static RowTable random(int n, int t, long seed) {
        Random rnd = new Random(seed);
        int[][] ids = new int[n][];
        float[][] weights = new float[n][];
        for (int u = 0; u < n; u++) {
            int c = rnd.nextInt(t + 1);
            ids[u] = new int[c];
            float[] w = new float[c];
            double sum = 0;
            for (int s = 0; s < c; s++) {
                ids[u][s] = rnd.nextInt(n);
                w[s] = 0.1f + rnd.nextFloat();
                sum += w[s];
            }
            for (int s = 0; s < c; s++) {
                w[s] = (float) (w[s] / sum);
            }
            weights[u] = w;
        }
        return new RowTable(t, ids, weights);
    }

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

    int[] ids(int node) {
        return Arrays.copyOf(ids[node], ids[node].length);
    }

    float[] weights(int node) {
        return Arrays.copyOf(weights[node], weights[node].length);
    }
}
