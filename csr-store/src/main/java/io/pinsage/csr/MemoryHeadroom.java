package io.pinsage.csr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How much memory this process could still take outside its heap without pushing the machine (or its cgroup) into
 * reclaim: the kernel's {@code MemAvailable}, capped by what the cgroup v2 memory limit leaves, less the heap's room
 * to grow ({@code -Xmx} minus what is committed), which the JVM may claim later. Linux only; elsewhere unknown.
 * The input of {@link ResidencyPolicy#auto} that depends on the machine. Stateless and thread-safe; each call reads
 * procfs and sysfs again (a few small files) and never throws.
 */
public final class MemoryHeadroom {

    /** What {@link #probe()} returns when the machine does not say. */
    public static final long UNKNOWN = -1;

    private MemoryHeadroom() {
    }

    /** Bytes available outside the heap now, or {@link #UNKNOWN}. */
    public static long probe() {
        try {
            Path meminfo = Path.of("/proc/meminfo");
            if (!Files.isReadable(meminfo)) {
                return UNKNOWN;
            }
            long available = memAvailable(Files.readAllLines(meminfo));
            Path max = Path.of("/sys/fs/cgroup/memory.max");
            Path current = Path.of("/sys/fs/cgroup/memory.current");
            if (available >= 0 && Files.isReadable(max) && Files.isReadable(current)) {
                long left = cgroupRemaining(Files.readString(max), Files.readString(current));
                if (left >= 0) {
                    available = Math.min(available, left);
                }
            }
            Runtime rt = Runtime.getRuntime();
            return available < 0 ? UNKNOWN : Math.max(0, available - (rt.maxMemory() - rt.totalMemory()));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** {@code MemAvailable} of {@code /proc/meminfo} lines, in bytes, or {@link #UNKNOWN} when absent or unreadable. */
    static long memAvailable(List<String> meminfo) {
        for (String line : meminfo) {
            if (line.startsWith("MemAvailable:")) {
                String[] f = line.substring("MemAvailable:".length()).trim().split("\\s+");
                try {
                    return Long.parseLong(f[0]) * (f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1);
                } catch (NumberFormatException e) {
                    return UNKNOWN;
                }
            }
        }
        return UNKNOWN;
    }

    /** What a cgroup v2 {@code memory.max} leaves beside {@code memory.current}; {@link #UNKNOWN} for "max" (no limit). */
    static long cgroupRemaining(String max, String current) {
        String m = max.trim();
        if (m.equals("max")) {
            return UNKNOWN;
        }
        try {
            return Math.max(0, Long.parseLong(m) - Long.parseLong(current.trim()));
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }
}
