package io.pinsage.engine.cli;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.engine.util.FileTrees;
import io.pinsage.nn.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The README's first command: the whole pipeline on built-in synthetic data, as a sequence of named steps.
 * Each step is one entry of {@link #steps()}; later stages of the pipeline append theirs. Its working directory
 * (the store and the model) is a temporary one, deleted at the end (also on Ctrl-C) unless {@code --keep}, or the
 * {@code --work} directory, which is kept.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Run the pipeline on a small synthetic pin-board graph: generate, build the store, print statistics, verify, train PinSage and compare it with content-only and Pixie.")
final class QuickstartCommand implements Callable<Integer> {

    @Mixin
    DeviceOption device;

    @Option(names = "--work", description = "Working directory, kept at the end (default: a fresh temporary directory,"
            + " deleted at the end unless --keep).")
    Path work;

    @Option(names = "--keep", description = "Keep the temporary working directory (the store and the model) at the end.")
    boolean keep;

    @Mixin
    GraphSizeOptions size = new GraphSizeOptions(200_000, 20_000, 2_000_000, 42);

    @Option(names = "--ablations", description = "Also train the ablations (uniform neighbourhoods; no hard negatives).")
    boolean ablations;

    @Option(names = "--hard-band", paramLabel = "FROM-TO", description = "PPR ranks of PinSage's hard negatives; default "
            + "2000-5000, scaled down on graphs with fewer than 40 pins per rank of its end")
    String hardBand;

    /** One stage of the quickstart. */
    private record Step(String title, StepAction action) {
    }

    @FunctionalInterface
    private interface StepAction {
        void run(Path work) throws Exception;
    }

    private List<Step> steps() {
        return List.of(
                new Step("generate a synthetic pin-board graph and build its store", this::generate),
                new Step("open the store and print its statistics", this::describe),
                new Step("verify every checksum of the store", this::verify),
                new Step("train PinSage on the graph and compare it with content-only and Pixie on held-out pairs",
                        this::compare));
    }

    private void compare(Path dir) throws Exception {
        try (Backend backend = device.open()) {
            // the verify step has just read every byte of the store
            SyntheticComparison.run(store(dir), model(dir),
                    SyntheticComparison.options(Runtime.getRuntime().availableProcessors(), null, hardBand), ablations, false, backend,
                    System.out, System.err);
        }
    }

    private Path store(Path dir) {
        return dir.resolve("store");
    }

    private Path model(Path dir) {
        return dir.resolve("model");
    }

    private void generate(Path dir) throws Exception {
        GeneratorConfig c = size.config();
        long t0 = System.nanoTime();
        new PinBoardGenerator(c).writeStore(store(dir), CsrBuildOptions.defaults());
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%,d pins, %,d boards, %,d edges, %d topics, %d-dim pin features: %.1f s (%.1f M edges/s)%n",
                c.pins(), c.boards(), c.edges(), c.topics(), c.featureDim(), s, c.edges() / s / 1e6);
    }

    private void describe(Path dir) throws Exception {
        try (GraphStore store = GraphStore.open(store(dir))) {
            StoreReport.print(store, System.out);
        }
    }

    private void verify(Path dir) throws Exception {
        long t0 = System.nanoTime();
        try (GraphStore store = GraphStore.open(store(dir))) {
            store.verify();
        }
        System.out.printf("all checksums and invariants hold (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public Integer call() throws Exception {
        boolean delete = work == null && !keep;
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("pinsage-quickstart");
        System.out.println("quickstart working directory: " + dir + (delete ? " (temporary: deleted at the end; --keep keeps it)"
                : " (kept at the end)"));
        Thread onInterrupt = new Thread(() -> deleteQuietly(dir), "quickstart-cleanup");
        if (delete) {
            Runtime.getRuntime().addShutdownHook(onInterrupt);
        }
        boolean done = false;
        try {
            List<Step> steps = steps();
            for (int i = 0; i < steps.size(); i++) {
                System.out.printf("%n== step %d/%d: %s%n", i + 1, steps.size(), steps.get(i).title());
                steps.get(i).action().run(dir);
            }
            done = true;
        } finally {
            if (delete) {
                // after a failed step the cleanup must not replace the step's error with one of its own
                long bytes = done ? FileTrees.bytes(dir) : 0;
                if (done) {
                    FileTrees.delete(dir);
                } else {
                    deleteQuietly(dir);
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(onInterrupt);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway and finds nothing left to delete
                }
                if (done) {
                    System.out.printf(Locale.ROOT, "%nquickstart done; deleted the working directory %s (%.0f MB: the store and the"
                            + " model); --keep or --work DIR keeps them, to serve the store with ./pinsage serve DIR/store%n",
                            dir, bytes / 1e6);
                } else {
                    System.out.printf("%ndeleted the working directory %s%n", dir);
                }
            }
        }
        if (!delete) {
            System.out.printf("%nquickstart done; kept the working directory %s:%n  %s  the graph store: ./pinsage info %<s,"
                    + " ./pinsage walk %<s --query 0%n  %s  the PinSage model: ./pinsage evaluate --model %<s --dataset synthetic:%s%n",
                    dir, store(dir), model(dir), store(dir));
            System.out.printf("to serve the store over HTTP (Pixie recommendations; related pins by PinSage once the model has"
                    + " embedded its pins and they are indexed):%n  ./pinsage embed %1$s --model %2$s%n  ./pinsage index %1$s%n"
                    + "  ./pinsage serve %1$s --port 8080 --topics %3$d%n", store(dir), model(dir), size.config().topics());
        }
        return 0;
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            System.err.println("quickstart: could not delete " + dir + ": " + CliErrors.describe(e));
        }
    }
}
