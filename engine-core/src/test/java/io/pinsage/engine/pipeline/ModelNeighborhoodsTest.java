package io.pinsage.engine.pipeline;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.neighborhood.NeighborhoodFormat;
import io.pinsage.csr.neighborhood.NeighborhoodStoreWriter;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.walk.NeighborhoodBuilder;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.NeighborhoodKind;
import io.pinsage.walk.NeighborhoodRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The neighbourhood path of training and inference: rows computed by the walk engine's builder, published as one store
 * per side, read back over the node space through {@link MappedNeighborhoods}.
 */
class ModelNeighborhoodsTest {

    private static final int PINS = 60;
    private static final int BOARDS = 25;

    @TempDir
    Path dir;

    private static HeapBipartiteGraph graph(long seed) {
        return TestGraphs.connected(new Random(seed), PINS, BOARDS, 250, false);
    }

    /** Each kind of row on each side: the adapter returns the builder's rows, ids moved into the node space. */
    @Test
    void shouldReadBackExactlyTheRowsTheBuilderComputedWithIdsMappedAcrossSides() throws IOException {
        long seed = TestSeed.next();
        HeapBipartiteGraph g = graph(seed);
        NodeSpace space = NodeSpace.of(g);
        for (NeighborhoodKind kind : NeighborhoodKind.values()) {
            for (int adjacent : new int[] {0, 4}) {
                String tag = TestSeed.tag(seed) + kind + " rightAdjacent=" + adjacent;
                Path model = dir.resolve(kind + "-" + adjacent);
                NeighborhoodConfig[] configs = ModelNeighborhoods.configs(kind, 5, 300, seed, adjacent);
                AtomicLong last = new AtomicLong();
                try (MappedNeighborhoods hood = ModelNeighborhoods.build(g, model, configs, 3, last::set)) {
                    assertEquals(PINS + BOARDS, last.get(), tag + ": the last progress counts both sides");
                    assertRows(g, space, hood, configs, tag);
                }
                try (MappedNeighborhoods hood = ModelNeighborhoods.open(model, space, configs)) {
                    assertRows(g, space, hood, configs, tag + " reopened");
                    Side rightIds = adjacent > 0 || kind == NeighborhoodKind.ADJACENT ? Side.LEFT : Side.RIGHT;
                    assertEquals(rightIds, hood.store(Side.RIGHT).neighborSide(), tag + ": the store says which side its ids are");
                }
            }
        }
    }

    private static void assertRows(HeapBipartiteGraph g, NodeSpace space, MappedNeighborhoods hood,
                                   NeighborhoodConfig[] configs, String tag) {
        int width = hood.width();
        int[] got = new int[width + 3];
        float[] gotW = new float[width + 3];
        for (NeighborhoodConfig c : configs) {
            NeighborhoodRows rows = new NeighborhoodRows(g, c);
            int[] ids = new int[c.topT()];
            float[] w = new float[c.topT()];
            int before = 0;
            for (int u = 0; u < g.nodeCount(c.side()); u++) {
                int n = rows.compute(u, ids, w);
                int m = hood.read(space.id(c.side(), u), got, gotW, 3);
                String at = tag + " " + c.side() + " node " + u;
                assertEquals(n, m, at);
                for (int i = 0; i < n; i++) {
                    assertEquals(space.id(c.neighborSide(), ids[i]), got[3 + i], at + " slot " + i);
                    assertEquals(w[i], gotW[3 + i], at + " weight " + i);
                }
                before += n;
            }
            assertTrue(before > 0, tag + ": some rows are not empty");
        }
    }

    @Test
    void shouldDetectADamagedStoreWhenOpened() throws IOException {
        long seed = TestSeed.next();
        HeapBipartiteGraph g = graph(seed);
        ModelNeighborhoods.build(g, dir, ModelNeighborhoods.configs(NeighborhoodKind.WALK, 4, 100, seed, 3), 2, d -> { })
                .close();
        Path file = StoreDirectory.openCurrent(ModelNeighborhoods.root(dir, Side.RIGHT)).file(NeighborhoodFormat.FILE_NAME);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = StoreFileFormat.HEADER_LENGTH + 5;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        CorruptStoreException e = assertThrows(CorruptStoreException.class,
                () -> ModelNeighborhoods.open(dir, NodeSpace.of(g), null));
        assertEquals(file, e.file(), TestSeed.tag(seed) + e.getMessage());
    }

