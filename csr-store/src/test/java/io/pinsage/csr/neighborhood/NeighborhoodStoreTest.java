package io.pinsage.csr.neighborhood;

import io.pinsage.csr.Side;
import io.pinsage.csr.TestSeed;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeighborhoodStoreTest {

    @TempDir
    Path root;

    /** Row u of the test data: (u % (width + 1)) neighbours with ids derived from u. */
    private static int fill(int u, int width, int[] ids, float[] weights, int salt) {
        int n = u % (width + 1);
        for (int i = 0; i < n; i++) {
            ids[i] = u * 31 + i + salt;
            weights[i] = 1f / n;
        }
        return n;
    }

    @Test
    void shouldReadBackWhatWasWrittenInAnyOrder() throws IOException {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        int nodes = 200 + rnd.nextInt(200);
        int width = 1 + rnd.nextInt(9);
        int[] ids = new int[width];
        float[] weights = new float[width];
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, Side.LEFT, Side.LEFT, nodes, width, 123, seed)) {
            for (int u = nodes - 1; u >= 0; u -= 2) {
                w.writeRow(u, ids, weights, fill(u, width, ids, weights, 0));
            }
            w.commit();
        }
        try (NeighborhoodStore s = NeighborhoodStore.open(root, true)) {
            assertEquals(nodes, s.nodeCount());
            assertEquals(width, s.width());
            assertEquals(Side.LEFT, s.side());
            assertEquals(123, s.stepsPerNode());
            int[] gotIds = new int[width + 2];
            float[] gotWeights = new float[width + 2];
            int[] want = new int[width];
            float[] wantWeights = new float[width];
            for (int u = 0; u < nodes; u++) {
                int expected = (nodes - 1 - u) % 2 == 0 ? fill(u, width, want, wantWeights, 0) : 0;
                int n = s.read(u, gotIds, gotWeights, 2);
                String msg = TestSeed.tag(seed) + "node=" + u;
                assertEquals(expected, n, msg);
                assertEquals(expected, s.size(u), msg);
                for (int i = 0; i < n; i++) {
                    assertEquals(want[i], gotIds[2 + i], msg);
                    assertEquals(wantWeights[i], gotWeights[2 + i], msg);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.read(nodes, gotIds, gotWeights, 0));
            assertTrue(e.getMessage().contains("node=" + nodes), e.getMessage());
        }
    }

    @Test
    void shouldRewriteOnlyTheUpdatedRows() throws IOException {
        int width = 4;
        int[] ids = new int[width];
        float[] weights = new float[width];
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, Side.RIGHT, Side.RIGHT, 50, width, 10, 1)) {
            for (int u = 0; u < 50; u++) {
                w.writeRow(u, ids, weights, fill(u, width, ids, weights, 0));
            }
            w.commit();
        }
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.update(root)) {
            w.writeRow(7, ids, weights, fill(7, width, ids, weights, 1000));
            w.commit();
        }
        try (NeighborhoodStore s = NeighborhoodStore.open(root, true)) {
            int[] got = new int[width];
            float[] gw = new float[width];
            for (int u = 0; u < 50; u++) {
                int n = s.read(u, got, gw, 0);
                int expected = fill(u, width, ids, weights, u == 7 ? 1000 : 0);
                assertEquals(expected, n, "node=" + u);
                for (int i = 0; i < n; i++) {
                    assertEquals(ids[i], got[i], "node=" + u);
                }
            }
        }
    }

    @Test
    void shouldKeepThePublishedStoreWhenAnUpdateIsAbandoned() throws IOException {
        int[] ids = {5};
        float[] weights = {1f};
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, Side.LEFT, Side.LEFT, 3, 1, 10, 1)) {
            w.writeRow(0, ids, weights, 1);
            w.commit();
        }
        StoreGeneration before = StoreDirectory.openCurrent(root);
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.update(root)) {
            w.writeRow(0, new int[] {9}, weights, 1);
            // no commit: as if the build failed
        }
        assertEquals(before.name(), StoreDirectory.openCurrent(root).name());
        try (NeighborhoodStore s = NeighborhoodStore.open(root, true)) {
            int[] got = new int[1];
            assertEquals(1, s.read(0, got, new float[1], 0));
            assertEquals(5, got[0]);
        }
    }

    @Test
    void shouldRejectACorruptedBody() throws IOException {
        int[] ids = {5, 6};
        float[] weights = {0.5f, 0.5f};
        StoreGeneration g;
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, Side.LEFT, Side.LEFT, 4, 2, 10, 1)) {
            w.writeRow(1, ids, weights, 2);
            g = w.commit();
        }
        Path file = g.file(NeighborhoodFormat.FILE_NAME);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {42}), 100);
        }
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> NeighborhoodStore.open(root, true));
        assertTrue(e.getMessage().contains(NeighborhoodFormat.FILE_NAME), e.getMessage());
    }

    @Test
    void shouldRejectBadRowsAndWidths() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> NeighborhoodStoreWriter.create(root, Side.LEFT, Side.LEFT, 3, 0, 1, 1));
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, Side.LEFT, Side.LEFT, 3, 2, 1, 1)) {
            assertThrows(IllegalArgumentException.class, () -> w.writeRow(3, new int[2], new float[2], 1));
            assertThrows(IllegalArgumentException.class, () -> w.writeRow(0, new int[3], new float[3], 3));
            assertThrows(IllegalArgumentException.class, () -> w.writeRow(0, new int[] {-4}, new float[1], 1));
        }
    }

    /** Rows of a node's own neighbours hold ids of the other side, and the store says so. */
    @Test
    void shouldRecordTheSideOfTheNeighboursApartFromTheSideOfTheNodes() throws IOException {
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, Side.RIGHT, Side.LEFT, 2, 3, 10, 77)) {
            w.writeRow(0, new int[] {9, 4}, new float[] {0.5f, 0.5f}, 2);
            w.commit();
        }
        try (NeighborhoodStore s = NeighborhoodStore.open(root, true)) {
            assertEquals(Side.RIGHT, s.side());
            assertEquals(Side.LEFT, s.neighborSide());
            assertEquals(77, s.seed());
            s.verifyIds(10);
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> s.verifyIds(9));
            assertTrue(e.getMessage().endsWith("node 0 slot 0 holds id 9, outside [0, 9) of side LEFT"), e.getMessage());
        }
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.update(root)) {
            assertEquals(Side.LEFT, w.neighborSide(), "an update keeps the sides");
        }
    }

    /** A version 1 store recorded one side for both: it is refused with what to do, not read with a guess. */
    @Test
    void shouldRefuseAVersionOneStoreAndSayToRebuildIt() throws IOException {
        StoreGeneration g;
        try (NeighborhoodStoreWriter w = NeighborhoodStoreWriter.create(root, Side.LEFT, Side.LEFT, 2, 2, 10, 1)) {
            g = w.commit();
        }
        Path file = g.file(NeighborhoodFormat.FILE_NAME);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(StoreFileFormat.encodeHeader(new FileHeader(NeighborhoodFormat.CODEC, 1, 0, 2, 2, 10, 1)), 0);
        }
        for (boolean verify : new boolean[] {false, true}) {
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> NeighborhoodStore.open(root, verify));
            assertEquals(file, e.file());
            assertTrue(e.getMessage().contains("version 1 does not record the side of the neighbours (version 2 does): "
                    + "rebuild it"), e.getMessage());
        }
        assertThrows(CorruptStoreException.class, () -> NeighborhoodStoreWriter.update(root).close());
    }
}
