package io.pinsage.engine.train;

import java.util.Random;

/** Random rows for tests, as a heap table, with each row's ids and weights for checking what a batch holds. */
final class RowTable {
    final Neighbourhoods table;
    final int[][] ids;
    final float[][] weights;

    RowTable(Neighbourhoods table, int[][] ids, float[][] weights) {
        this.table = table;
        this.ids = ids;
        this.weights = weights;
    }

    static RowTable random(int n, int t, long seed) {
        Random rnd = new Random(seed);
        int[][] ids = new int[n][];
        float[][] weights = new float[n][];
        Neighbourhoods table = Neighbourhoods.build(n, t, (u, row, w) -> {
            int c = rnd.nextInt(t + 1);
            for (int s = 0; s < c; s++) {
                row[s] = rnd.nextInt(n);
                w[s] = 0.1f + rnd.nextFloat();
            }
            ids[u] = java.util.Arrays.copyOf(row, c);
            return c;
        });
        for (int u = 0; u < n; u++) {
            weights[u] = new float[ids[u].length];
            for (int s = 0; s < ids[u].length; s++) {
                weights[u][s] = table.weight(u, s);
            }
        }
        return new RowTable(table, ids, weights);
    }

    int[] ids(int node) {
        return ids[node].clone();
    }

    float[] weights(int node) {
        return weights[node].clone();
    }
}
