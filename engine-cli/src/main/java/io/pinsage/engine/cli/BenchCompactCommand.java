package io.pinsage.engine.cli;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Side;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.engine.util.FileTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code pinsage bench compact}: how long a compaction of a live graph takes. Generates a synthetic store (with pin
 * features, id-less), then per round adds {@code --recent} edges (saves between random store pins and boards, one
 * in {@code --new-every} from a new pin) to a live graph over it and compacts them into a new generation on one
 * build thread, timing the run (edge pass, external build, id maps and features, verification, publication) and the
 * switch with the log's cut. Each round compacts onto the previous round's generation, so the base grows. Prints
 * one row per round: edges written, seconds, edges written per second, and the extrapolation to 100 M recent edges
 * on a base of the same size at that rate (compaction rewrites the whole store: its cost follows base plus recent
 * edges).
 */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = "Generate a synthetic store, add recent edges to a live graph over it and compact them into a new "
                + "store generation, several rounds: time, edges written per second, extrapolation to 100 M recent edges.")
final class BenchCompactCommand implements Callable<Integer> {

    @Mixin
    GraphSizeOptions size = new GraphSizeOptions(100_000, 10_000, 2_000_000, 42);

    @Option(names = "--recent", description = "Recent edges added before each compaction, default ${DEFAULT-VALUE}.")
    int recent = 1_000_000;

    @Option(names = "--new-every", description = "One recent edge in this many comes from a new pin, default ${DEFAULT-VALUE}.")
    int newEvery = 20;

    @Option(names = "--rounds", description = "Compactions, default ${DEFAULT-VALUE}.")
    int rounds = 3;

    @Option(names = "--work", description = "Working directory for the store, kept (default: a temporary directory, deleted at the end).")
    Path work;

    @Override
    public Integer call() throws Exception {
        if (recent < 1 || newEvery < 1 || rounds < 1) {
            throw new IllegalArgumentException((recent < 1 ? "--recent=" + recent : newEvery < 1 ? "--new-every=" + newEvery
                    : "--rounds=" + rounds) + ": must be >= 1");
        }
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("pinsage-bench-compact");
        try {
            Path root = dir.resolve("store");
            long t0 = System.nanoTime();
            new PinBoardGenerator(size.config()).writeStore(root, CsrBuildOptions.defaults());
            System.out.printf(Locale.ROOT, "generated %,d pins, %,d boards, %,d edges in %.1f s: %s%n", size.pins, size.boards,
                    size.edges, (System.nanoTime() - t0) / 1e9, root);
            System.out.printf(Locale.ROOT, "%-6s %14s %14s %10s %10s %14s %22s%n", "round", "base edges", "recent edges",
                    "new pins", "seconds", "edges/s", "100 M recent (est.)");
            SplittableRandom rnd = new SplittableRandom(size.seed);
            try (GraphStore store = GraphStore.open(root); LiveGraph live = LiveGraph.inMemory(store, LiveGraph.Limits.defaults())) {
                EdgeBatch batch = new EdgeBatch();
                long nextPin = Long.MAX_VALUE / 2;
                for (int round = 1; round <= rounds; round++) {
                    int boards = live.nodeCount(Side.RIGHT);
                    int newPins = 0;
                    for (int i = 0; i < recent; i++) {
                        // existing pins by their generated ids: the new ones are named by large external ids
                        String pin = i % newEvery == 0 ? Long.toString(nextPin++) : Integer.toString(rnd.nextInt(size.pins));
                        newPins += i % newEvery == 0 ? 1 : 0;
                        batch.add(pin, Integer.toString(rnd.nextInt(boards)));
                        if (batch.size() == 10_000 || i == recent - 1) {
                            live.add(batch);
                            batch.clear();
                        }
                    }
                    long base = live.baseEdges();
                    long start = System.nanoTime();
                    live.compact(CsrBuildOptions.defaults().withThreads(1));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double rate = (base + recent) / seconds;
                    System.out.printf(Locale.ROOT, "%-6d %,14d %,14d %,10d %10.2f %,14.0f %20.0f s%n", round, base, recent,
                            newPins, seconds, rate, (base + 100_000_000.0) / rate);
                }
            }
        } finally {
            if (work == null) {
                FileTrees.delete(dir);
            }
        }
        return 0;
    }
}
