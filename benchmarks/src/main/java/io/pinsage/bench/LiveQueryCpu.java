package io.pinsage.bench;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.PowerLawGraph;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;
import io.pinsage.walk.UniformEdgeChooser;
import io.pinsage.walk.WalkRandom;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Thread CPU time per Pixie query on the static base against the same query on a live graph over it (the base plus
 * {@code prefill} recent edges, no writer), static and live alternating query by query in one JVM, so that the
 * machine's other load moves both alike: wall-clock percentiles scatter twice over on a shared machine, a thread's
 * CPU time much less. Same graph, queries and saves as {@link LiveGraphBenchmark}. Also prints the writer's CPU time
 * for the prefill (single thread, no log, no queries running).
 *
 * <pre>java -Xmx8g --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.pinsage.bench.LiveQueryCpu \
 *     [rounds [queries [prefill]]]</pre>
 *
 * Defaults: 5 measured rounds (after 2 of warm-up) over 256 queries of 100,000 steps, 1 M recent edges. Prints each
 * round's p50 and p99 per side and their live/static ratios, one line per round.
 */
public final class LiveQueryCpu {

    private LiveQueryCpu() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int prefill = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();

        HeapBipartiteGraph graph = PowerLawGraph.generate(1_000_000, 500_000, 10_000_000, 2.0, 1);
        WalkRandom rnd = new WalkRandom(5);
        PixieQuery[] queries = PixieQueryBenchmark.queries(graph, 100_000, count, rnd);
        EdgeBatch[] batches = LiveGraphBenchmark.saves(graph, rnd);
        LiveGraph live = LiveGraph.inMemory(graph, null, null, new LiveGraph.Limits(Integer.MAX_VALUE, 10_000_000));
        long[] ingest = new long[prefill / LiveGraphBenchmark.BATCH];
        for (int i = 0; i < ingest.length; i++) {
            long t = cpu.getCurrentThreadCpuTime();
            live.add(batches[i % LiveGraphBenchmark.BATCHES]);
            ingest[i] = cpu.getCurrentThreadCpuTime() - t;
        }
        if (ingest.length > 0) {
            long total = Arrays.stream(ingest).sum();
            System.out.printf("prefill: %d edges, writer CPU %.1f ms = %.2f M edges/CPU-s, batch p50 %.2f ms%n",
                    live.recentEdges(), total / 1e6, live.recentEdges() / (total / 1e3), percentile(ingest, 0.50) / 1e6);
        }

        PixieEngine staticEngine = new PixieEngine(graph, UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES);
        PixieEngine liveEngine = new PixieEngine(live, view -> UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES);
        PixieResult result = new PixieResult();
        long[] s = new long[count];
        long[] l = new long[count];
        long sink = 0;
        for (int round = -2; round < rounds; round++) {
            for (int q = 0; q < count; q++) {
                long t0 = cpu.getCurrentThreadCpuTime();
                staticEngine.query(queries[q], result);
                long t1 = cpu.getCurrentThreadCpuTime();
                sink += result.pinCount();
                liveEngine.query(queries[q], result);
                long t2 = cpu.getCurrentThreadCpuTime();
                sink += result.pinCount();
                s[q] = t1 - t0;
                l[q] = t2 - t1;
            }
            if (round >= 0) {
                double s50 = percentile(s, 0.50) / 1e6;
                double s99 = percentile(s, 0.99) / 1e6;
                double l50 = percentile(l, 0.50) / 1e6;
                double l99 = percentile(l, 0.99) / 1e6;
                System.out.printf("round %d: static p50 %.2f p99 %.2f ms, live p50 %.2f p99 %.2f ms, live/static %.2fx (p50) %.2fx (p99)%n",
                        round, s50, s99, l50, l99, l50 / s50, l99 / s99);
            }
        }
        live.close();
        System.out.println("(pins found: " + sink + ")");
    }

    private static long percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
