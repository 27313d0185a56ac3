package io.pinsage.csr.prune;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.CsrBuilder;
import io.pinsage.csr.CsrLayout;
import io.pinsage.csr.DuplicatePolicy;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Graph pruning as a store-level operation: reads a published graph store, prunes its graph with {@link GraphPruner}
 * (features from the store's pin feature matrix) and publishes the result as a new store through
 * {@link CsrBuilder}, carrying every other file of the source (feature matrices, id lists and maps, held-out pairs)
 * over unchanged: pruning keeps node ids, so they describe the pruned graph as they did the original, and every
 * consumer of a store opens the result exactly like the source.
 *
 * <p>The source's graph files are verified first ({@link io.pinsage.csr.MappedCsrGraph#verify()}: checksums and
 * neighbour ids, one sequential read, a few percent of the run). The new generation is opened and fully verified
 * ({@link GraphStore#verify()}, edge count against the plan) before it is published; a failure leaves the
 * destination's previous store, if any, current and untouched. The source is only read.
 *
 * <p>Cost: the plan (see {@link GraphPruner}), the builder's two passes over the kept edges with its bounded memory,
 * a copy of the side files and two verification reads (the source's graph, the result). Stateless; concurrent runs
 * need different destinations (the destination's lock refuses a second publisher).
 */
public final class StorePruner {

    /**
     * A finished run.
     *
     * @param stats      what was removed
     * @param generation the published generation of the destination
     * @param carried    names of the files copied from the source unchanged
     */
    public record Result(PruneStats stats, StoreGeneration generation, List<String> carried) {
    }

    private StorePruner() {
    }

    /**
     * Prunes the store at {@code source} into a new store at {@code out}.
     *
     * @param build resources of the rebuild (threads, shard size, bucket size); its duplicate policy and weighting
     *              are set from the source, whose parallel edges are kept as they are
     * @throws IllegalArgumentException      if {@code out} is the source, or the settings drop diverse boards and the
     *                                       store has no pin features
     * @throws CorruptStoreException         if the source is missing or damaged (checksums included)
     * @throws java.nio.file.FileSystemException if another process is publishing into {@code out}
     */
    public static Result prune(Path source, Path out, PruneSettings settings, CsrBuildOptions build) throws IOException {
        if (source.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())
                || (Files.exists(out) && Files.exists(source) && Files.isSameFile(source, out))) {
            throw new IllegalArgumentException("out=" + out + ": must differ from the source store " + source
                    + " (the pruned store is written beside it, the source stays as it is)");
        }
        try (GraphStore store = GraphStore.open(source)) {
            BipartiteGraph graph = store.graph();
            // a damaged source would otherwise become a pruned store that verifies, its damage built in
            store.graph().verify();
            if (settings.dropsDiverseBoards() && store.features(Side.LEFT).isEmpty()) {
                throw new IllegalArgumentException("store " + source + " has no pin features ("
                        + CsrLayout.features(Side.LEFT) + "): dropping diverse boards needs them; use only degree caps");
            }
            PrunePlan plan = GraphPruner.plan(graph, store.features(Side.LEFT).orElse(null), settings);
            try (Publication p = StoreDirectory.beginPublication(out)) {
                CsrBuilder builder = new CsrBuilder(p.directory(), p.scratchDirectory(),
                        build.withDuplicates(DuplicatePolicy.KEEP).withWeighted(graph.hasWeights()));
                try (CsrBuilder.Sink sink = builder.newSink()) {
                    plan.writeTo(sink);
                }
                builder.build(graph.nodeCount(Side.LEFT), graph.nodeCount(Side.RIGHT));
                List<String> carried = new ArrayList<>();
                StoreGeneration from = store.generation();
                for (String name : from.files().keySet().stream().sorted().toList()) {
                    if (!CsrLayout.isAdjacency(name)) {
                        Files.copy(from.file(name), p.directory().resolve(name));
                        carried.add(name);
                    }
                }
                try (GraphStore written = GraphStore.open(p.pendingGeneration(), Residency.MAPPED)) {
                    written.verify();
                    if (written.graph().edgeCount() != plan.stats().edgesKept()) {
                        throw new CorruptStoreException(p.directory(), "holds " + written.graph().edgeCount()
                                + " edges, the pruning kept " + plan.stats().edgesKept());
                    }
                }
                return new Result(plan.stats(), p.commit(), List.copyOf(carried));
            }
        }
    }
}
