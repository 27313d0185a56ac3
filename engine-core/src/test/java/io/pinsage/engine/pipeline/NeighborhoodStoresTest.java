package io.pinsage.engine.pipeline;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.walk.ImportanceNeighborhoods;
import io.pinsage.walk.NeighborhoodBuilder;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.WalkTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store side of neighbourhood builds: what the walks compute is what the published store holds. */
class NeighborhoodStoresTest {

    @TempDir
    Path root;

    @Test
    void shouldPublishEveryNodesRowAsTheWalksComputeIt() throws IOException {
        long seed = TestSeed.next();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 200, 60, 800, false);
        NeighborhoodConfig config = NeighborhoodConfig.defaults(Side.LEFT).withTopT(6).withStepsPerNode(200).withSeed(seed);
        WalkTable table = WalkTable.of(g);
        for (boolean overTable : new boolean[] {false, true}) {
            String tag = TestSeed.tag(seed) + "table=" + overTable;
            Path store = root.resolve("t" + overTable);
            AtomicLong last = new AtomicLong(-1);
            NeighborhoodBuilder builder = overTable ? new NeighborhoodBuilder(table, config, 3) : new NeighborhoodBuilder(g, config, 3);
            NeighborhoodStores.buildAll(builder, store, (done, total) -> last.set(done));
            assertEquals(200, last.get(), tag + ": the last progress report is the total");
            ImportanceNeighborhoods direct = overTable ? new ImportanceNeighborhoods(table, config) : new ImportanceNeighborhoods(g, config);
            assertRows(store, u -> direct, 200, tag);
        }
    }

    @Test
    void shouldRecomputeOnlyTheGivenNodes() throws IOException {
        long seed = TestSeed.next();
        HeapBipartiteGraph before = TestGraphs.connected(new Random(seed), 100, 30, 300, false);
        HeapBipartiteGraph after = TestGraphs.connected(new Random(seed + 1), 100, 30, 300, false);
        NeighborhoodConfig config = NeighborhoodConfig.defaults(Side.LEFT).withTopT(8).withStepsPerNode(200).withSeed(seed);
        NeighborhoodStores.buildAll(new NeighborhoodBuilder(before, config, 2), root, NeighborhoodBuilder.Progress.NONE);
        int[] changed = {3, 50, 99, 3};
        NeighborhoodStores.update(new NeighborhoodBuilder(after, config, 2), root, changed, NeighborhoodBuilder.Progress.NONE);
        ImportanceNeighborhoods old = new ImportanceNeighborhoods(before, config);
        ImportanceNeighborhoods fresh = new ImportanceNeighborhoods(after, config);
        assertRows(root, u -> u == 3 || u == 50 || u == 99 ? fresh : old, 100, TestSeed.tag(seed));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NeighborhoodStores.update(
                new NeighborhoodBuilder(after, config.withTopT(9), 1), root, new int[] {1}, NeighborhoodBuilder.Progress.NONE));
        assertTrue(e.getMessage().contains("width=8"), e.getMessage());
    }

    @Test
    void shouldPublishNothingWhenTheWalksFail() {
        HeapBipartiteGraph g = TestGraphs.connected(new Random(5), 50, 10, 100, false);
        NeighborhoodBuilder builder = new NeighborhoodBuilder(g, NeighborhoodConfig.defaults(Side.LEFT).withTopT(4), 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NeighborhoodStores.buildAll(builder, root,
                (done, total) -> {
                    throw new IllegalStateException("stopped at " + done);
                }));
        assertTrue(e.getMessage().startsWith("stopped at"), e.getMessage());
        assertFalse(StoreDirectory.isPublished(root), "a store was published from a failed build");
    }

    private static void assertRows(Path store, IntFunction<ImportanceNeighborhoods> expected, int nodes,
                                   String tag) throws IOException {
        try (NeighborhoodStore s = NeighborhoodStore.open(store, true)) {
            int width = s.width();
            int[] ids = new int[width];
            float[] w = new float[width];
            int[] got = new int[width];
            float[] gw = new float[width];
            for (int u = 0; u < nodes; u++) {
                int n = expected.apply(u).compute(u, ids, w);
                String msg = tag + " node=" + u;
                assertEquals(n, s.read(u, got, gw, 0), msg);
                assertArrayEquals(Arrays.copyOf(ids, n), Arrays.copyOf(got, n), msg);
                assertArrayEquals(Arrays.copyOf(w, n), Arrays.copyOf(gw, n), msg);
            }
        }
    }
}
