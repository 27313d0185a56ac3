package io.pinsage.engine.bench;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.pipeline.StoreEmbedder;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.engine.util.StageProgress;
import io.pinsage.nn.backend.Backend;
import io.pinsage.walk.NeighborhoodKind;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The whole PinSage road on a generated pin–board store of a given edge count, one stage after another in this
 * process: generate the store (E/16 pins, E/100 boards: the shape of the billion-edge target), compute the walk
 * neighbourhoods, train a fixed number of steps (the quickstart's model and batch, no hard negatives), embed every pin
 * and board out of core, then evaluate a sample of nodes one at a time by per-node recursive evaluation of the same
 * model. Prints per stage its wall time, throughput, peak heap and peak RSS; then the training step's median time,
 * the inference speed against the recursive one, and the bytes on disk per node of every file.
 *
 * <p>Peaks: before each stage the heap pools' peaks are reset ({@link MemoryPoolMXBean#resetPeakUsage}) and, where
 * the kernel allows it, the process's peak RSS ({@code 5} written to {@code /proc/self/clear_refs}); after it the
 * heap peak printed is the sum of the pools' peaks (an upper bound: pools peak at different times, and garbage not yet
 * collected counts), the live peak the most heap in use after any collection during the stage (the GC beans'
 * notifications; none for a stage without one; a full collection precedes each stage, so no stage's figure holds the
 * garbage of the one before), and the RSS peak {@code VmHWM} of {@code /proc/self/status} (since the
 * process started where the reset is refused, marked so). The
 * neighbourhoods and the training run inside one library call; their boundary is where the neighbourhood stage
 * reports its last node.
 *
 * <p>Threading: {@link #run} on the calling thread, which must own the backend. Prints to the stream it is given.
 */
public final class PipelineBench {

    /**
     * @param edges        edges of the generated store
     * @param steps        training steps (batches of the default batch size)
     * @param sample       nodes evaluated one at a time by per-node recursive evaluation
     * @param threads      threads of neighbourhoods, sampling and evaluation
     * @param memoryBudget bytes of heap for one chunk of the embedding run
     * @param seed         seeds the generator and the training
     */
    public record Options(long edges, int steps, int sample, int threads, long memoryBudget, long seed) {

        /** Fewest edges: a store of at least 2,000 pins, so that the evaluation's pool of 1,000 fits. */
        public static final long MIN_EDGES = 32_000;

        /** @throws IllegalArgumentException naming the field out of its range */
        public Options {
            if (edges < MIN_EDGES || edges > 16L * Integer.MAX_VALUE) {
                throw new IllegalArgumentException("edges=" + edges + ": must lie in [" + MIN_EDGES + ", " + 16L * Integer.MAX_VALUE + "]");
            }
            if (steps < 1 || steps > 1_000_000) {
                throw new IllegalArgumentException("steps=" + steps + ": must lie in [1, 1000000]");
            }
            if (sample < 1 || sample > 1_000_000) {
                throw new IllegalArgumentException("sample=" + sample + ": must lie in [1, 1000000]");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads=" + threads + ": must be >= 1");
            }
            if (memoryBudget < 1) {
                throw new IllegalArgumentException("memoryBudget=" + memoryBudget + ": must be >= 1 byte");
            }
        }

        int pins() {
            return (int) (edges / 16);
        }

        int boards() {
            return (int) Math.max(1, edges / 100);
        }
    }

    /** One stage's measurements. */
    private record Stage(String name, double seconds, String throughput, long heapPeak, long livePeak, long rssPeak) {
    }

    private final Options options;
    private final Path work;
    private final Backend backend;
    private final StageProgress progress;
    private final PrintStream out;
    private final List<Stage> stages = new ArrayList<>();
    private final AtomicLong livePeak = new AtomicLong();
    private final List<String> notes = new ArrayList<>();
    private boolean rssResettable;

    /**
     * @param work     an empty or missing directory for the store ({@code work/store}) and the model ({@code work/model})
     * @param progress where the long stages draw their progress
     */
    public PipelineBench(Options options, Path work, Backend backend, StageProgress progress, PrintStream out) {
        this.options = options;
        this.work = work;
        this.backend = backend;
        this.progress = progress;
        this.out = out;
    }

    /** Runs every stage and prints the report. */
    public void run() throws IOException {
        List<Runnable> unlisten = listenToCollections();
        try {
            runStages();
        } finally {
            unlisten.forEach(Runnable::run);
        }
    }

    /** Keeps in {@link #livePeak} the most heap in use after each collection; returns how to stop listening. */
    private List<Runnable> listenToCollections() {
        List<Runnable> undo = new ArrayList<>();
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        NotificationListener listener = (notification, handback) -> {
            if (notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
                long used = info.getMemoryUsageAfterGc().entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                        .mapToLong(e -> e.getValue().getUsed()).sum();
                livePeak.accumulateAndGet(used, Math::max);
            }
        };
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                undo.add(() -> {
                    try {
                        emitter.removeNotificationListener(listener);
                    } catch (ListenerNotFoundException e) {
                        // already gone: nothing to undo
                    }
                });
            }
        }
        return undo;
    }

    private void runStages() throws IOException {
        Path storeDir = work.resolve("store");
        Path modelDir = work.resolve("model");
        int pins = options.pins();
        int boards = options.boards();
        long nodes = (long) pins + boards;
        out.printf(Locale.ROOT, "pipeline: %,d edges, %,d pins, %,d boards; %d training steps; %d threads; heap max %,d MiB%n",
                options.edges(), pins, boards, options.steps(), options.threads(), Runtime.getRuntime().maxMemory() >> 20);

        resetPeaks();
        long t0 = System.nanoTime();
        new PinBoardGenerator(GeneratorConfig.of(pins, boards, options.edges(), options.seed())).writeStore(storeDir,
                CsrBuildOptions.defaults());
        double generate = seconds(t0);
        endStage("generate", generate, String.format(Locale.ROOT, "%,.0f edges/s, %,.0f nodes/s", options.edges() / generate,
                nodes / generate));

        try (GraphStore store = GraphStore.open(storeDir)) {
            train(store, modelDir, nodes);
            resetPeaks();
            long e0 = System.nanoTime();
            StoreEmbedder.embed(store, modelDir, backend, options.memoryBudget(), progress);
            double embed = seconds(e0);
            endStage("embed", embed, String.format(Locale.ROOT, "%,.0f nodes/s", nodes / embed));

            resetPeaks();
            StoreEmbedder.RecursiveSample sample = StoreEmbedder.recursiveSample(store, modelDir, backend, options.sample(),
                    options.seed());
            endStage("recursive sample", sample.seconds(), String.format(Locale.ROOT, "%,.0f nodes/s (%d nodes)",
                    sample.nodesPerSecond(), sample.nodes()));
            printStages();
            notes.forEach(out::println);
            out.printf(Locale.ROOT, "inference: embed %,.0f nodes/s, per-node recursive evaluation %,.0f nodes/s: %.1fx faster "
                            + "per node (largest difference from the stored rows %.2g)%n", nodes / embed, sample.nodesPerSecond(),
                    nodes / embed / sample.nodesPerSecond(), sample.maxAbsDifference());
        }
        printFiles(nodes);
    }

    /** The neighbourhoods and the training, told apart by the neighbourhood stage's last report. */
    private void train(GraphStore store, Path modelDir, long nodes) throws IOException {
        PinBoardRecommender.Options d = PinBoardRecommender.Options.defaults(options.threads());
        int batch = d.training().batchSize();
        long wanted = (long) options.steps() * batch;
        // the run keeps min(1000, pairs / 10) pairs for validation: draw enough that the rest makes the steps
        long pairs = wanted;
        while (pairs - Math.min(1000, pairs / 10) < wanted) {
            pairs++;
        }
        if (pairs > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("steps=" + options.steps() + ": " + pairs + " training pairs, at most 2^31 - 64");
        }
        PinBoardRecommender.Options o = new PinBoardRecommender.Options((int) pairs, d.embedDim(), d.dim(), d.normalizeOutput(),
                d.width(), d.steps(), d.hardBand(), d.poolSize(), d.k(), d.training().withEpochs(1));
        long[] hoodEnd = new long[1];
        AtomicBoolean hoodDone = new AtomicBoolean();
        StageProgress marking = (name, unit, total) -> {
            LongConsumer bar = progress.start(name, unit, total);
            if (!name.equals("neighborhoods")) {
                return bar;
            }
            long start = System.nanoTime();
            resetPeaks();
            return done -> {
                bar.accept(done);
                if (done == total && hoodDone.compareAndSet(false, true)) {
                    hoodEnd[0] = System.nanoTime();
                    double s = (hoodEnd[0] - start) / 1e9;
                    endStage("neighborhoods", s, String.format(Locale.ROOT, "%,.0f nodes/s", nodes / s));
                    resetPeaks();
                }
            };
        };
        List<Long> stepEnds = new ArrayList<>();
        TrainingProgress steps = (epochs, metric, log) -> new TrainingListener() {
            @Override
            public void batchDone(int epoch, int b, int batches, double loss) {
                stepEnds.add(System.nanoTime());
            }
        };
        PinBoardRecommender.Row row = new PinBoardRecommender(store, o, backend, marking).trainAndEvaluate("PinSage",
                NeighborhoodKind.WALK, 0, modelDir, steps);
        double train = seconds(hoodEnd[0]);
        long[] gaps = new long[Math.max(0, stepEnds.size() - 1)];
        for (int i = 1; i < stepEnds.size(); i++) {
            gaps[i - 1] = stepEnds.get(i) - stepEnds.get(i - 1);
        }
        java.util.Arrays.sort(gaps);
        double medianMs = gaps.length == 0 ? Double.NaN : gaps[gaps.length / 2] / 1e6;
        double stepSeconds = stepEnds.size() < 2 ? Double.NaN : (stepEnds.getLast() - stepEnds.getFirst()) / 1e9;
        endStage("train", train, String.format(Locale.ROOT, "%,.0f pairs/s over %d steps", (stepEnds.size() - 1) * (double) batch
                / stepSeconds, stepEnds.size()));
        notes.add(String.format(Locale.ROOT, "training step: median %.1f ms (batch %d, %d shared negatives, T=%d, K=2, width %d; %d steps);"
                        + " the train stage adds validation and the held-out ranking: hit@%d %.4f, MRR %.4f", medianMs, batch,
                o.training().sharedNegatives(), o.width(), o.dim(), stepEnds.size(), o.k(), row.metrics().hitRate(),
                row.metrics().mrr()));
    }

    private void printStages() {
        out.printf(Locale.ROOT, "%-17s %9s  %-38s %14s %14s %14s%n", "stage", "wall s", "throughput", "peak heap MiB",
                "live heap MiB", "peak RSS MiB");
        for (Stage s : stages) {
            out.printf(Locale.ROOT, "%-17s %9.1f  %-38s %14.1f %14s %14.1f%n", s.name(), s.seconds(), s.throughput(),
                    s.heapPeak() / 1048576.0, s.livePeak() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", s.livePeak() / 1048576.0),
                    s.rssPeak() / 1048576.0);
        }
        out.println("(peak heap: sum of the heap pools' peaks, garbage included, an upper bound; live heap: the most in use after"
                + " a collection during the stage, '-' without one; a full collection precedes each stage; peak RSS: VmHWM, mapped"
                + " files' pages included"
                + (rssResettable ? ", reset before each stage)" : " since the process started: the kernel refused its reset)"));
    }

    private void printFiles(long nodes) throws IOException {
        out.printf(Locale.ROOT, "%-58s %16s %12s%n", "file (bytes on disk per node of the %,d pins and boards)".formatted(nodes),
                "bytes", "bytes/node");
        long total = 0;
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                long size = Files.size(f);
                total += size;
                if (size >= 4096) {
                    out.printf(Locale.ROOT, "%-58s %,16d %12.2f%n", work.relativize(f), size, (double) size / nodes);
                }
            }
        }
        out.printf(Locale.ROOT, "%-58s %,16d %12.2f%n", "all files (those under 4 KiB not listed)", total, (double) total / nodes);
    }

    private void endStage(String name, double seconds, String throughput) {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        stages.add(new Stage(name, seconds, throughput, heap, livePeak.get(), peakRss()));
    }

    private void resetPeaks() {
        // a full collection first, so that no stage's live heap holds the garbage of the one before
        System.gc();
        livePeak.set(0);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            rssResettable = true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            rssResettable = false;
        }
    }

    /** {@code VmHWM} of this process in bytes, or -1 where {@code /proc} does not tell it. */
    private static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
