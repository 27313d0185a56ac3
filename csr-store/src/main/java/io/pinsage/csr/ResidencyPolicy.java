package io.pinsage.csr;

import io.pinsage.csr.format.StoreDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a store's adjacency is worth copying into huge-page memory ({@link Residency#ANONYMOUS_HUGE_PAGES}) or is
 * better read from the mapped files ({@link Residency#MAPPED}), from three explicit inputs: the adjacency's size
 * ({@link #adjacencyBytes}), the memory available beside the heap ({@link MemoryHeadroom#probe()} on this machine)
 * and the walk steps the caller expects to take. It copies when the adjacency takes at most half of that memory, so
 * the copy never crowds the machine, and when the walk is long enough for the copy to pay for itself
 * ({@link #STEPS_PER_COPIED_BYTE}); it maps otherwise or when the memory is {@link MemoryHeadroom#UNKNOWN}.
 * Stateless and thread-safe; reads nothing but in {@link #forStore}.
 */
public final class ResidencyPolicy {

    /**
     * Walk steps per adjacency byte above which a huge-page copy pays: the copy reads the adjacency once (about
     * 0.3 ns a byte), a step on the copy saves about 30 ns over the mapped files (25.2 vs 14.1 M steps/s on the
     * 200 M-edge store, BENCHMARKS.md "Walks"), so it pays beyond one step per 100 bytes.
     */
    public static final double STEPS_PER_COPIED_BYTE = 0.01;

    /**
     * A residency and why it was chosen.
     *
     * @param residency how to open the store
     * @param reason    a human-readable reason, e.g. {@code auto: the adjacency's 4.00 GiB fits in half of ...}
     */
    public record Choice(Residency residency, String reason) {
    }

    private ResidencyPolicy() {
    }

    /**
     * The residency for a store whose adjacency takes {@code adjacencyBytes}, with {@code availableBytes} of memory
     * beside the heap ({@link MemoryHeadroom#UNKNOWN} or negative: unknown) and about {@code walkSteps} walk steps
     * ahead ({@link Long#MAX_VALUE}: many).
     */
    public static Choice auto(long adjacencyBytes, long availableBytes, long walkSteps) {
        if (walkSteps < adjacencyBytes * STEPS_PER_COPIED_BYTE) {
            return new Choice(Residency.MAPPED, String.format(Locale.ROOT,
                    "auto: %,d walk steps would not pay for copying the adjacency's %s", walkSteps, gib(adjacencyBytes)));
        }
        if (availableBytes < 0) {
            return new Choice(Residency.MAPPED, "auto: the memory available is unknown here");
        }
        boolean fits = adjacencyBytes <= availableBytes / 2;
        String sizes = String.format(Locale.ROOT, "the adjacency's %s %s half of the %s available beside the heap",
                gib(adjacencyBytes), fits ? "fits in" : "exceeds", gib(availableBytes));
        return new Choice(fits ? Residency.ANONYMOUS_HUGE_PAGES : Residency.MAPPED, "auto: " + sizes);
    }

    /**
     * {@link #auto} for the store at {@code root} on this machine: its current generation's adjacency and the memory
     * {@link MemoryHeadroom#probe()} finds. Reads the store's manifest and {@code /proc}; the one rule by which
     * the commands and an embedding host open a store.
     */
    public static Choice forStore(Path root, long walkSteps) throws IOException {
        return auto(adjacencyBytes(StoreDirectory.openCurrent(root).files()), MemoryHeadroom.probe(), walkSteps);
    }

    /** Bytes a huge-page copy takes: offsets, neighbours and weights of both sides, from a generation's file sizes. */
    public static long adjacencyBytes(Map<String, Long> files) {
        return files.entrySet().stream().filter(e -> CsrLayout.isAdjacency(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    private static String gib(long bytes) {
        return bytes < 1L << 30 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
