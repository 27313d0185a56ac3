package io.pinsage.csr;

import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Publishes {@code g} as a store with dense ids at {@code root}, with pin features (row u: u, -u) if asked. */
    public static void writeStore(Path root, BipartiteGraph g, boolean features) throws IOException {
        try (Publication p = StoreDirectory.beginPublication(root)) {
            CsrBuilder b = new CsrBuilder(p.directory(), p.scratchDirectory(), CsrBuildOptions.defaults().withThreads(1).withWeighted(g.hasWeights()));
            try (CsrBuilder.Sink sink = b.newSink()) {
                for (int u = 0; u < g.nodeCount(Side.LEFT); u++) {
                    long first = g.firstEdge(Side.LEFT, u);
                    for (int i = 0; i < g.degree(Side.LEFT, u); i++) {
                        sink.add(u, g.neighborAt(Side.LEFT, first + i), g.weightAt(Side.LEFT, first + i));
                    }
                }
            }
            b.build(g.nodeCount(Side.LEFT), g.nodeCount(Side.RIGHT));
            if (features) {
                StringBuilder tsv = new StringBuilder();
                for (int u = 0; u < g.nodeCount(Side.LEFT); u++) {
                    tsv.append(u).append('\t').append(u).append('\t').append(-u).append('\n');
                }
                Path in = Files.writeString(p.scratchDirectory().resolve("features.tsv"), tsv);
                FeatureImport.importFeatures(in, p.directory().resolve(CsrLayout.features(Side.LEFT)), Side.LEFT,
                        g.nodeCount(Side.LEFT), Integer::parseInt);
            }
            p.commit();
        }
    }
}