    /** A sound checksum does not vouch for the ids: one that names no node of its side is found on open. */
    @Test
    void shouldDetectAnIdOutsideItsSideWhenOpened() throws IOException {
        NodeSpace space = new NodeSpace(3, 2);
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(ModelNeighborhoods.root(dir, Side.LEFT), Side.LEFT,
                Side.LEFT, 3, 2, 10, 1)) {
            w.commit();
        }
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(ModelNeighborhoods.root(dir, Side.RIGHT), Side.RIGHT,
                Side.LEFT, 2, 2, 10, 1)) {
            w.writeRow(1, new int[] {2, 3}, new float[] {0.5f, 0.5f}, 2);
            w.commit();
        }
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> ModelNeighborhoods.open(dir, space, null));
        assertTrue(e.getMessage().contains("node 1 slot 1 holds id 3, outside [0, 3) of side LEFT"), e.getMessage());
    }

    @Test
    void shouldRefuseAModelDirectoryOfAnEarlierVersionOrOtherSettings() throws IOException {
        long seed = TestSeed.next();
        HeapBipartiteGraph g = graph(seed);
        NeighborhoodConfig[] configs = ModelNeighborhoods.configs(NeighborhoodKind.WALK, 4, 100, seed, 3);
        ModelNeighborhoods.build(g, dir, configs, 2, d -> { }).close();
        assertTrue(ModelNeighborhoods.exist(dir));
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> ModelNeighborhoods.open(dir,
                NodeSpace.of(g), ModelNeighborhoods.configs(NeighborhoodKind.WALK, 4, 100, seed, 5)));
        assertTrue(other.getMessage().contains("was built with width=3") && other.getMessage().endsWith(
                "train into another directory"), other.getMessage());
        Files.write(dir.resolve(ModelNeighborhoods.OLD_TABLE), new byte[8]);
        IllegalArgumentException old = assertThrows(IllegalArgumentException.class, () -> ModelNeighborhoods.open(dir,
                NodeSpace.of(g), configs));
        assertEquals(dir.resolve("neighbourhoods.bin") + ": a model directory of an earlier version (a neighbourhood "
                + "table, where models now keep neighbourhood stores); retrain the model into a new directory",
                old.getMessage());
    }

    private static String generation(Path dir, Side side) throws IOException {
        return StoreDirectory.openCurrent(ModelNeighborhoods.root(dir, side)).name();
    }

    /** A second run or a resume maps the stores it finds; other settings rebuild them, saying what differed. */
    @Test
    void shouldReuseTheModelDirectorysStoresAndRebuildThoseOfOtherSettings() throws IOException {
        long seed = TestSeed.next();
        String tag = TestSeed.tag(seed);
        HeapBipartiteGraph g = graph(seed);
        NeighborhoodConfig[] configs = ModelNeighborhoods.configs(NeighborhoodKind.WALK, 4, 100, seed, 3);
        List<String> notes = new ArrayList<>();
        AtomicLong progress = new AtomicLong();
        ModelNeighborhoods.prepare(g, dir, null, configs, 2, progress::set, notes::add).close();
        assertEquals(PINS + BOARDS, progress.get(), tag);
        assertTrue(notes.get(0).contains("building") && notes.get(0).endsWith("is absent"), tag + notes);
        String left = generation(dir, Side.LEFT);
        String right = generation(dir, Side.RIGHT);

        notes.clear();
        progress.set(-1);
        try (MappedNeighborhoods hood = ModelNeighborhoods.prepare(g, dir, null, configs, 2, progress::set, notes::add)) {
            assertRows(g, NodeSpace.of(g), hood, configs, tag + " reused");
        }
        assertEquals(-1, progress.get(), tag + ": nothing was computed");
        assertEquals(left, generation(dir, Side.LEFT), tag);
        assertEquals(right, generation(dir, Side.RIGHT), tag);
        assertTrue(notes.stream().allMatch(n -> n.contains(" reused (")), tag + notes);

        notes.clear();
        NeighborhoodConfig[] uniform = ModelNeighborhoods.configs(NeighborhoodKind.UNIFORM, 4, 100, seed, 3);
        try (MappedNeighborhoods hood = ModelNeighborhoods.prepare(g, dir, null, uniform, 2, progress::set, notes::add)) {
            assertRows(g, NodeSpace.of(g), hood, uniform, tag + " rebuilt");
        }
        assertTrue(notes.get(0).contains("building") && notes.get(0).contains("was built with nodes=" + PINS
                + " kind=WALK T=4 steps=100 seed=" + seed), tag + notes);
        assertTrue(notes.get(1).contains(" reused ("), tag + ": the right side's rows are the same, " + notes);
        assertEquals(right, generation(dir, Side.RIGHT), tag);
    }

    /** The graph store's rows, as the neighborhoods command publishes them, serve training when they match. */
    @Test
    void shouldReuseTheGraphStoresRowsOfTheSameSettingsAndNotOthers() throws IOException {
        long seed = TestSeed.next();
        String tag = TestSeed.tag(seed);
        HeapBipartiteGraph g = graph(seed);
        Path store = dir.resolve("store");
        StoreGeneration first = new StoreGeneration(store, "gen-00000001", store.resolve("gen-00000001"), Map.of());
        NeighborhoodConfig[] configs = ModelNeighborhoods.configs(NeighborhoodKind.WALK, 4, 100, seed, 3);
        NeighborhoodStores.buildAll(new NeighborhoodBuilder(g, configs[0], 2), ModelNeighborhoods.root(store, Side.LEFT),
                NeighborhoodStores.graphId(first), (done, total) -> { });
        List<String> notes = new ArrayList<>();
        AtomicLong progress = new AtomicLong();
        Path model = dir.resolve("model");
        try (MappedNeighborhoods hood = ModelNeighborhoods.prepare(g, model, first, configs, 2, progress::set, notes::add)) {
            assertRows(g, NodeSpace.of(g), hood, configs, tag);
        }
        assertTrue(notes.get(0).contains(ModelNeighborhoods.root(store, Side.LEFT) + " reused for"), tag + notes);
        assertTrue(notes.get(1).contains("building"), tag + notes);
        assertEquals(PINS + BOARDS, progress.get(), tag + ": only the right side was computed");

        Path other = dir.resolve("other");
        notes.clear();
        NeighborhoodConfig[] moreSteps = ModelNeighborhoods.configs(NeighborhoodKind.WALK, 4, 150, seed, 3);
        ModelNeighborhoods.prepare(g, other, first, moreSteps, 2, d -> { }, notes::add).close();
        assertTrue(notes.get(0).contains("building") && notes.get(0).contains(ModelNeighborhoods.root(store, Side.LEFT)
                + " was built with nodes=" + PINS + " kind=WALK T=4 steps=100"), tag + notes);

        // the store's graph republished: its rows were computed from the generation before
        StoreGeneration second = new StoreGeneration(store, "gen-00000002", store.resolve("gen-00000002"), Map.of());
        notes.clear();
        ModelNeighborhoods.prepare(g, dir.resolve("regenerated"), second, configs, 2, d -> { }, notes::add).close();
        assertTrue(notes.get(0).contains("building") && notes.get(0).contains(ModelNeighborhoods.root(store, Side.LEFT)
                + " was computed from the graph " + NeighborhoodStores.graphId(first) + ", not from "
                + NeighborhoodStores.graphId(second)), tag + notes);

        // rows published before stores recorded their kind are not taken for any kind
        Path old = dir.resolve("old");
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(ModelNeighborhoods.root(old, Side.LEFT), Side.LEFT,
                Side.LEFT, PINS, 4, 100, seed)) {
            w.commit();
        }
        assertEquals("does not record its kind of row (written before stores recorded it)",
                ModelNeighborhoods.differs(ModelNeighborhoods.root(old, Side.LEFT), configs[0], PINS, null), tag);
    }
}
