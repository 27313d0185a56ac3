package io.pinsage.engine.bench;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.walk.NeighborhoodBuilder;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;
import io.pinsage.walk.RandomWalker;
import io.pinsage.walk.TableWalker;
import io.pinsage.walk.UniformEdgeChooser;
import io.pinsage.walk.WalkRandom;
import io.pinsage.walk.WalkTable;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The walk benchmarks behind {@code pinsage bench walks}: uniform walk steps per second per core (one walker,
 * then many in lockstep) against the machine's random-read rate measured in the same run on an array as large
 * as the graph; Pixie query latency (p50, p99) single-threaded and throughput on several threads; importance
 * neighbourhood computation in nodes per second. Unless told not to, the uniform walk and Pixie are measured a
 * second time over a {@link WalkTable} built from the graph, the table walk against reads with as many chains as
 * it has lanes. Prints each figure as it is measured.
 *
 * <p>Single-threaded driver (it starts its own worker threads where a figure needs them). Timings use
 * {@link System#nanoTime()} after a warm-up pass of the same work (for Pixie: every timed query once).
 */
public final class WalkBench {

    /**
     * What to measure and how hard; the random-read probe is as large as the graph's CSR but at most
     * {@code probeMaxBytes} (a machine that maps a huge store may not also hold a heap array of its size).
     * With {@code walkTable} the uniform walk and Pixie are measured a second time over a {@link WalkTable}
     * (16 bytes per edge more memory), walked with {@code tableLanes} lanes.
     */
    public record Options(int lanes, double seconds, long pixieSteps, int pixieQueries, int threads, int neighborhoodNodes,
                          long probeMaxBytes, long seed, boolean walkTable, int tableLanes) {
    }

    private static final int ROUNDS = 3;

    private final BipartiteGraph graph;
    private final Options options;
    private final PrintStream out;

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
        // The table is built before the probe so that its two humongous arrays find room in a heap still unfragmented.
        WalkTable table = null;
        long t0 = System.nanoTime();
        if (options.walkTable()) {
            table = WalkTable.of(graph);
            out.printf("walk table     %.2f GiB (16 bytes per edge) built in %.1f s%n", table.bytes() / (double) (1L << 30),
                    (System.nanoTime() - t0) / 1e9);
        }
        int probeInts = (int) Math.min(Integer.MAX_VALUE - 8, Math.min(graphBytes, options.probeMaxBytes()) / 4);
        t0 = System.nanoTime();
        RandomReadProbe probe = new RandomReadProbe(probeInts, options.seed());
        out.printf("probe          %.2f GiB random cycle built in %.1f s%n", probe.bytes() / (double) (1L << 30),
                (System.nanoTime() - t0) / 1e9);

        int lanes = options.lanes();
        double reads1 = readRate(probe, 1);
        double steps1 = stepRate(1);
        out.printf("one at a time  %.1f M random reads/s with 1 chain, %.1f M steps/s with 1 walker%s%n", reads1 / 1e6,
                steps1 / 1e6, table == null ? "" : String.format(", %.1f M with 1 walker on the table", tableStepRate(table, 1) / 1e6));
        // Reads and steps alternate, and the ratio is taken per adjacent pair, so that load from other processes
        // on a shared machine shifts both figures of a pair alike; the median pair is reported.
        double[] reads = new double[ROUNDS];
        double[] steps = new double[ROUNDS];
        double[] ratios = new double[ROUNDS];
        double[] tableReads = new double[ROUNDS];
        double[] tableSteps = new double[ROUNDS];
        double[] tableRatios = new double[ROUNDS];
        int tableLanes = options.tableLanes();
        for (int r = 0; r < ROUNDS; r++) {
            reads[r] = readRate(probe, lanes);
            steps[r] = stepRate(lanes);
            ratios[r] = steps[r] / reads[r];
            out.printf("  round %d      %.1f M reads/s with %d chains, %.1f M steps/s with %d walkers in lockstep: %.0f%%%n", r + 1,
                    reads[r] / 1e6, lanes, steps[r] / 1e6, lanes, 100 * ratios[r]);
            if (table != null) {
                // The table walk is held against reads with as many chains as it has lanes, the same parallelism.
                tableReads[r] = tableLanes == lanes ? reads[r] : readRate(probe, tableLanes);
                tableSteps[r] = tableStepRate(table, tableLanes);
                tableRatios[r] = tableSteps[r] / tableReads[r];
                out.printf("               %.1f M reads/s with %d chains, %.1f M steps/s with %d walkers on the table: %.0f%%%n",
                        tableReads[r] / 1e6, tableLanes, tableSteps[r] / 1e6, tableLanes, 100 * tableRatios[r]);
            }
        }
        double readsK = median(reads);
        double stepsK = median(steps);
        out.printf("random reads   %.1f M/s with %d chains (%.1f ns per read), median of %d%n", readsK / 1e6, lanes,
                1e9 / readsK, ROUNDS);
        out.printf("uniform walk   %.1f M steps/s per core with %d walkers in lockstep, x%.2f over 1 walker%n",
                stepsK / 1e6, lanes, stepsK / steps1);
        out.printf("  ratio        %.0f%% of the random-read rate (median pair; target >= 50%%); %.0f%% of 19 M steps/s%n",
                100 * median(ratios), 100 * stepsK / 19e6);
        if (table != null) {
            double tableK = median(tableSteps);
            out.printf("table walk     %.1f M steps/s per core with %d walkers in lockstep, x%.2f over the CSR walk; "
                    + "reads with %d chains %.1f M/s%n", tableK / 1e6, tableLanes, tableK / stepsK, tableLanes,
                    median(tableReads) / 1e6);
            out.printf("  ratio        %.0f%% of the random-read rate with %d chains (median pair; target >= 50%%); "
                    + "%.0f%% of 19 M steps/s%n", 100 * median(tableRatios), tableLanes, 100 * tableK / 19e6);
        }
        probe = null; // as large as the graph: let it go before the Pixie and neighbourhood figures

        pixie("pixie", new PixieEngine(graph, UniformEdgeChooser.INSTANCE, options.lanes()));
        if (table != null) {
            pixie("pixie table", new PixieEngine(table, tableLanes));
        }
        table = null; // let the table go before the neighbourhoods, which walk the CSR graph
        neighborhoods();
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
        long[] walkers = new long[lanes];
        WalkRandom rnd = new WalkRandom(options.seed() + lanes);
        for (int w = 0; w < lanes; w++) {
            walkers[w] = table.state(Side.LEFT, randomPinWithEdges(rnd));
        }
        int hops = hopsPerCall(lanes);
        double rate = rate((long) hops * lanes, () -> walker.advanceUniform(Side.LEFT, walkers, hops));
        consume(Arrays.stream(walkers).sum());
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

    private void neighborhoods() {
        NeighborhoodConfig config = NeighborhoodConfig.defaults(Side.LEFT).withSeed(options.seed());
        int count = options.neighborhoodNodes();
        int[] nodes = new int[count];
        WalkRandom rnd = new WalkRandom(options.seed() + 11);
        for (int i = 0; i < count; i++) {
            nodes[i] = rnd.nextInt(graph.nodeCount(Side.LEFT));
        }
        NeighborhoodBuilder builder = new NeighborhoodBuilder(graph, config, options.threads());
        AtomicLong written = new AtomicLong();
        NeighborhoodBuilder.RowSink sink = (node, ids, weights, n) -> written.addAndGet(n);
        builder.compute(nodes, Math.min(count, 2000), sink, NeighborhoodBuilder.Progress.NONE); // warm-up
        long start = System.nanoTime();
        builder.compute(nodes, count, sink, NeighborhoodBuilder.Progress.NONE);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = count / seconds;
        out.printf("neighborhoods  T=%d, %,d steps/node: %.0f nodes/s on %d threads (%.1f M steps/s); all %,d pins in ~%.0f s%n",
                config.topT(), config.stepsPerNode(), rate, options.threads(), rate * config.stepsPerNode() / 1e6,
                graph.nodeCount(Side.LEFT), graph.nodeCount(Side.LEFT) / rate);
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
        return sorted[sorted.length / 2];
    }

    private static volatile long blackhole;

    private static void consume(long v) {
        blackhole += v;
    }
}
