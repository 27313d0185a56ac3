package io.pinsage.csr.embedding;

import io.pinsage.csr.Side;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddingStoreTest {

    private static final String PRINT = "0123456789abcdef0011223344556677";

    @TempDir
    Path dir;

    private static float[] row(int u, int dim, int salt) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = u * 0.5f - i + salt;
        }
        return v;
    }

    @Test
    void shouldReadBackWhatWasWrittenInAnyOrder() throws IOException {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        int nodes = 100 + rnd.nextInt(200);
        int dim = 1 + rnd.nextInt(20);
        Path root = EmbeddingStore.defaultRoot(dir, Side.RIGHT);
        assertEquals(dir.resolve("embeddings.right"), root);
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(root, Side.RIGHT, nodes, dim, PRINT.toUpperCase(), true)) {
            for (int u = nodes - 1; u >= 0; u -= 2) {
                float[] v = row(u, dim, 0);
                w.writeRow(u, v, 0);
            }
            w.commit();
        }
        try (EmbeddingStore s = EmbeddingStore.open(root, true)) {
            String msg = TestSeed.tag(seed);
            assertEquals(Side.RIGHT, s.side(), msg);
            assertEquals(nodes, s.nodeCount(), msg);
            assertEquals(dim, s.dim(), msg);
            assertEquals(PRINT, s.modelFingerprint(), msg);
            assertTrue(s.normalized(), msg);
            float[] got = new float[dim + 3];
            for (int u = 0; u < nodes; u++) {
                s.read(u, got, 3);
                float[] want = (nodes - 1 - u) % 2 == 0 ? row(u, dim, 0) : new float[dim];
                for (int i = 0; i < dim; i++) {
                    assertEquals(want[i], got[3 + i], msg + "node=" + u);
                    assertEquals(want[i], s.vectors().get(StoreFileFormat.FLOAT, (u * (long) dim + i) * 4L), msg + "node=" + u);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.read(nodes, got, 0));
            assertTrue(e.getMessage().contains("node=" + nodes), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.read(-1, got, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> s.read(0, got, 4));
            assertThrows(IllegalArgumentException.class, () -> s.vectors().set(StoreFileFormat.FLOAT, 0, 1f));
            assertTrue(s.path().endsWith(EmbeddingFormat.FILE_NAME));
        }
    }

    @Test
    void shouldKeepThePublishedStoreWhenAWriteIsAbandoned() throws IOException {
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(dir, Side.LEFT, 3, 2, PRINT, false)) {
            w.writeRow(1, new float[] {1, 2}, 0);
            w.commit();
        }
        StoreGeneration before = StoreDirectory.openCurrent(dir);
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(dir, Side.LEFT, 5, 4, PRINT, true)) {
            w.writeRow(1, new float[] {9, 9, 9, 9}, 0);
            // no commit: as if the run failed
        }
        assertEquals(before.name(), StoreDirectory.openCurrent(dir).name());
        try (EmbeddingStore s = EmbeddingStore.open(dir, true)) {
            float[] got = new float[2];
            s.read(1, got, 0);
            assertArrayEquals(new float[] {1, 2}, got);
            assertFalse(s.normalized());
        }
    }

    /** Rows written through a work file survive the writer being dropped, and publish with the rest on resume. */
    @Test
    void shouldResumeFromTheRowsOfAWorkFile() throws IOException {
        Path root = dir.resolve("store");
        Path work = dir.resolve("rows.work");
        int dim = 3;
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.resume(root, work, Side.LEFT, 4, dim, PRINT, false)) {
            w.writeRow(0, row(0, dim, 1), 0);
            w.writeRow(1, row(1, dim, 1), 0);
            w.force();
        }
        assertFalse(StoreDirectory.isPublished(root));
        assertTrue(Files.exists(work));
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.resume(root, work, Side.LEFT, 4, dim, PRINT, false)) {
            w.writeRow(2, row(2, dim, 1), 0);
            w.writeRow(3, row(3, dim, 1), 0);
            w.commit();
        }
        assertFalse(Files.exists(work), "the work file becomes the published file");
        try (EmbeddingStore s = EmbeddingStore.open(root, true)) {
            float[] got = new float[dim];
            for (int u = 0; u < 4; u++) {
                s.read(u, got, 0);
                assertArrayEquals(row(u, dim, 1), got, "node=" + u);
            }
        }
    }

    @Test
    void shouldRejectACorruptedBodyNamingTheFile() throws IOException {
        StoreGeneration g;
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(dir, Side.LEFT, 4, 8, PRINT, false)) {
            w.writeRow(1, row(1, 8, 0), 0);
            g = w.commit();
        }
        Path file = g.file(EmbeddingFormat.FILE_NAME);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {42}), 100);
        }
        EmbeddingStore.open(dir, false).close();
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> EmbeddingStore.open(dir, true));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void shouldRejectBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> EmbeddingStoreWriter.create(dir, Side.LEFT, 3, 0, PRINT, false));
        assertThrows(IllegalArgumentException.class, () -> EmbeddingStoreWriter.create(dir, Side.LEFT, -1, 2, PRINT, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingStoreWriter.create(dir, Side.LEFT, 3, 2, "model-7", false));
        assertTrue(e.getMessage().startsWith("fingerprint=model-7"), e.getMessage());
        assertFalse(StoreDirectory.isPublished(dir));
    }

    @Test
    void shouldRejectRowsOutOfRange() throws IOException {
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(dir, Side.LEFT, 3, 2, PRINT, false)) {
            assertThrows(IllegalArgumentException.class, () -> w.writeRow(3, new float[2], 0));
            assertThrows(IndexOutOfBoundsException.class, () -> w.writeRow(0, new float[2], 1));
        }
    }
}
