package io.pinsage.engine.cli;

import io.pinsage.csr.CsrBuildStats;
import io.pinsage.csr.CsrBuilder;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.engine.util.FileTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/**
 * Scale run of the store build: measures the disk's sequential write rate with a plain large write, then
 * generates and builds a synthetic store of the given size, and reports wall time, edges/s, peak RSS and heap,
 * bytes per edge on disk, and the build's write rate as a fraction of the disk's.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Generate and build a synthetic store at scale; report wall time, edges/s, peak RSS and heap, bytes per edge, and the ratio to the disk's sequential write rate measured in the same run.")
final class BenchBuildCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, description = "Scratch directory for the store (needs about 17 bytes per edge free).")
    Path dir;

    @Mixin
    GraphSizeOptions size = new GraphSizeOptions(62_500_000, 10_000_000, 1_000_000_000L, 42);

    @Option(names = "--disk-probe-mib", description = "MiB written by the disk probe (more than the page cache absorbs quickly), default ${DEFAULT-VALUE}.")
    int probeMib = 4096;

    @Option(names = "--keep", description = "Keep the store instead of deleting it after the run.")
    boolean keep;

    @Mixin
    BuildOptionsMixin build;

    @Override
    public Integer call() throws Exception {
        if (probeMib < 1) {
            throw new IllegalArgumentException("--disk-probe-mib=" + probeMib + ": must be >= 1");
        }
        Files.createDirectories(dir);
        double diskMBs = probeDisk(dir.resolve("disk-probe.bin"), (long) probeMib << 20);
        System.out.printf("disk sequential write   %.0f MB/s (%d MiB, fsync'd)%n", diskMBs, probeMib);

        Path root = dir.resolve("store");
        GeneratorConfig config = size.config().withFeatureDim(0).withHeldOutPairs(0);
        long edges = size.edges;
        PinBoardGenerator gen = new PinBoardGenerator(config);
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        double genS, sortS;
        CsrBuildStats stats;
        try (Publication p = StoreDirectory.beginPublication(root)) {
            CsrBuilder builder = new CsrBuilder(p.directory(), p.scratchDirectory(), build.options());
            gen.generateEdges(builder, build.threads);
            long t1 = System.nanoTime();
            genS = (t1 - t0) / 1e9;
            stats = builder.build(size.pins, size.boards);
            p.commit();
            sortS = (System.nanoTime() - t1) / 1e9;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - cpu0) / 1e9;
        long storeBytes;
        long adjacency;
        try (GraphStore store = GraphStore.open(root)) {
            storeBytes = store.generation().totalBytes();
            adjacency = StoreReport.adjacencyBytes(store.generation().files());
            StoreReport.print(store, System.out);
        }
        double writtenMB = (stats.spillBytes() + storeBytes) / 1e6;
        System.out.printf("%nedges                   %,d (%,d pins, %,d boards, seed %d, %d threads)%n", edges, size.pins, size.boards, size.seed, build.threads);
        System.out.printf("wall time               %.1f s (generate + spill %.1f s, sort + write %.1f s)%n", wall, genS, sortS);
        System.out.printf("edges/s                 %.2f M overall; generator path (generate + spill) %.2f M%n", edges / wall / 1e6, edges / genS / 1e6);
        System.out.printf("cpu                     %.1f s (%.2f cores busy on average)%n", cpu, cpu / wall);
        System.out.printf("peak RSS                %.2f GiB (VmHWM)%n", peakRssKb() / 1048576.0);
        System.out.printf("peak heap               %.2f GiB of max %.2f GiB%n", peakHeap() / (double) (1L << 30), Runtime.getRuntime().maxMemory() / (double) (1L << 30));
        System.out.printf("bytes/edge on disk      %.3f adjacency (offsets + neighbours, both directions); %.3f all files%n",
                adjacency / (double) edges, storeBytes / (double) edges);
        System.out.printf("bytes written           %.0f MB (spill %.0f + store %.0f) = %.0f MB/s, %.2f of the disk's sequential rate%n",
                writtenMB, stats.spillBytes() / 1e6, storeBytes / 1e6, writtenMB / wall, writtenMB / wall / diskMBs);
        if (!keep) {
            FileTrees.delete(root);
        }
        return 0;
    }

    private static double probeDisk(Path file, long bytes) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect((int) Math.min(8 << 20, bytes));
        while (block.hasRemaining()) {
            block.putLong(block.position() * 0x9E3779B97F4A7C15L);
        }
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            for (long written = 0; written < bytes; written += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) {
                    ch.write(block);
                }
            }
            ch.force(true);
        } finally {
            Files.deleteIfExists(file);
        }
        return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Peak resident set size in KiB from /proc/self/status (VmHWM); -1 where there is no procfs. */
    private static long peakRssKb() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Sum of the heap pools' peak usage: an upper bound of the heap ever in use at once. */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
