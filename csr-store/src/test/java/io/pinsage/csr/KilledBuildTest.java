package io.pinsage.csr;

import io.pinsage.csr.format.StoreDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A build process killed with SIGKILL at a random moment leaves the previously published store intact. */
class KilledBuildTest {

    @TempDir
    Path root;

    /** Where the child's output goes: beside the store, not in it, and removed with it. */
    @TempDir
    Path logs;

    private static final int NEW_PINS = 200_000;
    private static final long NEW_EDGES = 4_000_000;

    /** Child process: generates a store into args[0], with seed args[1]. */
    public static void main(String[] args) throws IOException {
        GeneratorConfig c = GeneratorConfig.of(NEW_PINS, 20_000, NEW_EDGES, Long.parseLong(args[1])).withFeatureDim(8);
        new PinBoardGenerator(c).writeStore(Path.of(args[0]), CsrBuildOptions.defaults().withEdgesPerShard(500_000).withBucketNodes(8192));
    }

    @Test
    void shouldLeaveThePreviousStoreIntactWhenTheBuildIsKilled() throws Exception {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        GeneratorConfig first = GeneratorConfig.of(1_000, 100, 5_000, 1);
        new PinBoardGenerator(first).writeStore(root, CsrBuildOptions.defaults());
        int survived = 0;
        Path log = logs.resolve("killed-build.log");
        for (int attempt = 0; attempt < 2; attempt++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KilledBuildTest.class.getName(), root.toString(), "7")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            // kill once the new generation has begun, after a random extra delay, so each run dies in another pass
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Path generation = root.resolve("gen-" + String.format("%08d", 2 + attempt));
            while (!Files.exists(generation) && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(5);
            }
            assertTrue(Files.exists(generation), "the child never began its build: " + Files.readString(log));
            Thread.sleep(rnd.nextInt(400));
            child.destroyForcibly().waitFor();
            String msg = TestSeed.tag(seed) + "attempt=" + attempt;
            try (GraphStore s = GraphStore.open(root)) {
                s.verify();
                // either the old store, or (killed after the atomic rename) the complete new one: nothing in between
                long edges = s.graph().edgeCount();
                assertTrue(edges == first.edges() || edges == NEW_EDGES, msg + " edges=" + edges);
                assertEquals(edges == first.edges() ? first.pins() : NEW_PINS, s.graph().nodeCount(Side.LEFT), msg);
                survived += edges == first.edges() ? 1 : 0;
            }
        }
        assertTrue(survived > 0, TestSeed.tag(seed) + "no kill landed before the build finished, so nothing was tested");
        // the next publication sweeps away what the killed ones left
        new PinBoardGenerator(first).writeStore(root, CsrBuildOptions.defaults());
        try (var list = Files.list(root)) {
            List<String> names = list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("gen-")).toList();
            assertEquals(1, names.size(), TestSeed.tag(seed) + "left " + names);
        }
        assertTrue(StoreDirectory.isPublished(root));
    }
}
