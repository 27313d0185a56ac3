package io.pinsage.engine.ann;

import io.pinsage.csr.Side;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index: recall against the exact scan, the round trip, refused damage, filters. */
class AnnIndexTest {

    private static final int NODES = 3000;
    private static final int DIM = 24;

    @TempDir
    Path dir;

    private Path embeddings(long seed, String fingerprint) throws IOException {
        Path root = dir.resolve("embeddings.left");
        TestEmbeddings.write(root, Side.LEFT, NODES, DIM, 40, seed, fingerprint);
        return root;
    }

    private static float[] row(EmbeddingStore s, int node) {
        float[] q = new float[s.dim()];
        s.read(node, q, 0);
        return q;
    }

    @Test
    void shouldFindWhatTheExactScanFindsAndTheSameAfterReopening() throws IOException {
        long seed = TestSeed.next();
        Path index = dir.resolve("index.left");
        try (EmbeddingStore store = EmbeddingStore.open(embeddings(seed, TestEmbeddings.FINGERPRINT), true)) {
            AnnIndex.build(store, index, 16, 64);
            ExactSearch exact = new ExactSearch(store);
            Random rnd = new Random(seed);
            int[] queries = rnd.ints(60, 0, NODES).toArray();
            Neighbors[] first = new Neighbors[queries.length];
            int found = 0;
            try (AnnIndex ann = AnnIndex.open(index, store, true)) {
                assertEquals(NODES, ann.size());
                for (int i = 0; i < queries.length; i++) {
                    float[] q = row(store, queries[i]);
                    first[i] = ann.search(q, 10, AnnIndex.DEFAULT_SEARCH_BEAM, null);
                    Set<Integer> want = new HashSet<>();
                    for (int r : exact.search(q, 10, null).rows()) {
                        want.add(r);
                    }
                    for (int r : first[i].rows()) {
                        found += want.contains(r) ? 1 : 0;
                    }
                }
            }
            double recall = found / (10.0 * queries.length);
            assertTrue(recall >= 0.9, TestSeed.tag(seed) + "recall@10=" + recall);
            try (AnnIndex again = AnnIndex.open(index, store, false)) {
                for (int i = 0; i < queries.length; i++) {
                    Neighbors n = again.search(row(store, queries[i]), 10, AnnIndex.DEFAULT_SEARCH_BEAM, null);
                    assertArrayEquals(first[i].rows(), n.rows(), TestSeed.tag(seed) + "query " + queries[i]);
                    // the same rows; a score may differ in the last bit: the Vector API's lane sum has no fixed order
                    assertArrayEquals(first[i].scores(), n.scores(), 1e-6f);
                }
            }
        }
    }

    @Test
    void shouldScoreByTheExactDotProductAndHonourTheFilter() throws IOException {
        long seed = TestSeed.next();
        Path index = dir.resolve("index.left");
        try (EmbeddingStore store = EmbeddingStore.open(embeddings(seed, TestEmbeddings.FINGERPRINT), false)) {
            AnnIndex.build(store, index, 8, 32);
            float[] q = row(store, 7);
            Neighbors exact = new ExactSearch(store).search(q, 5, u -> u % 2 == 0);
            for (int i = 0; i < exact.size(); i++) {
                assertEquals(0, exact.rows()[i] % 2);
                float[] r = row(store, exact.rows()[i]);
                float dot = 0;
                for (int j = 0; j < DIM; j++) {
                    dot += r[j] * q[j];
                }
                assertEquals(dot, exact.scores()[i], 1e-5f);
                assertTrue(i == 0 || exact.scores()[i - 1] >= exact.scores()[i]);
            }
            try (AnnIndex ann = AnnIndex.open(index, store, false)) {
                Neighbors odd = ann.search(q, 8, 50, u -> u % 2 == 1);
                assertEquals(8, odd.size());
                for (int i = 0; i < odd.size(); i++) {
                    assertEquals(1, odd.rows()[i] % 2, TestSeed.tag(seed) + Arrays.toString(odd.rows()));
                    float[] r = row(store, odd.rows()[i]);
                    float dot = 0;
                    for (int j = 0; j < DIM; j++) {
                        dot += r[j] * q[j];
                    }
                    assertEquals(dot, odd.scores()[i], 1e-5f);
                }
            }
        }
    }

    @Test
    void shouldRefuseADamagedGraphAnIndexOfOtherEmbeddingsAndATruncatedFile() throws IOException {
        long seed = TestSeed.next();
        Path index = dir.resolve("index.left");
        StoreGeneration g;
        try (EmbeddingStore store = EmbeddingStore.open(embeddings(seed, TestEmbeddings.FINGERPRINT), false)) {
            g = AnnIndex.build(store, index, 8, 32);
            AnnIndex.build(store, dir.resolve("index.intact"), 8, 32);
            Path graph = g.file(AnnIndex.GRAPH_FILE);
            long size = java.nio.file.Files.size(graph);
            try (FileChannel ch = FileChannel.open(graph, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                long at = size / 2;
                ch.read(b, at);
                b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
                ch.write(b, at);
            }
            CorruptStoreException damaged = assertThrows(CorruptStoreException.class, () -> AnnIndex.open(index, store, true));
            assertTrue(damaged.getMessage().contains(AnnIndex.GRAPH_FILE) && damaged.getMessage().contains("checksum"),
                    damaged.getMessage());
            try (FileChannel ch = FileChannel.open(graph, StandardOpenOption.WRITE)) {
                ch.truncate(size - 100);
            }
            CorruptStoreException cut = assertThrows(CorruptStoreException.class, () -> AnnIndex.open(index, store, false));
            assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        }
        try (EmbeddingStore other = EmbeddingStore.open(embeddings(seed + 1, "fedcba9876543210fedcba9876543210"), false)) {
            CorruptStoreException stale = assertThrows(CorruptStoreException.class,
                    () -> AnnIndex.open(dir.resolve("index.intact"), other, true));
            assertTrue(stale.getMessage().contains("fingerprint=" + TestEmbeddings.FINGERPRINT)
                    && stale.getMessage().contains("rebuild the index"), stale.getMessage());
        }
    }
}
