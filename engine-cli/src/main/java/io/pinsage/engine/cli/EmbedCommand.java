package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.engine.pipeline.StoreEmbedder;
import io.pinsage.nn.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pinsage embed DIR --model MODEL_DIR}: writes the embedding of every pin and every board of the store at DIR
 * with the model a {@code train --dataset synthetic:DIR} run wrote into MODEL_DIR, into {@code DIR/embeddings.left}
 * and {@code DIR/embeddings.right}, layer by layer out of core ({@link StoreEmbedder}), with a progress bar per stage
 * on stderr. A killed run resumes from its last finished chunk when started again with the same model and budget.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed every pin and board of the store at DIR with MODEL_DIR's model into DIR/embeddings.left and "
                + "DIR/embeddings.right (boards through their own neighbourhood rows), layer by layer in chunks; resumes a "
                + "killed run.")
final class EmbedCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store directory (a pin-board store)")
    Path dir;

    @Option(names = "--model", required = true, description = "model directory written by train --dataset synthetic:DIR")
    Path model;

    @Option(names = "--memory-budget", defaultValue = "256", paramLabel = "MiB",
            description = "MiB of heap (and device memory) for one chunk of nodes; sets the chunk size (default ${DEFAULT-VALUE})")
    long memoryBudgetMiB;

    @Option(names = "--compare-recursive", defaultValue = "0", paramLabel = "N",
            description = "then evaluate N sampled nodes one at a time over their own K-hop graphs (per-node recursive "
                    + "evaluation), print its nodes/s beside embed's and the largest difference from the stored rows (default: off)")
    int compareRecursive;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        if (memoryBudgetMiB < 1 || memoryBudgetMiB > 1L << 30) {
            throw new IllegalArgumentException("--memory-budget=" + memoryBudgetMiB + ": expected MiB in [1, 2^30]");
        }
        if (compareRecursive < 0) {
            throw new IllegalArgumentException("--compare-recursive=" + compareRecursive + ": expected a node count >= 0");
        }
        long start = System.nanoTime();
        long nodes;
        List<StoreGeneration> published;
        StoreEmbedder.RecursiveSample sample = null;
        double seconds;
        try (GraphStore store = GraphStore.open(dir); Backend backend = device.open()) {
            nodes = store.graph().nodeCount(Side.LEFT) + (long) store.graph().nodeCount(Side.RIGHT);
            published = StoreEmbedder.embed(store, model, backend, memoryBudgetMiB << 20, ProgressBar.stages(System.err));
            seconds = (System.nanoTime() - start) / 1e9;
            if (compareRecursive > 0) {
                sample = StoreEmbedder.recursiveSample(store, model, backend, compareRecursive, 1);
            }
        }
        System.out.printf(Locale.ROOT, "embedded %,d pins and boards in %.1f s (%,.0f nodes/s): %s, %s%n", nodes, seconds,
                nodes / seconds, published.get(0).directory(), published.get(1).directory());
        if (sample != null) {
            System.out.printf(Locale.ROOT, "per-node recursive evaluation: %,d sampled nodes in %.2f s (%,.0f nodes/s); embed "
                            + "is %.1fx faster per node; largest difference from the stored rows %.2g%n", sample.nodes(),
                    sample.seconds(), sample.nodesPerSecond(), nodes / seconds / sample.nodesPerSecond(), sample.maxAbsDifference());
        }
        return 0;
    }
}
