package io.pinsage.engine.cli;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Side;
import io.pinsage.csr.prune.PruneSettings;
import io.pinsage.csr.prune.StorePruner;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.util.FileTrees;
import io.pinsage.nn.backend.Backend;
import io.pinsage.walk.NeighborhoodKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pinsage bench prune-quality}: what graph pruning does to recommendation quality. Generates a synthetic
 * pin–board store, prunes it at each of the given strengths ({@link StorePruner}), and ranks the generator's held-out
 * pairs on the original and on every pruned store with the PinSage protocol (hit@K and MRR among a shared pool of
 * random pins; {@link PinBoardRecommender}): Pixie always, PinSage with quickstart-size training when {@code --train}
 * is given. Prints one row per store with the ratios pruned/original.
 */
@Command(name = "prune-quality", mixinStandardHelpOptions = true,
        description = "Generate a synthetic store, prune it at several strengths, and compare Pixie (and with --train PinSage) "
                + "on the original and pruned stores: hit@10 and MRR on the held-out pairs, ratios pruned/original.")
final class BenchPruneQualityCommand implements Callable<Integer> {

    @Mixin
    GraphSizeOptions size = new GraphSizeOptions(100_000, 10_000, 1_000_000, 42);

    @Mixin
    DeviceOption device;

    @Option(names = "--work", description = "Working directory for the stores and models, kept (default: a temporary directory, deleted at the end).")
    Path work;

    @Option(names = "--levels", split = ",", paramLabel = "Q:D",
            description = "Pruning strengths, each an entropy quantile Q (boards above it dropped; '-' for none) and an optional "
                    + "degree cap D for pins and boards (default: ${DEFAULT-VALUE}).")
    List<String> levels = List.of("0.95", "0.8", "0.8:200");

    @Option(names = "--diverse-boards", paramLabel = "F",
            description = "Fraction of catch-all boards in the generated graph, whose pins come from every topic (default ${DEFAULT-VALUE}).")
    double diverseBoards = 0.2;

    @Option(names = "--pixie-steps", description = "Walk steps per Pixie query, default ${DEFAULT-VALUE}.")
    long pixieSteps = 20_000;

    @Option(names = "--train", description = "Also train and rank PinSage (quickstart-size settings) on every store.")
    boolean train;

    /** One pruning strength. */
    record Level(String label, PruneSettings settings) {
    }

    /** One store's figures. */
    private record Result(String label, long edges, int boardsDropped, PinBoardRecommender.Row pixie, PinBoardRecommender.Row pinsage) {
    }

    @Override
    public Integer call() throws Exception {
        List<Level> parsed = new ArrayList<>();
        for (String l : levels) {
            parsed.add(parseLevel(l));
        }
        if (pixieSteps < 1) {
            throw new IllegalArgumentException("--pixie-steps=" + pixieSteps + ": must be >= 1");
        }
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("pinsage-prune-quality");
        try {
            measure(dir, parsed);
        } finally {
            if (work == null) {
                // a temporary directory of several stores and models: nothing of it is wanted once the table is printed
                FileTrees.delete(dir);
                System.out.println("deleted the temporary working directory " + dir + "; --work DIR keeps the stores and models");
            }
        }
        return 0;
    }

    private void measure(Path dir, List<Level> parsed) throws Exception {
        Path original = dir.resolve("original");
        long t0 = System.nanoTime();
        PinBoardGenerator generator = new PinBoardGenerator(size.config().withDiverseBoards(diverseBoards));
        generator.writeStore(original, CsrBuildOptions.defaults());
        System.out.printf(Locale.ROOT, "generated      %,d pins, %,d boards (%.0f%% catch-alls), %,d edges (seed %d) in %.1f s: %s%n", size.pins,
                size.boards, 100 * diverseBoards, size.edges, size.seed, (System.nanoTime() - t0) / 1e9, original);
        List<Path> stores = new ArrayList<>(List.of(original));
        List<Integer> dropped = new ArrayList<>(List.of(0));
        for (int i = 0; i < parsed.size(); i++) {
            Path out = dir.resolve("pruned-" + (i + 1));
            long p0 = System.nanoTime();
            StorePruner.Result r = StorePruner.prune(original, out, parsed.get(i).settings(), CsrBuildOptions.defaults());
            System.out.printf(Locale.ROOT, "%n== %s%n", parsed.get(i).label());
            PruneCommand.print(System.out, r, parsed.get(i).settings(), (System.nanoTime() - p0) / 1e9);
            if (diverseBoards > 0) {
                System.out.println(catchAllsAmongEmptied(generator, out));
            }
            stores.add(out);
            dropped.add(r.stats().boardsDropped());
        }
        List<Result> results = new ArrayList<>();
        int threads = Runtime.getRuntime().availableProcessors();
        PinBoardRecommender.Options options = PinBoardRecommender.Options.defaults(threads);
        try (Backend backend = device.open()) {
            for (int i = 0; i < stores.size(); i++) {
                String label = i == 0 ? "original" : parsed.get(i - 1).label();
                System.out.printf("%n== evaluating %s%n", label);
                try (GraphStore store = GraphStore.open(stores.get(i))) {
                    PinBoardRecommender rec = new PinBoardRecommender(store, options, backend);
                    PinBoardRecommender.Row pixie = rec.pixieBaseline(pixieSteps);
                    System.out.printf(Locale.ROOT, "Pixie          %s (%.1f s)%n", pixie.metrics().summaryLine(), pixie.seconds());
                    PinBoardRecommender.Row pinsage = null;
                    if (train) {
                        pinsage = rec.trainAndEvaluate("PinSage", NeighborhoodKind.WALK, options.training().maxHardNegatives(),
                                dir.resolve("model-" + i), ConsoleProgress.withPlots(System.err));
                        System.out.printf(Locale.ROOT, "PinSage        %s (%.1f s)%n", pinsage.metrics().summaryLine(), pinsage.seconds());
                    }
                    results.add(new Result(label, store.graph().edgeCount(), dropped.get(i), pixie, pinsage));
                }
            }
        }
        printTable(results, options.k(), options.poolSize());
    }

