package io.pinsage.engine.cli;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.ResourceLimits;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.engine.pipeline.NeighborhoodStores;
import io.pinsage.walk.NeighborhoodBuilder;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.TableWalker;
import io.pinsage.walk.WalkTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code pinsage neighborhoods DIR --top 50}: computes every node's importance neighbourhood (or only the nodes
 * given, as an incremental update) and publishes the neighbourhood store, with a progress bar on stderr. A build
 * of every node, or one over a walk table, first verifies the graph's checksums (a sequential read, well under a
 * hundredth of the walks' time), so that a damaged graph never becomes a neighbourhood store.
 */
@Command(name = "neighborhoods", mixinStandardHelpOptions = true,
        description = "Build the importance-neighbourhood store (top T most visited same-side nodes per node, weights summing to 1).")
final class NeighborhoodsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store directory")
    Path dir;

    @Option(names = "--top", defaultValue = "50", description = "T, neighbours per node (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--side", defaultValue = "LEFT", description = "LEFT (pins/items) or RIGHT (boards/users) (default ${DEFAULT-VALUE})")
    Side side;

    @Option(names = "--steps", defaultValue = "2000", description = "walk steps per node (default ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--alpha", defaultValue = "0.5", description = "restart probability (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--threads", description = "worker threads (default: available processors)")
    Integer threads;

    @Option(names = "--seed", defaultValue = "0", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", description = "neighbourhood store directory (default DIR/neighborhoods.<side>)")
    Path out;

    @Option(names = "--nodes", split = ",", description = "recompute only these node ids in the existing store (incremental; default: build every node's)")
    int[] nodes;

    @Option(names = "--walk-table", arity = "0..1", fallbackValue = "on", defaultValue = "auto", paramLabel = "auto|on|off",
            description = "walk a walk table built from the store: one read per hop instead of two, about 8 bytes per edge more heap, "
                    + "uniform walks, 1.4-1.6x the nodes/s at 200 M edges (default auto: when it takes at most a quarter of "
                    + "the free heap and the walks take at least one step per edge; --walk-table alone means on)")
    String walkTable;

    @Mixin
    ResidencyOption residency;

    @Override
    public Integer call() throws Exception {
        int workers = threads == null ? Runtime.getRuntime().availableProcessors() : ResourceLimits.requireThreads("--threads", threads);
        PixieQuery.requireSteps("--steps", steps);
        Path root = out == null ? NeighborhoodStore.defaultRoot(dir, side) : out;
        if (!walkTable.equals("auto") && !walkTable.equals("on") && !walkTable.equals("off")) {
            throw new IllegalArgumentException("--walk-table=" + walkTable + ": expected auto, on or off");
        }
        // Every node of a side walks far more than the copy costs; an update walks from its nodes only.
        long walkSteps = nodes == null ? Long.MAX_VALUE : ResourceLimits.bytes(nodes.length, steps);
        try (GraphStore store = residency.open(dir, System.err, walkSteps)) {
            BipartiteGraph graph = store.graph();
            String why = switch (walkTable) {
                case "on" -> "asked";
                case "off" -> null;
                // Building reads every edge once; the walks then save about one cache miss per step.
                default -> walkSteps < graph.edgeCount() ? null : WalkTable.fitsHeap(graph) ? "auto" : null;
            };
            if (nodes == null || why != null) {
                // The command reads the whole graph anyway; an update walking from a few nodes reads far less.
                StoreChecks.verifyGraph(store, System.out);
            }
            NeighborhoodBuilder builder;
            if (why != null) {
                long t0 = System.nanoTime();
                WalkTable table = WalkTable.of(graph);
                System.out.printf("walk table: %.2f GiB built in %.1f s (%s)%n", table.bytes() / (double) (1L << 30),
                        (System.nanoTime() - t0) / 1e9, why);
                builder = new NeighborhoodBuilder(table, config(TableWalker.DEFAULT_LANES), workers);
            } else {
                System.out.printf("walk table: none (%s)%n", walkTable.equals("off") ? "asked"
                        : walkSteps < graph.edgeCount() ? "auto: the walks take fewer steps than the graph has edges"
                        : "auto: the table would take more than a quarter of the free heap");
                builder = new NeighborhoodBuilder(graph, config(32), workers);
            }
            ProgressBar bar = new ProgressBar(System.err, "nodes");
            long start = System.nanoTime();
            StoreGeneration g = nodes == null
                    ? NeighborhoodStores.buildAll(builder, root, NeighborhoodStores.graphId(store.generation()), bar::update)
                    : NeighborhoodStores.update(builder, root, nodes, bar::update);
            double seconds = (System.nanoTime() - start) / 1e9;
            int count = nodes == null ? graph.nodeCount(side) : (int) Arrays.stream(nodes).distinct().count();
            System.out.printf("%s %,d %s neighbourhoods (T=%d, %,d steps each) in %.1f s on %d threads: %s%n",
                    nodes == null ? "built" : "updated", count, side, top, steps, seconds, workers, g.directory());
        }
        return 0;
    }

    private NeighborhoodConfig config(int lanes) {
        return new NeighborhoodConfig(side, top, steps, alpha, lanes, seed);
    }
}
