package io.pinsage.csr;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a store can be damaged on disk is reported as a {@link CorruptStoreException} naming the file. */
class GraphStoreCorruptionTest {

    @TempDir
    Path root;

    private StoreGeneration generation;
    private final long seed = TestSeed.next();

    @BeforeEach
    void buildStore() throws IOException {
        GeneratorConfig c = GeneratorConfig.of(2_000, 200, 20_000, seed).withFeatureDim(4);
        generation = new PinBoardGenerator(c).writeStore(root, CsrBuildOptions.defaults().withEdgesPerShard(5_000).withBucketNodes(256));
    }

    private CorruptStoreException expectOnOpen(Path file, String words) {
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> {
            try (GraphStore s = GraphStore.open(root)) {
                s.verify();
            }
        }, TestSeed.tag(seed));
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
        return e;
    }

    /** Rewrites the manifest so that only the damage inside the file itself is left to find. */
    private void acceptSizes() throws IOException {
        java.util.Map<String, Long> files = new java.util.TreeMap<>();
        for (String f : generation.files().keySet()) {
            files.put(f, Files.size(generation.file(f)));
        }
        Files.writeString(generation.file("MANIFEST"), io.pinsage.csr.format.ManifestFormat.encodeManifest(files));
    }

    @Test
    void shouldRejectTruncatedShard() throws IOException {
        Path shard = generation.file(CsrLayout.neighbors(Side.RIGHT, 1));
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 8);
        }
        expectOnOpen(shard, "truncated");
        acceptSizes();
        expectOnOpen(shard, "truncated");
    }

    @Test
    void shouldRejectFlippedByteOnVerify() throws IOException {
        Path shard = generation.file(CsrLayout.neighbors(Side.LEFT, 0));
        Random rnd = new Random(seed);
        long at = StoreFileFormat.HEADER_LENGTH + rnd.nextInt((int) (Files.size(shard) - StoreFileFormat.HEADER_LENGTH - StoreFileFormat.FOOTER_LENGTH));
        try (RandomAccessFile raf = new RandomAccessFile(shard.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x01);
        }
        try (GraphStore s = GraphStore.open(root)) {
            CorruptStoreException e = assertThrows(CorruptStoreException.class, s::verify, TestSeed.tag(seed) + "at=" + at);
            assertEquals(shard, e.file());
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        }
    }

    @Test
    void shouldRejectWrongMagic() throws IOException {
        Path offsets = generation.file(CsrLayout.offsets(Side.LEFT));
        try (FileChannel ch = FileChannel.open(offsets, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("NOPE".getBytes()), 0);
        }
        expectOnOpen(offsets, "wrong magic");
    }

    @Test
    void shouldRejectUnsupportedVersion() throws IOException {
        Path features = generation.file(CsrLayout.features(Side.LEFT));
        ByteBuffer head = StoreFileFormat.encodeHeader(new io.pinsage.csr.format.FileHeader(FeatureMatrixFormat.CODEC, 99, 2_000, 4, 0));
        try (FileChannel ch = FileChannel.open(features, StandardOpenOption.WRITE)) {
            ch.write(head, 0);
        }
        expectOnOpen(features, "unsupported " + FeatureMatrixFormat.CODEC + " version 99");
    }

    @Test
    void shouldRejectFileOfAnotherFormatUnderAShardName() throws IOException {
        Path shard = generation.file(CsrLayout.neighbors(Side.LEFT, 0));
        Files.copy(generation.file(CsrLayout.offsets(Side.RIGHT)), shard, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        acceptSizes();
        expectOnOpen(shard, "codec '" + OffsetsFormat.CODEC + "'");
    }

    @Test
    void shouldRejectForeignAndMissingFiles() throws IOException {
        Path stray = generation.file("notes.txt");
        Files.writeString(stray, "hello");
        expectOnOpen(stray, "foreign file");
        acceptSizes();
        java.util.Map<String, Long> withStray = new java.util.TreeMap<>(generation.files());
        withStray.put("notes.txt", 5L);
        Files.writeString(generation.file("MANIFEST"), io.pinsage.csr.format.ManifestFormat.encodeManifest(withStray));
        expectOnOpen(stray, "not part of a graph store");
        Files.delete(stray);
        Files.writeString(generation.file("MANIFEST"), io.pinsage.csr.format.ManifestFormat.encodeManifest(generation.files()));

        Path shard = generation.file(CsrLayout.neighbors(Side.RIGHT, 0));
        Files.delete(shard);
        expectOnOpen(shard, "missing file");
    }

    @Test
    void shouldRejectShardsThatDoNotTile() throws IOException {
        Path second = generation.file(CsrLayout.neighbors(Side.LEFT, 1));
        Files.delete(second);
        Files.move(generation.file(CsrLayout.neighbors(Side.LEFT, 2)), second);
        java.util.Map<String, Long> files = new java.util.TreeMap<>(generation.files());
        files.put(CsrLayout.neighbors(Side.LEFT, 1), Files.size(second));
        files.remove(CsrLayout.neighbors(Side.LEFT, 2));
        Files.writeString(generation.file("MANIFEST"), io.pinsage.csr.format.ManifestFormat.encodeManifest(files));
        expectOnOpen(second, "does not continue the previous one");
    }

    /** Overwrites part of {@code file}'s body, leaving its header and length intact: damage only reads can find. */
    private static void overwriteBody(Path file, long at, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(bytes, StoreFileFormat.HEADER_LENGTH + at);
        }
    }

    private static ByteBuffer littleEndian(int bytes) {
        return ByteBuffer.allocate(bytes).order(StoreFileFormat.BYTE_ORDER);
    }

    private CorruptStoreException expectOnOpenAlone(Path file, String words) {
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> GraphStore.open(root).close(), TestSeed.tag(seed));
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(words), TestSeed.tag(seed) + e.getMessage());
        return e;
    }

    @Test
    void shouldRejectEightDamagedBytesOfAnOffsetOnOpen() throws IOException {
        Path offsets = generation.file(CsrLayout.offsets(Side.LEFT));
        Random rnd = new Random(seed);
        int node = 1 + rnd.nextInt(1_998);
        overwriteBody(offsets, 8L * node, littleEndian(8).putLong(0, rnd.nextLong()));
        expectOnOpenAlone(offsets, "is below the previous");
    }

    @Test
    void shouldRejectOffsetsWhoseLargestDegreeIsNotTheRecordedOneOnOpen() throws IOException {
        Path offsets = generation.file(CsrLayout.offsets(Side.RIGHT));
        int widest;
        long before;
        try (MappedCsrGraph g = MappedCsrGraph.open(root)) {
            widest = 1;
            for (int b = 2; b < g.nodeCount(Side.RIGHT); b++) {
                widest = g.degree(Side.RIGHT, b) > g.degree(Side.RIGHT, widest) ? b : widest;
            }
            assertTrue(g.degree(Side.RIGHT, widest - 1) > 0, TestSeed.tag(seed) + "board " + (widest - 1) + " has no pins");
            before = g.firstEdge(Side.RIGHT, widest - 1);
        }
        // the widest board takes its predecessor's edges: still non-decreasing, but wider than the header says
        overwriteBody(offsets, 8L * widest, littleEndian(8).putLong(0, before));
        expectOnOpenAlone(offsets, "maximum degree");
    }

    @Test
    void shouldRejectPairsNamingNodesOutsideTheGraphOnOpen() throws IOException {
        Path pairs = generation.file(CsrLayout.PAIRS);
        overwriteBody(pairs, 8L * 3 + 4, littleEndian(4).putInt(0, 2_000 + 7));
        expectOnOpenAlone(pairs, "related id 2007 of pair 3 lies outside [0, 2000)");
    }

    @Test
    void shouldNameTheShardOfANeighbourOutsideItsSide() throws IOException {
        Path shard = generation.file(CsrLayout.neighbors(Side.RIGHT, 1));
        overwriteBody(shard, 4L * 10, littleEndian(4).putInt(0, 2_000 + 5));
        try (GraphStore s = GraphStore.open(root)) {
            MappedCsrGraph g = s.graph();
            long edge = firstEdgeOfShard(shard) + 10;
            IndexOutOfBoundsException failure = new IndexOutOfBoundsException("a walk's read");
            RuntimeException e = g.explain(failure);
            assertTrue(e instanceof java.io.UncheckedIOException && e.getCause() instanceof CorruptStoreException, e.toString());
            CorruptStoreException c = (CorruptStoreException) e.getCause();
            assertEquals(shard, c.file());
            assertTrue(c.getMessage().contains("neighbour id 2005 at edge " + edge + " of side RIGHT (shard edge 10) lies outside [0, 2000)"),
                    c.getMessage());
            assertEquals(failure, e.getSuppressed()[0]);
            assertEquals(shard, ((CorruptStoreException) g.corruptNeighbor(Side.RIGHT, edge, "is odd").getCause()).file());
            CorruptStoreException v = assertThrows(CorruptStoreException.class, g::verify);
            assertEquals(shard, v.file());
        }
    }

    /** The global position of a neighbour shard's first edge, from its header. */
    private static long firstEdgeOfShard(Path shard) throws IOException {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            return io.pinsage.csr.format.MappedStoreFile.open(shard, NeighborShardFormat.NEIGHBORS, a).header()
                    .count(NeighborShardFormat.COUNT_FIRST_EDGE);
        }
    }
}
