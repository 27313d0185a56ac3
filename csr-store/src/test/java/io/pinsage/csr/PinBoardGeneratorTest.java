package io.pinsage.csr;

import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PinBoardGeneratorTest {

    @TempDir
    Path dir;

    private static final CsrBuildOptions SMALL = CsrBuildOptions.defaults().withThreads(2).withEdgesPerShard(40_000).withBucketNodes(2048);
    private static final long CHECKSUM_MEDIUM = 929316828756342035L;
    private static final long CHECKSUM_ONE_PIN_TOPICS = -2320767482453311557L;

    @Test
    void shouldFollowBoardTopicsAndPowerLawDegrees() throws IOException {
        long seed = TestSeed.next();
        String msg = TestSeed.tag(seed);
        GeneratorConfig c = GeneratorConfig.of(20_000, 2_000, 200_000, seed).withTopics(16, 4);
        PinBoardGenerator gen = new PinBoardGenerator(c);
        gen.writeStore(dir, SMALL);
        try (MappedCsrGraph g = MappedCsrGraph.open(dir)) {
            g.verify();
            assertEquals(c.edges(), g.edgeCount(), msg);
            long onTopic = 0;
            int[] boardDeg = new int[c.boards()];
            for (int b = 0; b < c.boards(); b++) {
                boardDeg[b] = g.degree(Side.RIGHT, b);
                assertEquals(gen.boardSize(b), boardDeg[b], msg);
                for (int i = 0; i < boardDeg[b]; i++) {
                    if (gen.pinTopic(g.neighbor(Side.RIGHT, b, i)) == gen.boardTopic(b)) {
                        onTopic++;
                    }
                }
            }
            double expectedFocus = c.topicFocus() + (1 - c.topicFocus()) / c.topics();
            assertEquals(expectedFocus, onTopic / (double) c.edges(), 0.01, msg);

            int[] pinDeg = new int[c.pins()];
            for (int p = 0; p < c.pins(); p++) {
                pinDeg[p] = g.degree(Side.LEFT, p);
            }
            Arrays.sort(pinDeg);
            Arrays.sort(boardDeg);
            long top = 0;
            for (int i = pinDeg.length - pinDeg.length / 100; i < pinDeg.length; i++) {
                top += pinDeg[i];
            }
            assertTrue(top > 0.05 * c.edges(), msg + ": top 1% of pins hold " + top + " edges, a power law gives > 5%");
            assertTrue(boardDeg[boardDeg.length - 1] > 10 * boardDeg[boardDeg.length / 2], msg + ": board sizes not skewed");
        }
    }

    @Test
    void shouldDrawTheEdgesOfCatchAllBoardsFromEveryTopic() throws IOException {
        long seed = TestSeed.next();
        String msg = TestSeed.tag(seed);
        GeneratorConfig c = GeneratorConfig.of(20_000, 2_000, 200_000, seed).withTopics(16, 4).withDiverseBoards(0.25);
        PinBoardGenerator gen = new PinBoardGenerator(c);
        gen.writeStore(dir, SMALL);
        try (MappedCsrGraph g = MappedCsrGraph.open(dir)) {
            long[] onTopic = new long[2];
            long[] edges = new long[2];
            int diverse = 0;
            for (int b = 0; b < c.boards(); b++) {
                int kind = gen.isDiverse(b) ? 1 : 0;
                diverse += kind;
                edges[kind] += g.degree(Side.RIGHT, b);
                for (int i = 0; i < g.degree(Side.RIGHT, b); i++) {
                    onTopic[kind] += gen.pinTopic(g.neighbor(Side.RIGHT, b, i)) == gen.boardTopic(b) ? 1 : 0;
                }
            }
            assertEquals(0.25, diverse / (double) c.boards(), 0.04, msg + diverse + " catch-all boards");
            assertEquals(c.topicFocus() + (1 - c.topicFocus()) / c.topics(), onTopic[0] / (double) edges[0], 0.02, msg);
            assertEquals(1.0 / c.topics(), onTopic[1] / (double) edges[1], 0.03, msg + "catch-alls follow no topic");
        }
        PinBoardGenerator plain = new PinBoardGenerator(c.withDiverseBoards(0));
        for (int b = 0; b < c.boards(); b++) {
            assertTrue(!plain.isDiverse(b), msg + "board " + b);
        }
    }

    @Test
    void shouldMakeConfusableTopicsNearlyIdenticalInContentOnly() throws IOException {
        long seed = TestSeed.next();
        String msg = TestSeed.tag(seed);
        GeneratorConfig c = GeneratorConfig.of(4_000, 400, 20_000, seed).withTopics(8, 2);
        PinBoardGenerator gen = new PinBoardGenerator(c);
        StoreGeneration g = gen.writeStore(dir, SMALL);
        assertTrue(cosine(gen.centroid(0), gen.centroid(1)) > 0.99, msg);
        assertTrue(cosine(gen.centroid(2), gen.centroid(3)) > 0.99, msg);
        assertTrue(cosine(gen.centroid(4), gen.centroid(5)) < 0.9, msg);
        try (Arena arena = Arena.ofConfined(); MappedCsrGraph graph = MappedCsrGraph.open(g)) {
            FeatureMatrix f = FeatureMatrix.open(g.file(CsrLayout.features(Side.LEFT)), Side.LEFT, c.pins(), arena);
            f.verify();
            float[] row = new float[c.featureDim()];
            double own = 0, other = 0;
            for (int p = 0; p < c.pins(); p++) {
                f.copyRow(p, row, 0);
                own += cosine(row, gen.centroid(gen.pinTopic(p)));
                other += cosine(row, gen.centroid((gen.pinTopic(p) + 4) % c.topics()));
            }
            assertTrue(own / c.pins() > 0.8 && other / c.pins() < 0.4, msg + " own=" + own / c.pins() + " other=" + other / c.pins());

            EngagementPairs pairs = EngagementPairs.open(g.file(CsrLayout.PAIRS), graph, arena);
            assertEquals(c.heldOutPairs(), pairs.count());
            int same = 0;
            for (int i = 0; i < pairs.count(); i++) {
                same += gen.pinTopic(pairs.query(i)) == gen.pinTopic(pairs.related(i)) ? 1 : 0;
            }
            assertTrue(same > 0.7 * pairs.count(), msg + ": only " + same + " of " + pairs.count() + " pairs share a topic");
        }
    }

    @Test
    void shouldRefuseSizesBeyondTheHeapBeforeGeneratingAnything() {
        Path root = dir.resolve("huge");
        PinBoardGenerator pins = new PinBoardGenerator(GeneratorConfig.of(2_000_000_000, 100, 1_000, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pins.writeStore(root, CsrBuildOptions.defaults().withThreads(1)));
        assertTrue(e.getMessage().startsWith("leftCount=2000000000 rightCount=100 edges=1000 threads=1"), e.getMessage());
        assertTrue(e.getMessage().contains("of heap, more than the"), e.getMessage());
        assertFalse(Files.exists(root), "nothing written");
        e = assertThrows(IllegalArgumentException.class,
                () -> new PinBoardGenerator(GeneratorConfig.of(2_000_000_000, 2_000_000_000, 2_000_000_000, 1)));
        assertTrue(e.getMessage().startsWith("boards=2000000000: needs about 7.5 GiB of heap"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.of(1_000, 100, 1_000, 1).withHeldOutPairs(2_000_000_000));
        assertEquals("heldOutPairs=2000000000: must be <= pins=1000", e.getMessage());
    }

    @Test
    void shouldGenerateTheSameStoreWhateverTheThreadCount() throws IOException {
        long seed = TestSeed.next();
        GeneratorConfig c = GeneratorConfig.of(3_000, 300, 30_000, seed);
        new PinBoardGenerator(c).writeStore(dir.resolve("a"), SMALL.withThreads(1));
        new PinBoardGenerator(c).writeStore(dir.resolve("b"), SMALL.withThreads(3));
        StoreGeneration a = StoreDirectory.openCurrent(dir.resolve("a"));
        StoreGeneration b = StoreDirectory.openCurrent(dir.resolve("b"));
        assertEquals(a.files(), b.files(), TestSeed.tag(seed));
        for (String f : a.files().keySet()) {
            assertArrayEquals(Files.readAllBytes(a.file(f)), Files.readAllBytes(b.file(f)), TestSeed.tag(seed) + "file " + f);
        }
    }

    @Test
    void shouldKeepGeneratingTheSameGraphFeaturesAndPairsForASeed() throws IOException {
        // Pinned checksums: a change to any draw (sizes, topics, popularity, scatter, features, pairs) fails here.
        assertEquals(CHECKSUM_MEDIUM, storeChecksum(dir.resolve("medium"),
                GeneratorConfig.of(3_001, 301, 30_011, 11).withTopics(16, 4).withDiverseBoards(0.25)));
        // One pin a topic: the scatter of a topic of one pin.
        assertEquals(CHECKSUM_ONE_PIN_TOPICS, storeChecksum(dir.resolve("tiny"), GeneratorConfig.of(40, 10, 200, 3).withTopics(40, 0)));
    }

    /** An FNV-style hash of every edge (both sides, in CSR order), every feature bit and every engagement pair. */
    private static long storeChecksum(Path root, GeneratorConfig c) throws IOException {
        StoreGeneration g = new PinBoardGenerator(c).writeStore(root, SMALL);
        long h = 0xCBF29CE484222325L;
        try (MappedCsrGraph graph = MappedCsrGraph.open(root); Arena arena = Arena.ofConfined()) {
            for (Side side : Side.values()) {
                for (int v = 0; v < graph.nodeCount(side); v++) {
                    long first = graph.firstEdge(side, v);
                    h = fnv(h, graph.degree(side, v));
                    for (int i = 0; i < graph.degree(side, v); i++) {
                        h = fnv(h, graph.neighborAt(side, first + i));
                    }
                }
            }
            FeatureMatrix f = FeatureMatrix.open(g.file(CsrLayout.features(Side.LEFT)), Side.LEFT, c.pins(), arena);
            for (int p = 0; p < c.pins(); p++) {
                for (int d = 0; d < c.featureDim(); d++) {
                    h = fnv(h, Float.floatToRawIntBits(f.get(p, d)));
                }
            }
            EngagementPairs pairs = EngagementPairs.open(g.file(CsrLayout.PAIRS), graph, arena);
            for (int i = 0; i < pairs.count(); i++) {
                h = fnv(fnv(h, pairs.query(i)), pairs.related(i));
            }
        }
        return h;
    }

    private static long fnv(long h, int v) {
        return (h ^ v) * 0x100000001B3L;
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
