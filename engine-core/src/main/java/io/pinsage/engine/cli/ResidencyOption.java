package io.pinsage.engine.cli;

import io.pinsage.csr.CsrLayout;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Residency;
import io.pinsage.csr.format.StoreDirectory;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --residency auto|mapped|anonymous-huge-pages} option of the commands that walk a store (add it with
 * {@code @Mixin ResidencyOption residency;} and open the store with {@link #open}): how the graph's adjacency is held
 * ({@link Residency}). {@code auto}, the default, copies it into huge-page anonymous memory when it takes at most half
 * of the memory available beside the heap ({@link MemoryHeadroom}), so the copy never crowds the machine, and when
 * the command's walk is long enough for the copy to pay for itself ({@link #STEPS_PER_COPIED_BYTE}); it maps the
 * files otherwise or when the available memory is unknown. The choice and its reason are printed. Not
 * thread-safe (picocli fills it before the command runs).
 */
final class ResidencyOption {

    static final String AUTO = "auto";

    /**
     * Walk steps per adjacency byte above which a huge-page copy pays: the copy reads the adjacency once (about
     * 0.3 ns a byte), a step on the copy saves about 30 ns over the mapped files (25.2 vs 14.1 M steps/s on the
     * 200 M-edge store, BENCHMARKS.md "Walks"), so it pays beyond one step per 100 bytes.
     */
    static final double STEPS_PER_COPIED_BYTE = 0.01;

    /** The result of {@link #choose}: the residency and why, as printed. */
    record Choice(Residency residency, String reason) {
        String line() {
            return "residency: " + name(residency) + " (" + reason + ")";
        }
    }

    @Option(names = "--residency", defaultValue = AUTO, paramLabel = "RESIDENCY",
            description = "How the store's adjacency is held: auto, mapped (the files, mapped) or anonymous-huge-pages (a copy "
                    + "in huge-page memory: faster walks, costs its size in RAM and one read at open); auto copies when the "
                    + "adjacency takes at most half of the memory available beside the heap (default: ${DEFAULT-VALUE}).")
    String value = AUTO;

    /**
     * Opens the store at {@code dir} as {@code --residency} says, printing the choice and why on {@code log}.
     *
     * @param walkSteps about how many walk steps the command will take ({@link Long#MAX_VALUE}: many)
     */
    GraphStore open(Path dir, PrintStream log, long walkSteps) throws IOException {
        Residency asked = parse(value);
        long adjacency = adjacencyBytes(StoreDirectory.openCurrent(dir).files());
        Choice c = choose(asked, adjacency, asked == null ? MemoryHeadroom.probe() : MemoryHeadroom.UNKNOWN, walkSteps);
        log.println(c.line());
        return GraphStore.open(dir, c.residency());
    }

    /**
     * The residency for a store whose adjacency takes {@code adjacencyBytes}: {@code asked} when given, else (auto)
     * huge pages when that is at most half of {@code headroomBytes} and {@code walkSteps} pays for the copy, mapped
     * when not or when the headroom is {@link MemoryHeadroom#UNKNOWN}.
     */
    static Choice choose(Residency asked, long adjacencyBytes, long headroomBytes, long walkSteps) {
        if (asked != null) {
            return new Choice(asked, "as asked");
        }
        if (walkSteps < adjacencyBytes * STEPS_PER_COPIED_BYTE) {
            return new Choice(Residency.MAPPED, String.format(Locale.ROOT,
                    "auto: %,d walk steps would not pay for copying the adjacency's %s", walkSteps, gib(adjacencyBytes)));
        }
        if (headroomBytes < 0) {
            return new Choice(Residency.MAPPED, "auto: the memory available is unknown here");
        }
        String sizes = String.format(Locale.ROOT, "the adjacency's %s %s half of the %s available beside the heap",
                gib(adjacencyBytes), adjacencyBytes <= headroomBytes / 2 ? "fits in" : "exceeds", gib(headroomBytes));
        return new Choice(adjacencyBytes <= headroomBytes / 2 ? Residency.ANONYMOUS_HUGE_PAGES : Residency.MAPPED, "auto: " + sizes);
    }

    /** A residency by name in any case, hyphens or underscores between words; {@code null} for auto. */
    static Residency parse(String text) {
        String name = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        if (name.equals("AUTO")) {
            return null;
        }
        for (Residency r : Residency.values()) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("residency=" + text + ": expected auto, mapped or anonymous-huge-pages");
    }

    /** Bytes a huge-page copy takes: offsets, neighbours and weights of both sides. */
    static long adjacencyBytes(Map<String, Long> files) {
        return files.entrySet().stream().filter(e -> CsrLayout.isAdjacency(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    private static String name(Residency r) {
        return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String gib(long bytes) {
        return bytes < 1L << 30 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
