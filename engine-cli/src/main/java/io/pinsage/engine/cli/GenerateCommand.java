package io.pinsage.engine.cli;

import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Generates a synthetic pin–board graph store. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a synthetic pin-board graph store (topics, power-law degrees, pin features, held-out pairs), deterministic from --seed.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Store directory (created; a previous store there is replaced atomically).")
    Path out;

    @Mixin
    GraphSizeOptions size = new GraphSizeOptions(100_000, 10_000, 1_000_000, 42);

    @Option(names = "--topics", description = "Latent topics (default: 64, or fewer for tiny graphs).")
    Integer topics;

    @Option(names = "--feature-dim", description = "Pin feature dimension; 0 for none (default ${DEFAULT-VALUE}).")
    int featureDim = 16;

    @Option(names = "--pairs", description = "Held-out engagement pairs (default: pins/10, at most 10000).")
    Integer pairs;

    @Option(names = "--diverse-boards", paramLabel = "F", description = "Fraction of catch-all boards, whose pins come from every topic (default ${DEFAULT-VALUE}).")
    double diverseBoards = 0;

    @Mixin
    BuildOptionsMixin build;

    GeneratorConfig config() {
        GeneratorConfig c = size.config().withFeatureDim(featureDim).withDiverseBoards(diverseBoards);
        if (topics != null) {
            c = c.withTopics(topics, topics / 8);
        }
        if (pairs != null) {
            c = c.withHeldOutPairs(pairs);
        }
        return c;
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        new PinBoardGenerator(config()).writeStore(out, build.options());
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("generated %,d edges in %.1f s (%.2f M edges/s)%n", size.edges, s, size.edges / s / 1e6);
        try (GraphStore store = GraphStore.open(out)) {
            StoreReport.print(store, System.out);
        }
        return 0;
    }
}
