package io.pinsage.csr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Checks that sizes taken from user input fit before anything is allocated for them: a thread count against
 * {@link #MAX_THREADS}, a planned heap allocation against the most the heap may ever hold ({@code -Xmx}), planned
 * files against the free space of their file system. A request
 * that cannot fit is refused with an {@link IllegalArgumentException} naming {@code name=value}, what it would need
 * and what to do instead, rather than failing later with an {@link OutOfMemoryError} half-way through the work.
 *
 * <p>The heap check compares against the heap's maximum, not against what is free now: it never refuses work that
 * could fit after a collection, so an estimate just under the maximum may still fail; it catches the requests that
 * cannot succeed at all. Stateless and thread-safe; each call is O(1).
 */
public final class ResourceLimits {

    /**
     * Most worker threads any pool takes. Far beyond the cores of any machine this runs on; past it each extra
     * thread only adds its stack and scratch memory and contention.
     */
    public static final int MAX_THREADS = 1024;

    private ResourceLimits() {
    }

    /**
     * Returns {@code threads} if it lies in {@code [1, MAX_THREADS]}.
     *
     * @param name the parameter's name as the caller's user knows it (for example {@code threads} or {@code --threads})
     * @throws IllegalArgumentException naming {@code name=threads} and the range otherwise
     */
    public static int requireThreads(String name, int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(name + "=" + threads + ": must lie in [1, " + MAX_THREADS + "] (this machine has "
                    + Runtime.getRuntime().availableProcessors() + " cores)");
        }
        return threads;
    }

    /** The most bytes the heap may hold ({@code -Xmx}); {@link Long#MAX_VALUE} when the JVM sets no limit. */
    public static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Refuses a planned heap allocation of {@code bytes} that exceeds {@link #maxHeap()}.
     *
     * @param what   what asked for it, with the sizes behind it ({@code "leftCount=2000000000 rightCount=10"})
     * @param bytes  the estimate; saturate products with {@link #bytes(long, long)} so that overflow reads as "too much"
     * @param remedy what to do instead, a clause ({@code "renumber the ids densely"}); null for the generic one
     * @throws IllegalArgumentException {@code "WHAT: needs about X GiB of heap, more than the Y GiB the heap may hold
     *                                  (-Xmx); REMEDY"}
     */
    public static void requireHeap(String what, long bytes, String remedy) {
        long max = maxHeap();
        if (bytes > max) {
            String need = bytes == Long.MAX_VALUE ? "more than 8 EiB" : "about " + formatBytes(bytes);
            throw new IllegalArgumentException(what + ": needs " + need + " of heap, more than the "
                    + formatBytes(max) + " the heap may hold (-Xmx); "
                    + (remedy != null ? remedy : "ask for less or give the JVM a larger heap"));
        }
    }

    /**
     * Refuses writing about {@code bytes} under {@code dir} (or its nearest existing ancestor) when its file system
     * has less usable space.
     *
     * @throws IllegalArgumentException {@code "WHAT: needs about X of disk under DIR, Y is free; REMEDY"}
     */
    public static void requireDisk(String what, Path dir, long bytes, String remedy) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        long free = Files.getFileStore(existing).getUsableSpace();
        if (bytes > free) {
            throw new IllegalArgumentException(what + ": needs about " + formatBytes(bytes) + " of disk under " + existing + ", "
                    + formatBytes(free) + " is free; " + remedy);
        }
    }

    /** {@code count * size} in bytes, saturating at {@link Long#MAX_VALUE} instead of overflowing (both >= 0). */
    public static long bytes(long count, long size) {
        long high = Math.multiplyHigh(count, size);
        long low = count * size;
        return high == 0 && low >= 0 ? low : Long.MAX_VALUE;
    }

    /** {@code a + b}, saturating at {@link Long#MAX_VALUE} (both >= 0). */
    public static long plus(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Bytes for people: {@code "512 B"}, {@code "3.0 MiB"}, {@code "16.0 GiB"}. */
    public static String formatBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