    /** How many of the boards the pruning emptied are the generator's catch-alls: the diversity criterion's precision. */
    private static String catchAllsAmongEmptied(PinBoardGenerator generator, Path pruned) throws IOException {
        int emptied = 0;
        int catchAlls = 0;
        try (GraphStore store = GraphStore.open(pruned)) {
            for (int b = 0; b < store.graph().nodeCount(Side.RIGHT); b++) {
                if (store.graph().degree(Side.RIGHT, b) == 0) {
                    emptied++;
                    catchAlls += generator.isDiverse(b) ? 1 : 0;
                }
            }
        }
        return String.format(Locale.ROOT, "catch-alls     %,d of the %,d boards left without edges (%.1f%%; %.0f%% of all boards are)", catchAlls,
                emptied, emptied == 0 ? 0.0 : 100.0 * catchAlls / emptied, 100 * generator.config().diverseBoards());
    }

    private static void printTable(List<Result> results, int k, int pool) {
        Result base = results.get(0);
        boolean train = base.pinsage() != null;
        System.out.printf(Locale.ROOT, "%n%-30s %8s %11s %8s %8s %7s %7s%s%n", "store", "boards-", "edges", "Pixie@" + k, "MRR",
                "ratio@" + k, "ratioMRR", train ? String.format(Locale.ROOT, " %9s %8s %7s %7s", "PinSage@" + k, "MRR", "ratio@" + k, "ratioMRR") : "");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-30s %8d %11s %8.4f %8.4f %7.3f %7.3f", r.label(), r.boardsDropped(), String.format("%,d", r.edges()),
                    r.pixie().metrics().hitRate(), r.pixie().metrics().mrr(),
                    r.pixie().metrics().hitRate() / base.pixie().metrics().hitRate(), r.pixie().metrics().mrr() / base.pixie().metrics().mrr());
            if (train) {
                System.out.printf(Locale.ROOT, " %9.4f %8.4f %7.3f %7.3f", r.pinsage().metrics().hitRate(), r.pinsage().metrics().mrr(),
                        r.pinsage().metrics().hitRate() / base.pinsage().metrics().hitRate(), r.pinsage().metrics().mrr() / base.pinsage().metrics().mrr());
            }
            System.out.println();
        }
        System.out.printf(Locale.ROOT, "(%d held-out pairs, each positive ranked among %d random pins; ratios are pruned/original)%n",
                base.pixie().metrics().pairs(), pool);
    }

    /** {@code Q:D}, {@code Q}, {@code -:D}: entropy quantile in (0, 1) or '-', optional degree cap >= 1. */
    static Level parseLevel(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("--levels=" + text + ": expected Q:D, Q or -:D");
        }
        PruneSettings s = PruneSettings.none();
        try {
            if (!parts[0].equals("-")) {
                double q = Double.parseDouble(parts[0]);
                if (!(q > 0 && q < 1)) {
                    throw new IllegalArgumentException("--levels=" + text + ": quantile " + q + " must lie in (0, 1)");
                }
                s = s.withDiversityQuantile(q);
            }
            if (parts.length == 2) {
                int d = Integer.parseInt(parts[1]);
                if (d < 1) {
                    throw new IllegalArgumentException("--levels=" + text + ": degree cap " + d + " must be >= 1");
                }
                s = s.withMaxDegrees(d, d);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--levels=" + text + ": expected Q:D with Q a number in (0, 1) or '-', D an integer");
        }
        if (!s.prunesAnything()) {
            throw new IllegalArgumentException("--levels=" + text + ": prunes nothing");
        }
        String label = (s.dropsDiverseBoards() ? "entropy q" + parts[0] : "no entropy") + (parts.length == 2 ? ", degree <= " + parts[1] : "");
        return new Level(label, s);
    }
}
