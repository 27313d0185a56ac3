package io.pinsage.csr;

import java.util.Random;

/**
 * Small seeded random bipartite graphs for tests of any module that reads graphs (published in this module's
 * test-jar). Deterministic for a given {@link Random}; heap-only, so sized for tests.
 */
public final class TestGraphs {

    private TestGraphs() {
    }

    /**
     * A random multigraph in which every node has at least one edge: edge i joins pin i and board i while those
     * exist, then {@code extraEdges} more join random pairs; weights (when asked for) lie in [0.1, 4.1).
     */
    public static HeapBipartiteGraph connected(Random rnd, int pins, int boards, int extraEdges, boolean weighted) {
        int e = Math.max(pins, boards) + extraEdges;
        int[] l = new int[e];
        int[] r = new int[e];
        float[] w = weighted ? new float[e] : null;
        for (int i = 0; i < e; i++) {
            l[i] = i < pins ? i : rnd.nextInt(pins);
            r[i] = i < boards ? i : rnd.nextInt(boards);
            if (weighted) {
                w[i] = 0.1f + 4 * rnd.nextFloat();
            }
        }
        return HeapBipartiteGraph.of(pins, boards, l, r, w);
    }
}
