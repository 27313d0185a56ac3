package io.pinsage.engine.bench;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.ResourceLimits;
import io.pinsage.csr.Side;
import io.pinsage.walk.NeighborhoodBuilder;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;
import io.pinsage.walk.RandomReadProbe;
import io.pinsage.walk.RandomWalker;
import io.pinsage.walk.TableWalker;
import io.pinsage.walk.UniformEdgeChooser;
import io.pinsage.walk.WalkRandom;
import io.pinsage.walk.WalkTable;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The walk benchmarks behind {@code pinsage bench walks}: uniform walk steps per second per core (many walkers
 * in lockstep, then one) against the machine's random-read rate measured in the same run on an array as large
 * as the graph; Pixie query latency (p50, p99) single-threaded and throughput on several threads; importance
 * neighbourhood computation in nodes per second. Unless told not to, the uniform walk and Pixie are measured a
 * second time over a {@link WalkTable} built from the graph, the table walk against reads of a random cycle as
 * large as the table with as many chains as it has lanes (beside the table where the heap holds both, otherwise
 * just before the table is built in the memory the cycle leaves and again once the table is gone). Either engine can be left out: a billion-edge
 * store leaves no room for a CSR probe beside its table. Prints each figure as it is measured.
 *
 * <p>Single-threaded driver (it starts its own worker threads where a figure needs them). Timings use
 * {@link System#nanoTime()} after a warm-up pass of the same work (for Pixie: every timed query once).
 */
public final class WalkBench {

    /**
     * What to measure and how hard; the random-read probe is as large as the graph's CSR but at most
     * {@code probeMaxBytes} (a machine that maps a huge store may not also hold a heap array of its size).
     * With {@code walkTable} the uniform walk and Pixie are measured a second time over a {@link WalkTable}
     * (8 bytes per edge and 8 per node more memory), walked with {@code tableLanes} lanes. Without {@code csr} the CSR walk, its
     * probe, its Pixie engine and its neighbourhoods are skipped.
     */
    public record Options(int lanes, double seconds, long pixieSteps, int pixieQueries, int threads, int neighborhoodNodes,
                          long probeMaxBytes, long seed, boolean walkTable, int tableLanes, boolean csr) {

        /**
         * @throws IllegalArgumentException naming {@code field=value} and its range: lanes outside [1, 1024] (the
         *                                  walkers' bound), a thread count or Pixie budget beyond its bound, or query
         *                                  and node lists (held for the whole run) beyond the heap
         */
        public Options {
            if (lanes < 1 || lanes > 1024 || tableLanes < 1 || tableLanes > 1024) {
                throw new IllegalArgumentException("lanes=" + lanes + " tableLanes=" + tableLanes + ": must lie in [1, 1024]");
            }
            ResourceLimits.requireThreads("threads", threads);
            PixieQuery.requireSteps("pixieSteps", pixieSteps);
            if (pixieQueries < 1 || neighborhoodNodes < 1) {
                throw new IllegalArgumentException("pixieQueries=" + pixieQueries + " neighborhoodNodes=" + neighborhoodNodes
                        + ": must be >= 1");
            }
            // a built query is about a hundred bytes
            ResourceLimits.requireHeap("pixieQueries=" + pixieQueries + " neighborhoodNodes=" + neighborhoodNodes,
                    ResourceLimits.plus(ResourceLimits.bytes(pixieQueries, 128), ResourceLimits.bytes(neighborhoodNodes, 4)),
                    "time fewer queries or nodes");
        }
    }

    private static final int ROUNDS = 3;

    private final BipartiteGraph graph;
    private final Options options;
    private final PrintStream out;
    /**
     * Where the table's cycle could not be kept beside it: the reads measured before the table was built and the
     * table walk's rates, so that the reads can be measured again once the table is gone; null otherwise.
     */
    private double[] readsBefore;
    private double[] tableSteps;

    public WalkBench(BipartiteGraph graph, Options options, PrintStream out) {
        this.graph = graph;
        this.options = options;
        this.out = out;
    }

    /** Runs every measurement in turn. */
    public void run() throws InterruptedException {
        long graphBytes = 4L * 2 * graph.edgeCount() + 8L * (graph.nodeCount(Side.LEFT) + graph.nodeCount(Side.RIGHT) + 2);
        out.printf("graph          %,d pins, %,d boards, %,d edges (%.2f GiB of CSR)%n", graph.nodeCount(Side.LEFT),
                graph.nodeCount(Side.RIGHT), graph.edgeCount(), graphBytes / (double) (1L << 30));
        double csrSteps = options.csr() ? csrWalk(graphBytes) : 0;
        WalkTable table = options.walkTable() ? tableWalk(csrSteps) : null;
        // A service runs one engine; here the one measured second runs code the JIT compiled from the first's
        // profile (the visit map, the selector), which cost the table engine up to half its speed when the CSR
        // engine went first. The table engine, the one that meets the targets, goes first.
        if (table != null) {
            pixie("pixie table", new PixieEngine(table, options.tableLanes()));
            NeighborhoodConfig config = neighborhoodConfig(options.tableLanes());
            neighborhoods("neighborhoods table", config, new NeighborhoodBuilder(table, config, options.threads()));
        }
        table = null; // let the table go before the CSR figures
        if (readsBefore != null) {
            readsAgain();
        }
        if (options.csr()) {
            pixie("pixie", new PixieEngine(graph, UniformEdgeChooser.INSTANCE, options.lanes()));
            NeighborhoodConfig config = neighborhoodConfig(NeighborhoodConfig.defaults(Side.LEFT).lanes());
            neighborhoods("neighborhoods", config, new NeighborhoodBuilder(graph, config, options.threads()));
        }
    }

    /**
     * The CSR walk against a random cycle as large as the CSR (within the probe cap). Reads and steps alternate,
     * and the ratio is taken per adjacent pair, so that load from other processes on a shared machine shifts
     * both figures of a pair alike; the median pair is reported.
     *
     * @return the median step rate with {@code lanes} walkers
     */
    private double csrWalk(long graphBytes) {
        int lanes = options.lanes();
        RandomReadProbe probe = probe("probe", Math.min(graphBytes, options.probeMaxBytes()), "");
        double[] reads = new double[ROUNDS];
        double[] steps = new double[ROUNDS];
        double[] ratios = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            reads[r] = readRate(probe, lanes);
            steps[r] = stepRate(lanes);
            ratios[r] = steps[r] / reads[r];
            out.printf("  round %d      %.1f M reads/s with %d chains, %.1f M steps/s with %d walkers in lockstep: %.0f%%%n",
                    r + 1, reads[r] / 1e6, lanes, steps[r] / 1e6, lanes, 100 * ratios[r]);
        }
        // The single walker goes last: measured first, it left the step loop compiled for one lane (on the table,
        // the lockstep rate measured after it fell by 16%: BENCHMARKS.md).
        double reads1 = readRate(probe, 1);
        double steps1 = stepRate(1);
        out.printf("one at a time  %.1f M random reads/s with 1 chain, %.1f M steps/s with 1 walker%n", reads1 / 1e6,
                steps1 / 1e6);
        double readsK = median(reads);
        double stepsK = median(steps);
        out.printf("random reads   %.1f M/s with %d chains (%.1f ns per read), median of %d%n", readsK / 1e6, lanes,
                1e9 / readsK, ROUNDS);
        out.printf("uniform walk   %.1f M steps/s per core with %d walkers in lockstep, x%.2f over 1 walker%n",
                stepsK / 1e6, lanes, stepsK / steps1);
        out.printf("  ratio        %.0f%% of the random-read rate (median pair; target >= 50%%); %.0f%% of 19 M steps/s%n",
                100 * median(ratios), 100 * stepsK / 19e6);
        return stepsK;
    }

    /**
     * The table walk against a random cycle as large as the table, read with as many chains as it has lanes. Where
     * the heap cannot hold both at once (a billion edges: 7.5 GiB each) the cycle is measured first and dropped,
     * and the table is built in the memory it leaves; the ratio is then one of medians.
     *
     * @param csrSteps the CSR walk's rate to compare with, 0 if not measured
     * @return the table, for the Pixie figures
     */
    private WalkTable tableWalk(double csrSteps) {
        int lanes = options.tableLanes();
        // The cycle spans the slots, what the walk reads at random; the key arrays beside them are not walked.
        long tableBytes = WalkTable.bytesFor(graph);
        long slotBytes = 8L * graph.edgeCount();
        // Building also holds each side's (degree, id) pairs and the sort's buffer: 16 bytes per node.
        long building = 16L * Math.max(graph.nodeCount(Side.LEFT), graph.nodeCount(Side.RIGHT));
        boolean paired = slotBytes + tableBytes + building + Math.max(tableBytes / 8, 1L << 30) < oldGenerationHeadroom();
        RandomReadProbe probe = probe("table probe", slotBytes, paired ? ", kept beside the table"
                : ", measured before the table is built in its place");
        double[] reads = new double[ROUNDS];
        if (!paired) {
            for (int r = 0; r < ROUNDS; r++) {
                reads[r] = readRate(probe, lanes);
                out.printf("  round %d      %.1f M reads/s with %d chains over the table-sized cycle%n", r + 1,
                        reads[r] / 1e6, lanes);
            }
            probe = null;
        }
        long t0 = System.nanoTime();
        WalkTable table = WalkTable.of(graph);
        out.printf("walk table     %.2f GiB (%.2f GiB of slots, 8 bytes per edge) built in %.1f s%n",
                table.bytes() / (double) (1L << 30), table.slotBytes() / (double) (1L << 30),
                (System.nanoTime() - t0) / 1e9);
        double[] steps = new double[ROUNDS];
        double[] ratios = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            if (paired) {
                reads[r] = readRate(probe, lanes);
            }
            steps[r] = tableStepRate(table, lanes);
            ratios[r] = steps[r] / reads[r];
            out.printf("  round %d      %.1f M reads/s with %d chains%s, %.1f M steps/s with %d walkers on the table: %.0f%%%n",
                    r + 1, reads[r] / 1e6, lanes, paired ? "" : " (measured before)", steps[r] / 1e6, lanes, 100 * ratios[r]);
        }
        out.printf("one at a time  %.1f M steps/s with 1 walker on the table%n", tableStepRate(table, 1) / 1e6);
        if (!paired) {
            readsBefore = reads;
            tableSteps = steps;
        }
        double stepsK = median(steps);
        out.printf("table walk     %.1f M steps/s per core with %d walkers in lockstep%s; reads with %d chains over "
                + "the table's size %.1f M/s%n", stepsK / 1e6, lanes,
                csrSteps > 0 ? String.format(", x%.2f over the CSR walk", stepsK / csrSteps) : "", lanes, median(reads) / 1e6);
        out.printf("  ratio        %.0f%% of the random-read rate over the table's size (%s; target >= 50%%); "
                + "%.0f%% of 19 M steps/s%n", 100 * (paired ? median(ratios) : stepsK / median(reads)),
                paired ? "median pair" : "ratio of medians", 100 * stepsK / 19e6);
        return table;
    }

    /**
     * The table's cycle built and read again after the table is gone, where it could not be kept beside it: the
     * machine's read rate drifts over minutes, so the walk, measured between the two, is held against the median of
     * all the reads before and after it.
     */
    private void readsAgain() {
        int lanes = options.tableLanes();
        System.gc();
        RandomReadProbe probe = probe("table probe", 8L * graph.edgeCount(), ", again, now that the table is gone");
        double[] after = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            after[r] = readRate(probe, lanes);
            out.printf("  round %d      %.1f M reads/s with %d chains over the table-sized cycle%n", r + 1, after[r] / 1e6,
                    lanes);
        }
        double[] all = Arrays.copyOf(readsBefore, 2 * ROUNDS);
        System.arraycopy(after, 0, all, ROUNDS, ROUNDS);
        double stepsK = median(tableSteps);
        out.printf("  ratio        %.0f%% of the random-read rate over the table's size, reads before and after the walk "
                + "(median %.1f M/s; before %.1f, after %.1f; target >= 50%%)%n", 100 * stepsK / median(all),
                median(all) / 1e6, median(readsBefore) / 1e6, median(after) / 1e6);
    }

    private RandomReadProbe probe(String label, long bytes, String note) {
        long t0 = System.nanoTime();
        RandomReadProbe probe = new RandomReadProbe(bytes, options.seed());
        out.printf("%-14s %.2f GiB random cycle built in %.1f s%s%n", label, probe.bytes() / (double) (1L << 30),
                (System.nanoTime() - t0) / 1e9, note);
        return probe;
    }

    /**
     * Room left, after a full collection, in the heap pool that large arrays are allocated in: the old generation
     * where the collector has one (with the parallel collector it is only two thirds of -Xmx unless -Xmn says
     * otherwise), else the whole heap.
     */
    private static long oldGenerationHeadroom() {
        System.gc();
        long best = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage usage = pool.getUsage();
            if (pool.getType() == MemoryType.HEAP && usage != null && usage.getMax() > 0) {
                best = Math.max(best, usage.getMax() - usage.getUsed());
            }
        }
        if (best > 0) {
            return best;
        }
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private double readRate(RandomReadProbe probe, int chains) {
        long steps = 1_000_000 / chains + 1;
        long[] sink = new long[1];
        return rate(steps * chains, () -> sink[0] += probe.run(chains, steps));
    }

    private double stepRate(int lanes) {
        RandomWalker walker = new RandomWalker(graph, UniformEdgeChooser.INSTANCE, lanes);
        walker.random().reseed(options.seed());
        int[] walkers = new int[lanes];
        WalkRandom rnd = new WalkRandom(options.seed() + lanes);
        for (int w = 0; w < lanes; w++) {
            walkers[w] = randomPinWithEdges(rnd);
        }
        int hops = hopsPerCall(lanes);
        double rate = rate((long) hops * lanes, () -> walker.advanceUniform(Side.LEFT, walkers, hops));
        consume(Arrays.stream(walkers).asLongStream().sum());
        return rate;
    }

    private double tableStepRate(WalkTable table, int lanes) {
        TableWalker walker = new TableWalker(table, lanes);
        walker.random().reseed(options.seed());
        int[] walkers = new int[lanes];
        WalkRandom rnd = new WalkRandom(options.seed() + lanes);
        for (int w = 0; w < lanes; w++) {
            walkers[w] = table.key(Side.LEFT, randomPinWithEdges(rnd));
        }
        int hops = hopsPerCall(lanes);
        double rate = rate((long) hops * lanes, () -> walker.advanceUniform(Side.LEFT, walkers, hops));
        consume(Arrays.stream(walkers).asLongStream().sum());
        return rate;
    }

    /** Even, so that walkers end on pins again; about 200,000 steps per call in all. */
    private static int hopsPerCall(int lanes) {
        return Math.max(2, 200_000 / lanes) & ~1;
    }

    /** Operations per second of {@code call}, which does {@code perCall} of them, after one warm-up call. */
    private double rate(long perCall, Runnable call) {
        call.run();
        long done = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (options.seconds() * 1e9);
        while (System.nanoTime() < deadline) {
            call.run();
            done += perCall;
        }
        return done / ((System.nanoTime() - start) / 1e9);
    }

    private void pixie(String label, PixieEngine engine) throws InterruptedException {
        int n = options.pixieQueries();
        PixieQuery[] queries = new PixieQuery[n];
        WalkRandom rnd = new WalkRandom(options.seed() + 7);
        for (int i = 0; i < n; i++) {
            queries[i] = PixieQuery.builder().pin(randomPinWithEdges(rnd), 1f).steps(options.pixieSteps()).topPins(100)
                    .seed(i).build();
        }
        PixieResult result = new PixieResult();
        // Warm-up: every query once, the same work as the timed pass. With only the first 200, the first timed
        // pass still ran into late compilations (its p99 was 1.5 times that of a second pass in one process).
        for (PixieQuery q : queries) {
            engine.query(q, result);
        }
        long[] latency = new long[n];
        long steps = 0;
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            engine.query(queries[i], result);
            latency[i] = System.nanoTime() - s;
            steps += result.stepsTaken();
        }
        Arrays.sort(latency);
        double total = Arrays.stream(latency).sum() / 1e9;
        out.printf("%-14s N=%,d steps: p50 %.2f ms, p99 %.2f ms single-threaded (target p99 <= 5 ms); %.1f M steps/s%n",
                label, options.pixieSteps(), latency[n / 2] / 1e6, latency[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6,
                steps / total / 1e6);
        int threads = options.threads();
        AtomicLong answered = new AtomicLong();
        Thread[] running = new Thread[threads];
        long start = System.nanoTime();
        long deadline = start + (long) (options.seconds() * 1e9);
        for (int t = 0; t < threads; t++) {
            int offset = t;
            running[t] = Thread.ofPlatform().start(() -> {
                PixieResult r = new PixieResult();
                for (int i = offset; System.nanoTime() < deadline; i += threads) {
                    engine.query(queries[i % n], r);
                    answered.incrementAndGet();
                }
            });
        }
        for (Thread t : running) {
            t.join();
        }
        double qps = answered.get() / ((System.nanoTime() - start) / 1e9);
        out.printf("  throughput   %.0f queries/s on %d threads (%.0f/s single-threaded: x%.2f)%n", qps, threads,
                n / total, qps / (n / total));
    }

    private NeighborhoodConfig neighborhoodConfig(int lanes) {
        NeighborhoodConfig d = NeighborhoodConfig.defaults(Side.LEFT);
        return new NeighborhoodConfig(d.side(), d.topT(), d.stepsPerNode(), d.alpha(), lanes, options.seed());
    }

    private void neighborhoods(String label, NeighborhoodConfig config, NeighborhoodBuilder builder) {
        int count = options.neighborhoodNodes();
        int[] nodes = new int[count];
        WalkRandom rnd = new WalkRandom(options.seed() + 11);
        for (int i = 0; i < count; i++) {
            nodes[i] = rnd.nextInt(graph.nodeCount(Side.LEFT));
        }
        AtomicLong written = new AtomicLong();
        NeighborhoodBuilder.RowSink sink = (node, ids, weights, n) -> written.addAndGet(n);
        builder.compute(nodes, Math.min(count, 2000), sink, NeighborhoodBuilder.Progress.NONE); // warm-up
        long start = System.nanoTime();
        builder.compute(nodes, count, sink, NeighborhoodBuilder.Progress.NONE);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = count / seconds;
        out.printf("%-14s T=%d, %,d steps/node, %d lanes: %.0f nodes/s on %d threads (%.1f M steps/s); all %,d pins in ~%.0f s%n",
                label, config.topT(), config.stepsPerNode(), config.lanes(), rate, options.threads(),
                rate * config.stepsPerNode() / 1e6, graph.nodeCount(Side.LEFT), graph.nodeCount(Side.LEFT) / rate);
    }

    private int randomPinWithEdges(WalkRandom rnd) {
        int n = graph.nodeCount(Side.LEFT);
        while (true) {
            int p = rnd.nextInt(n);
            if (graph.degree(Side.LEFT, p) > 0) {
                return p;
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int half = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }

    private static volatile long blackhole;

    private static void consume(long v) {
        blackhole += v;
    }
}
