package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.MemoryHeadroom;
import io.pinsage.csr.Residency;
import io.pinsage.csr.ResidencyPolicy;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code --residency auto|mapped|anonymous-huge-pages} option of the commands that walk a store (add it with
 * {@code @Mixin ResidencyOption residency;} and open the store with {@link #open}): how the graph's adjacency is held
 * ({@link Residency}). {@code auto}, the default, leaves the choice to {@link ResidencyPolicy#auto} with the memory
 * {@link MemoryHeadroom#probe()} finds beside the heap and the command's expected walk steps. The choice and its
 * reason are printed. Not thread-safe (picocli fills it before the command runs).
 */
final class ResidencyOption {

    static final String AUTO = "auto";

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
        Residency asked = asked();
        ResidencyPolicy.Choice c = asked != null ? new ResidencyPolicy.Choice(asked, "as asked")
                : ResidencyPolicy.forStore(dir, walkSteps);
        log.println("residency: " + name(c.residency()) + " (" + c.reason() + ")");
        return GraphStore.open(dir, c.residency());
    }

    /** The residency asked for; {@code null} for auto. */
    Residency asked() {
        return parse(value);
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

    private static String name(Residency r) {
        return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
