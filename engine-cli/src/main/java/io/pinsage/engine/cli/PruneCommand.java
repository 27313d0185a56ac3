package io.pinsage.engine.cli;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.ResourceLimits;
import io.pinsage.csr.Side;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.csr.prune.PruneSettings;
import io.pinsage.csr.prune.PruneStats;
import io.pinsage.csr.prune.StorePruner;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pinsage prune DIR --out OUT [--max-entropy X | --entropy-quantile Q] [--max-degree D]}: Pixie's graph
 * pruning as a new store ({@link StorePruner}), verified and published atomically, with the source's features, id
 * maps and held-out pairs carried over; prints what was removed.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Prune a graph store into a new one: drop boards whose pins span too many topics (normalised entropy of "
                + "their pins' mean topic distribution, from the pin features) and cap extreme degrees, keeping each node's "
                + "most relevant edges. The result is verified, published atomically, and works with every command the "
                + "source does (features, id maps and held-out pairs are carried over; node ids do not change)."})
final class PruneCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store to prune (only read)")
    Path dir;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "store directory for the result (created; a previous store there is replaced atomically)")
    Path out;

    @ArgGroup(exclusive = true)
    Diversity diversity;

    /** The two ways of setting the diversity limit; at most one is given. */
    static final class Diversity {
        @Option(names = "--max-entropy", paramLabel = "X", description = "drop boards of two or more pins whose normalised topic entropy exceeds X, in (0, 1]")
        Double maxEntropy;

        @Option(names = "--entropy-quantile", paramLabel = "Q", description = "the same with X the Q-quantile of the boards' entropies, in (0, 1): 0.9 drops the most diverse 10%%")
        Double quantile;
    }

    @Option(names = "--max-degree", paramLabel = "D", description = "keep at most D edges per pin and per board, the most relevant (cosine of the pin's features and the board's mean; default: no cap)")
    Integer maxDegree;

    @Option(names = "--max-pin-degree", paramLabel = "D", description = "cap for pins only (default: --max-degree)")
    Integer maxPinDegree;

    @Option(names = "--max-board-degree", paramLabel = "D", description = "cap for boards only (default: --max-degree)")
    Integer maxBoardDegree;

    @Option(names = "--threads", description = "threads of the rebuild's sort passes (default: all cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        PruneSettings settings = settings();
        ResourceLimits.requireThreads("--threads", threads);
        long t0 = System.nanoTime();
        StorePruner.Result r = StorePruner.prune(dir, out, settings, CsrBuildOptions.defaults().withThreads(threads));
        double seconds = (System.nanoTime() - t0) / 1e9;
        print(System.out, r, settings, seconds);
        for (Side side : Side.values()) {
            Path hoods = NeighborhoodStore.defaultRoot(dir, side);
            if (Files.isDirectory(hoods)) {
                System.out.printf("note           %s describes the original graph and was not carried over; rebuild it with: pinsage neighborhoods %s%s%n",
                        hoods, out, side == Side.LEFT ? "" : " --side RIGHT");
            }
        }
        return 0;
    }

    /** The settings the options ask for; IllegalArgumentException naming the option when one is out of range. */
    PruneSettings settings() {
        PruneSettings s = PruneSettings.none();
        if (diversity != null && diversity.maxEntropy != null) {
            double x = diversity.maxEntropy;
            if (!(x > 0 && x <= 1)) {
                throw new IllegalArgumentException("--max-entropy=" + x + ": must lie in (0, 1] (entropy divided by ln(feature dim))");
            }
            s = s.withMaxDiversity(x);
        }
        if (diversity != null && diversity.quantile != null) {
            double q = diversity.quantile;
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException("--entropy-quantile=" + q + ": must lie in (0, 1)");
            }
            s = s.withDiversityQuantile(q);
        }
        int pins = cap("--max-pin-degree", maxPinDegree != null ? maxPinDegree : maxDegree, maxPinDegree != null);
        int boards = cap("--max-board-degree", maxBoardDegree != null ? maxBoardDegree : maxDegree, maxBoardDegree != null);
        s = s.withMaxDegrees(pins, boards);
        if (!s.prunesAnything()) {
            throw new IllegalArgumentException("nothing to prune: give --max-entropy or --entropy-quantile, and/or --max-degree");
        }
        return s;
    }

    private static int cap(String ownName, Integer value, boolean own) {
        if (value == null) {
            return PruneSettings.NO_CAP;
        }
        if (value < 1) {
            throw new IllegalArgumentException((own ? ownName : "--max-degree") + "=" + value + ": must be >= 1");
        }
        return value;
    }

    static void print(PrintStream o, StorePruner.Result r, PruneSettings settings, double seconds) {
        PruneStats s = r.stats();
        o.printf(Locale.ROOT, "pruned         %s in %.1f s%n", r.generation().directory(), seconds);
        if (settings.dropsDiverseBoards()) {
            o.printf(Locale.ROOT, "entropy limit  %.4f%s, over %,d boards of two or more pins%n", s.diversityThreshold(),
                    settings.diversityQuantile() < 1 ? String.format(Locale.ROOT, " (the %.3f quantile)", settings.diversityQuantile()) : "",
                    s.multiPinBoards());
            o.printf(Locale.ROOT, "boards dropped %,d too diverse, holding %,d edges%n", s.boardsDropped(), s.edgesOfDroppedBoards());
        }
        if (settings.maxPinDegree() != PruneSettings.NO_CAP) {
            o.printf(Locale.ROOT, "pin cap        %,d: hit by %,d pins, %,d edges cut%n", settings.maxPinDegree(), s.pinsCapped(), s.edgesCutAtPins());
        }
        if (settings.maxBoardDegree() != PruneSettings.NO_CAP) {
            o.printf(Locale.ROOT, "board cap      %,d: hit by %,d boards, %,d edges cut%n", settings.maxBoardDegree(), s.boardsCapped(), s.edgesCutAtBoards());
        }
        o.printf(Locale.ROOT, "edges          %,d -> %,d (%,d removed, %.2f%% kept)%n", s.edgesBefore(), s.edgesKept(), s.edgesDropped(),
                s.edgesBefore() == 0 ? 100.0 : 100.0 * s.edgesKept() / s.edgesBefore());
        o.printf("carried over   %s%n", r.carried().isEmpty() ? "nothing (the source has no side files)" : String.join(", ", r.carried()));
        o.println("verified       all checksums and invariants hold");
    }
}
