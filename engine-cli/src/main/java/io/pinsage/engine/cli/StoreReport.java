package io.pinsage.engine.cli;

import io.pinsage.csr.CsrLayout;
import io.pinsage.csr.DegreeStats;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.MappedCsrGraph;
import io.pinsage.csr.NeighborShardFormat;
import io.pinsage.csr.OffsetsFormat;
import io.pinsage.csr.Side;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/** Prints a store's statistics: counts, degree distribution, bytes per edge and files. Used by info and quickstart. */
final class StoreReport {

    private StoreReport() {
    }

    /** Bytes of the adjacency itself (offsets and neighbour ids of both directions), the figure the 9-byte target is about. */
    static long adjacencyBytes(Map<String, Long> files) {
        return files.entrySet().stream()
                .filter(e -> CsrLayout.formatOf(e.getKey()).filter(f -> f == OffsetsFormat.INSTANCE || f == NeighborShardFormat.NEIGHBORS).isPresent())
                .mapToLong(Map.Entry::getValue).sum();
    }

    static void print(GraphStore store, PrintStream out) {
        MappedCsrGraph g = store.graph();
        Map<String, Long> files = store.generation().files();
        out.printf("store          %s (%s)%n", store.generation().root(), store.generation().name());
        out.printf("nodes          left %,d   right %,d%n", g.nodeCount(Side.LEFT), g.nodeCount(Side.RIGHT));
        out.printf("edges          %,d%s%n", g.edgeCount(), g.hasWeights() ? " (weighted)" : "");
        out.printf("shards         left %d   right %d%n", g.shardCount(Side.LEFT), g.shardCount(Side.RIGHT));
        for (Side side : Side.values()) {
            DegreeStats d = DegreeStats.of(g, side);
            out.printf("degree %-6s  mean %.2f   p50 %d   p90 %d   p99 %d   max %,d   isolated %,d%n",
                    side.name().toLowerCase(java.util.Locale.ROOT), d.mean(), d.p50(), d.p90(), d.p99(), d.max(), d.isolated());
        }
        long adjacency = adjacencyBytes(files);
        long total = store.generation().totalBytes();
        double perEdge = g.edgeCount() == 0 ? 0 : adjacency / (double) g.edgeCount();
        out.printf("bytes/edge     %.3f (offsets + neighbours, both directions)   all files %.3f%n", perEdge,
                g.edgeCount() == 0 ? 0 : total / (double) g.edgeCount());
        for (Side side : Side.values()) {
            store.features(side).ifPresent(f -> out.printf("features       %s %,d x %d float32%n",
                    side.name().toLowerCase(java.util.Locale.ROOT), f.rows(), f.dim()));
            store.ids(side).ifPresent(m -> out.printf("id map         %s %,d %s ids, hash table of %,d slots (load %.2f)%n",
                    side.name().toLowerCase(java.util.Locale.ROOT), m.size(), m.kind(), m.slots(), m.size() / (double) m.slots()));
        }
        store.pairs().ifPresent(p -> out.printf("pairs          %,d held-out engagement pairs%n", p.count()));
        out.printf("files          %d, %,d bytes%n", files.size(), total);
        new TreeMap<>(files).forEach((name, size) -> out.printf("  %-22s %,16d%n", name, size));
    }
}
