package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the builder many times on small graphs with more workers than cores while busy threads compete for the same
 * cores, so that workers are preempted at every point of their hand-offs. Fails, naming the seed and round, when a
 * build hangs, loses a node or computes one twice. Bounded: at most 400 graphs and 12 seconds of building, and each
 * build must finish within {@value #ROUND_TIMEOUT_SECONDS} seconds. For a longer hunt the system properties
 * {@code pinsage.stress.rounds} and {@code pinsage.stress.seconds} raise both bounds, and {@code tests.seed}
 * replays a seed.
 */
class NeighborhoodBuilderStressTest {

    private static final int ROUNDS = Integer.getInteger("pinsage.stress.rounds", 400);
    private static final int SECONDS = Integer.getInteger("pinsage.stress.seconds", 12);
    private static final int ROUND_TIMEOUT_SECONDS = 20;
    private static final int BUILDS_PER_GRAPH = 8;

    @Test
    void shouldComputeEveryNodeExactlyOnceWithMoreWorkersThanCoresUnderLoad() throws Exception {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().unstarted(r));
        Thread[] hogs = new Thread[2 * cores];
        AtomicLong spin = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < hogs.length; i++) {
            hogs[i] = Thread.ofPlatform().daemon().name("cpu-hog-" + i).start(() -> {
                while (!stop.get()) {
                    spin.incrementAndGet();
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        int rounds = 0;
        try {
            while (rounds < ROUNDS && (rounds < 1 || System.nanoTime() < deadline)) {
                long roundSeed = rnd.nextLong();
                Random r = new Random(roundSeed);
                int pins = 1_000 + r.nextInt(20_000);
                int boards = 20 + r.nextInt(2_000);
                HeapBipartiteGraph g = TestGraphs.connected(r, pins, boards, pins, false);
                NeighborhoodConfig config = NeighborhoodConfig.defaults(Side.LEFT).withTopT(4).withStepsPerNode(1 + r.nextInt(8))
                        .withSeed(roundSeed);
                WalkTable table = WalkTable.of(g);
                // Several builds per graph: the time goes to the hand-offs under test, not to making graphs.
                for (int build = 0; build < BUILDS_PER_GRAPH; build++) {
                    int threads = cores + 1 + r.nextInt(2 * cores + 4);
                    boolean useTable = r.nextBoolean();
                    NeighborhoodBuilder builder = useTable ? new NeighborhoodBuilder(table, config, threads)
                            : new NeighborhoodBuilder(g, config, threads);
                    String context = TestSeed.tag(seed) + "round=" + rounds + " build=" + build + " (roundSeed=" + roundSeed
                            + ", pins=" + pins + ", threads=" + threads + ", table=" + useTable + ")";
                    checkBuild(runner, builder, pins, context);
                }
                rounds++;
            }
        } finally {
            stop.set(true);
            for (Thread h : hogs) {
                h.join();
            }
            runner.shutdownNow();
        }
        assertTrue(spin.get() > 0, "the busy threads ran");
    }

    private static void checkBuild(ExecutorService runner, NeighborhoodBuilder builder, int pins, String context)
            throws InterruptedException {
        AtomicIntegerArray seen = new AtomicIntegerArray(pins);
        AtomicLong lastProgress = new AtomicLong();
        Future<?> build = runner.submit(() -> builder.compute(null, pins, (node, ids, weights, n) -> seen.incrementAndGet(node),
                (done, total) -> lastProgress.set(done)));
        try {
            build.get(ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail("the build hung at " + lastProgress.get() + " of " + pins + " nodes: " + context);
        } catch (ExecutionException e) {
            throw new AssertionError("the build failed: " + context, e.getCause());
        }
        for (int u = 0; u < pins; u++) {
            assertEquals(1, seen.get(u), "node " + u + " computed " + seen.get(u) + " times: " + context);
        }
        assertEquals(pins, lastProgress.get(), "the last progress report must be the total: " + context);
    }
}
