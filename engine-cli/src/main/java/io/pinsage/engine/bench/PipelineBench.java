package io.pinsage.engine.bench;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.engine.pipeline.LightGcnRecommender;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.pipeline.StoreEmbedder;
import io.pinsage.engine.train.LayeredInference;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.engine.util.StageProgress;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.walk.NeighborhoodKind;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The whole PinSage road on a generated pin–board store of a given edge count, one stage after another in this
 * process: generate the store (E/16 pins, E/100 boards: the shape of the billion-edge target), compute the walk
 * neighbourhoods, train a fixed number of steps (the quickstart's model and batch, no hard negatives), embed every pin
 * and board out of core, then evaluate a sample of nodes one at a time by per-node recursive evaluation of the same
 * model. Prints per stage its wall time, throughput, peak heap, peak RSS and peak disk; then the training step's median time
 * (and, with {@code compareEdges}, the ratio to the step on a second generated store, trained in the same run), the
 * inference speed against the recursive one and each embedding stage's rate as a fraction of the machine's
 * random-row read rate or GEMM rate, measured in the run, whichever bounds it, and the bytes on disk per node of every
 * file of the first store and its model.
 *
 * <p>Peaks: before each stage the heap pools' peaks are reset ({@link MemoryPoolMXBean#resetPeakUsage}) and, where
 * the kernel allows it, the process's peak RSS ({@code 5} written to {@code /proc/self/clear_refs}); after it the
 * heap peak printed is the sum of the pools' peaks (an upper bound: pools peak at different times, and garbage not yet
 * collected counts), the live peak the most heap in use after any collection during the stage (the GC beans'
 * notifications; none for a stage without one; a full collection precedes each stage, so no stage's figure holds the
 * garbage of the one before), and the RSS peak {@code VmHWM} of {@code /proc/self/status} (since the
 * process started where the reset is refused, marked so). Disk: the most bytes the work directory's files held at
 * once during the stage (scratch and spill files included), summed by a daemon thread every
 * {@value #DISK_SAMPLE_MS} ms and at the stage's ends. The
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
     * @param width        T, the neighbours of a node's row (the quickstart's 10; PinSage's 50)
     * @param compareEdges edges of a second generated store whose training steps are timed in the same run, for the
     *                     ratio of step times; 0 for none
     * @param readFirst    before each training's first step, read the files its minibatches gather rows from (the
     *                     store's features and offsets, the model's neighbourhood rows) once in order, so that the steps
     *                     find them in the page cache as every epoch after a first one does
     * @param trainOnly    stop after the training stages: no embedding, no limits, no recursive sample
     */
    public record Options(long edges, int steps, int sample, int threads, long memoryBudget, long seed, int width,
                          long compareEdges, boolean readFirst, boolean trainOnly) {

        /** Fewest edges: a store of at least 2,000 pins, so that the evaluation's pool of 1,000 fits. */
        public static final long MIN_EDGES = 32_000;

        /** @throws IllegalArgumentException naming the field out of its range */
        public Options {
            requireEdges("edges", edges);
            if (compareEdges != 0) {
                requireEdges("compareEdges", compareEdges);
            }
            if (width < 1 || width > MAX_WIDTH) {
                throw new IllegalArgumentException("width=" + width + ": must lie in [1, " + MAX_WIDTH + "]");
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

        /** Widest neighbourhood row: a training batch's layer 0 grows with T², and T = 50 is PinSage's. */
        public static final int MAX_WIDTH = 1000;

        private static void requireEdges(String name, long e) {
            if (e < MIN_EDGES || e > 16L * Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + "=" + e + ": must lie in [" + MIN_EDGES + ", " + 16L * Integer.MAX_VALUE + "]");
            }
        }
    }

    private static int pins(long edges) {
        return (int) (edges / 16);
    }

    private static int boards(long edges) {
        return (int) Math.max(1, edges / 100);
    }

    /** How often the bytes under the work directory are summed for the stages' disk peaks. */
    private static final long DISK_SAMPLE_MS = 250;

    /** The directory under the work directory of the {@code compareEdges} store and its model. */
    private static final String COMPARED = "compare";

    /** One stage's measurements. */
    private record Stage(String name, double seconds, String throughput, long heapPeak, long livePeak, long rssPeak,
                         long diskPeak) {
    }

    private final Options options;
    private final Path work;
    private final Backend backend;
    private final StageProgress progress;
    private final PrintStream out;
    private final List<Stage> stages = new ArrayList<>();
    private final AtomicLong livePeak = new AtomicLong();
    /** The most bytes the work directory's files held at once during the stage, sampled. */
    private final AtomicLong diskPeak = new AtomicLong();
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
        ScheduledExecutorService disk = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pipeline-disk-sampler");
            t.setDaemon(true);
            return t;
        });
        disk.scheduleWithFixedDelay(this::sampleDisk, DISK_SAMPLE_MS, DISK_SAMPLE_MS, TimeUnit.MILLISECONDS);
        try {
            runStages();
        } finally {
            disk.shutdownNow();
            unlisten.forEach(Runnable::run);
        }
    }

    private void sampleDisk() {
        diskPeak.accumulateAndGet(workBytes(), Math::max);
    }

    /**
     * The bytes of the regular files under the work directory now (their lengths: the store and scratch files are
     * written out, not sparse); files deleted while it walks count as gone.
     */
    private long workBytes() {
        long total = 0;
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                try {
                    if (Files.isRegularFile(f)) {
                        total += Files.size(f);
                    }
                } catch (IOException e) {
                    // deleted between the listing and the size: no longer on disk
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // a directory deleted during the walk: sum what was seen
        }
        return total;
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
        long nodes = (long) pins(options.edges()) + boards(options.edges());
        out.printf(Locale.ROOT, "pipeline: %,d edges, %,d pins, %,d boards; %d training steps; T=%d; %d threads; heap max %,d MiB%n",
                options.edges(), pins(options.edges()), boards(options.edges()), options.steps(), options.width(),
                options.threads(), Runtime.getRuntime().maxMemory() >> 20);
        generate(storeDir, options.edges(), "");
        try (GraphStore store = GraphStore.open(storeDir)) {
            double step = train(store, modelDir, nodes, "");
            if (options.compareEdges() > 0) {
                compare(step);
            }
            if (options.trainOnly()) {
                printStages();
                notes.forEach(out::println);
                printFiles(nodes);
                return;
            }
            resetPeaks();
            Map<String, Double> stageSeconds = new LinkedHashMap<>();
            long e0 = System.nanoTime();
            StoreEmbedder.embed(store, modelDir, backend, options.memoryBudget(), timed(progress, stageSeconds));
            double embed = seconds(e0);
            endStage("embed", embed, String.format(Locale.ROOT, "%,.0f nodes/s", nodes / embed));
            limits(modelDir, nodes, stageSeconds);

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

    /** Generates a store of {@code edges} edges (E/16 pins, E/100 boards) into {@code dir}, timed as a stage. */
    private void generate(Path dir, long edges, String label) throws IOException {
        long nodes = (long) pins(edges) + boards(edges);
        resetPeaks();
        long t0 = System.nanoTime();
        new PinBoardGenerator(GeneratorConfig.of(pins(edges), boards(edges), edges, options.seed())).writeStore(dir,
                CsrBuildOptions.defaults());
        double generate = seconds(t0);
        endStage("generate" + label, generate, String.format(Locale.ROOT, "%,.0f edges/s, %,.0f nodes/s", edges / generate,
                nodes / generate));
    }

    /**
     * The training stage again on a generated store of {@code compareEdges} edges, same model, batch and steps, and
     * the ratio of the median step times.
     */
    private void compare(double step) throws IOException {
        long e2 = options.compareEdges();
        String label = " @" + (e2 % 1_000_000 == 0 ? e2 / 1_000_000 + "M" : e2 % 1000 == 0 ? e2 / 1000 + "k" : Long.toString(e2));
        Path storeDir = work.resolve(COMPARED).resolve("store");
        generate(storeDir, e2, label);
        double other;
        try (GraphStore store = GraphStore.open(storeDir)) {
            other = train(store, work.resolve(COMPARED).resolve("model"), (long) pins(e2) + boards(e2), label);
        }
        notes.add(String.format(Locale.ROOT, "training step, same run: median %.1f ms at %,d edges against %.1f ms at %,d "
                + "edges: %.2fx", step, options.edges(), other, e2, step / other));
    }

    /** {@code progress} whose stages also record their seconds, start to last node, into {@code seconds} by name. */
    private static StageProgress timed(StageProgress progress, Map<String, Double> seconds) {
        return (name, unit, total) -> {
            LongConsumer bar = progress.start(name, unit, total);
            long start = System.nanoTime();
            return done -> {
                bar.accept(done);
                if (done >= total) {
                    seconds.putIfAbsent(name, seconds(start));
                }
            };
        };
    }

    /**
     * Each stage of the embedding run against the machine's limits for it, measured here: for a reduce stage the rate
     * of reading random rows of the messages' width from a mapped file of the messages' size (T rows per node), and
     * for every stage the backend's GEMM rate for the stage's shape (a chunk of rows times its weight); the lower of
     * the two bounds the stage, and the fraction printed is the stage's rate over that bound.
     */
    private void limits(Path modelDir, long nodes, Map<String, Double> stageSeconds) throws IOException {
        PinSageConfig c = PinSageModel.load(modelDir.resolve(LightGcnRecommender.MODEL), backend).config();
        int width = options.width();
        int chunk = LayeredInference.chunkRows(c, width, (int) nodes, options.memoryBudget());
        double rowsPerSecond = randomRowReads(nodes, c.hiddenDim());
        notes.add(String.format(Locale.ROOT, "inference against the machine's limits, same run: random reads of %d-float rows "
                        + "from a %,d MiB mapped file on %d threads %,.0f rows/s; GEMMs of %,d-row chunks on the backend",
                c.hiddenDim(), nodes * c.hiddenDim() * 4 >> 20, options.threads(), rowsPerSecond, chunk));
        notes.add(String.format(Locale.ROOT, "  %-15s %12s %16s %16s %-22s %8s", "stage", "nodes/s", "read bound", "GEMM bound",
                "GEMM shape, GFLOP/s", "fraction"));
        for (int layer = 1; layer <= c.layers(); layer++) {
            int in = layer == 1 ? c.inputDim() : c.convolveDim();
            for (boolean map : new boolean[] {true, false}) {
                String name = LayeredInference.stageName(2 * layer - (map ? 1 : 0));
                Double sec = stageSeconds.get(name);
                if (sec == null) {
                    continue;
                }
                int k = map ? in : in + c.hiddenDim();
                int n = map ? c.hiddenDim() : c.convolveDim();
                double flops = gemmRate(chunk, k, n);
                double gemmBound = flops / (2.0 * k * n);
                double readBound = map ? Double.POSITIVE_INFINITY : rowsPerSecond / width;
                double rate = nodes / sec;
                boolean reads = readBound < gemmBound;
                notes.add(String.format(Locale.ROOT, "  %-15s %,12.0f %16s %,16.0f %-22s %8s", name, rate,
                        map ? "-" : String.format(Locale.ROOT, "%,.0f", readBound), gemmBound,
                        String.format(Locale.ROOT, "%dx%dx%d, %.1f", chunk, k, n, flops / 1e9),
                        String.format(Locale.ROOT, "%.2f %s", rate / Math.min(readBound, gemmBound), reads ? "read" : "GEMM")));
            }
        }
    }

    /**
     * Rows per second read at random positions, {@code width} floats each, from a file of {@code rows} such rows
     * mapped as the embedding run maps its scratch, on the run's threads; the file is deleted afterwards.
     */
    private double randomRowReads(long rows, int width) throws IOException {
        Path file = work.resolve("random-rows.probe");
        long bytes = rows * width * 4L;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE); Arena arena = Arena.ofShared()) {
            ByteBuffer block = ByteBuffer.allocate(1 << 20);
            new SplittableRandom(options.seed()).ints(block.capacity() / 4).forEach(block::putInt);
            for (long at = 0; at < bytes; at += block.capacity()) {
                block.clear().limit((int) Math.min(block.capacity(), bytes - at));
                while (block.hasRemaining()) {
                    ch.write(block, at + block.position());
                }
            }
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
            long perThread = Math.max(1, Math.min(rows, 4_000_000) / options.threads());
            AtomicLong sink = new AtomicLong();
            long t0 = System.nanoTime();
            IntStream.range(0, options.threads()).parallel().forEach(t -> {
                SplittableRandom rnd = new SplittableRandom(options.seed() + t);
                float[] row = new float[width];
                float sum = 0;
                for (long i = 0; i < perThread; i++) {
                    MemorySegment.copy(m, ValueLayout.JAVA_FLOAT, 4L * width * rnd.nextLong(rows), row, 0, width);
                    sum += row[0];
                }
                sink.addAndGet(Float.floatToRawIntBits(sum));
            });
            double s = seconds(t0);
            return perThread * options.threads() / s;
        }
    }

    /** The backend's GEMM rate in flops per second for an {@code m x k} by {@code k x n} product (best of a few). */
    private double gemmRate(int m, int k, int n) {
        try (Tensor a = backend.allocate("limits.a", m, k); Tensor b = backend.allocate("limits.b", k, n);
             Tensor out = backend.allocate("limits.c", m, n)) {
            backend.fill(a, 0.5f);
            backend.fill(b, 0.25f);
            float[] host = new float[Math.multiplyExact(m, n)];
            double best = 0;
            for (int rep = 0; rep < 6; rep++) {
                long t0 = System.nanoTime();
                backend.gemm(false, false, 1f, a, b, 0f, out);
                backend.download(out, host, 0);
                best = Math.max(best, 2.0 * m * k * n / seconds(t0));
            }
            return best;
        }
    }

    /** The neighbourhoods and the training, told apart by the neighbourhood stage's last report; the median step in ms. */
    private double train(GraphStore store, Path modelDir, long nodes, String label) throws IOException {
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
                options.width(), d.steps(), d.hardBand(), d.poolSize(), d.k(), d.training().withEpochs(1));
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
                    endStage("neighborhoods" + label, s, String.format(Locale.ROOT, "%,.0f nodes/s", nodes / s));
                    resetPeaks();
                }
            };
        };
        List<Long> stepEnds = new ArrayList<>();
        List<Long> waits = new ArrayList<>();
        long[][] layerNodes = {new long[0]};
        String[] readFirst = {null};
        TrainingProgress steps = (epochs, metric, log) -> new TrainingListener() {
            @Override
            public void batchTaken(int epoch, int b, MiniBatch minibatch, long waitNanos) {
                if (options.readFirst() && readFirst[0] == null) {
                    readFirst[0] = readFirst(store.generation().directory(), modelDir);
                }
                waits.add(waitNanos);
                int layers = minibatch.graph().layers();
                if (layerNodes[0].length != layers + 1) {
                    layerNodes[0] = new long[layers + 1];
                }
                for (int k = 0; k <= layers; k++) {
                    layerNodes[0][k] += minibatch.graph().nodeCount(k);
                }
            }

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
        int half = gaps.length / 2;
        double firstHalfMs = medianMs(Arrays.copyOfRange(gaps, 0, half));
        double secondHalfMs = medianMs(Arrays.copyOfRange(gaps, half, gaps.length));
        double medianMs = medianMs(gaps);
        // the wait of step i (i >= 1) falls in gap i - 1, between the ends of steps i - 1 and i
        long[] stepWaits = waits.stream().skip(1).mapToLong(Long::longValue).toArray();
        StringBuilder perLayer = new StringBuilder();
        for (int k = 0; k < layerNodes[0].length; k++) {
            perLayer.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "layer %d %,.0f", k,
                    layerNodes[0][k] / (double) Math.max(1, waits.size())));
        }
        double stepSeconds = stepEnds.size() < 2 ? Double.NaN : (stepEnds.getLast() - stepEnds.getFirst()) / 1e9;
        endStage("train" + label, train, String.format(Locale.ROOT, "%,.0f pairs/s over %d steps", (stepEnds.size() - 1) * (double) batch
                / stepSeconds, stepEnds.size()));
        notes.add(String.format(Locale.ROOT, "training step%s: median %.1f ms (batch %d, %d shared negatives, T=%d, K=2, width %d; %d steps);"
                        + " the train stage adds validation and the held-out ranking: hit@%d %.4f, MRR %.4f", label, medianMs, batch,
                o.training().sharedNegatives(), o.width(), o.dim(), stepEnds.size(), o.k(), row.metrics().hitRate(),
                row.metrics().mrr()));
        notes.add(String.format(Locale.ROOT, "training step%s: median of the first %d steps %.1f ms, of the last %d %.1f ms; "
                        + "waited for minibatches: median %.1f ms a step, %.0f %% of the steps' time; nodes a batch reads, "
                        + "mean: %s (layer 0: the inputs)%s", label, half, firstHalfMs, gaps.length - half, secondHalfMs,
                medianMs(stepWaits), 100.0 * LongStream.of(stepWaits).sum() / Math.max(1, LongStream.of(gaps).sum()), perLayer,
                readFirst[0] == null ? "" : "; " + readFirst[0]));
        return medianMs;
    }

    /** The median of {@code nanos} in ms, NaN when empty; sorts a copy. */
    private static double medianMs(long[] nanos) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    /**
     * Reads once, in order, the files a training step gathers rows from: the store generation's features and offsets
     * and the model's neighbourhood rows; returns what it read, for the report.
     */
    private static String readFirst(Path generation, Path modelDir) {
        long t0 = System.nanoTime();
        long bytes = 0;
        int files = 0;
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try {
            List<Path> hot = new ArrayList<>();
            try (Stream<Path> s = Files.list(generation)) {
                s.filter(f -> f.getFileName().toString().endsWith(".features") || f.getFileName().toString().endsWith(".offsets"))
                        .forEach(hot::add);
            }
            try (Stream<Path> s = Files.walk(modelDir)) {
                s.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().equals("neighborhoods")).forEach(hot::add);
            }
            for (Path f : hot) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    int n;
                    while ((n = ch.read(buffer.clear())) >= 0) {
                        bytes += n;
                    }
                }
                files++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the training's files first: " + e.getMessage(), e);
        }
        return String.format(Locale.ROOT, "read first: %d files, %,.1f MiB in %.1f s", files, bytes / 1048576.0,
                seconds(t0));
    }

    private void printStages() {
        out.printf(Locale.ROOT, "%-17s %9s  %-38s %14s %14s %14s %14s%n", "stage", "wall s", "throughput", "peak heap MiB",
                "live heap MiB", "peak RSS MiB", "peak disk MiB");
        for (Stage s : stages) {
            out.printf(Locale.ROOT, "%-17s %9.1f  %-38s %14.1f %14s %14.1f %14.1f%n", s.name(), s.seconds(), s.throughput(),
                    s.heapPeak() / 1048576.0, s.livePeak() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", s.livePeak() / 1048576.0),
                    s.rssPeak() / 1048576.0, s.diskPeak() / 1048576.0);
        }
        out.println("(peak heap: sum of the heap pools' peaks, garbage included, an upper bound; live heap: the most in use after"
                + " a collection during the stage, '-' without one; a full collection precedes each stage; peak RSS: VmHWM, mapped"
                + " files' pages included"
                + (rssResettable ? ", reset before each stage" : " since the process started: the kernel refused its reset")
                + "; peak disk: the most bytes of the work directory's files at once, summed every " + DISK_SAMPLE_MS
                + " ms and at the stage's ends, the compared store's included)");
    }

    private void printFiles(long nodes) throws IOException {
        out.printf(Locale.ROOT, "%-58s %16s %12s%n", "file (bytes on disk per node of the %,d pins and boards)".formatted(nodes),
                "bytes", "bytes/node");
        long total = 0;
        Path compared = work.resolve(COMPARED);
        try (Stream<Path> files = Files.walk(work)) {
            // the compared store's files are of other nodes
            for (Path f : files.filter(f -> Files.isRegularFile(f) && !f.startsWith(compared)).sorted().toList()) {
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
        sampleDisk();
        stages.add(new Stage(name, seconds, throughput, heap, livePeak.get(), peakRss(), diskPeak.get()));
    }

    private void resetPeaks() {
        // a full collection first, so that no stage's live heap holds the garbage of the one before
        System.gc();
        livePeak.set(0);
        diskPeak.set(workBytes());
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
