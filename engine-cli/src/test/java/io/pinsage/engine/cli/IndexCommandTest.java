package io.pinsage.engine.cli;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.embedding.EmbeddingStoreWriter;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.engine.ann.AnnIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code index}, and the index's lines of {@code info} and {@code verify}. */
class IndexCommandTest {

    @TempDir
    Path dir;

    /** Publishes {@code pins} seeded random unit rows of {@code dim} floats as the store's pin embeddings. */
    static void writeEmbeddings(Path store, int pins, int dim, long seed) throws Exception {
        Random rnd = new Random(seed);
        float[] row = new float[dim];
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(EmbeddingStore.defaultRoot(store, Side.LEFT), Side.LEFT, pins,
                dim, "0123456789abcdef0123456789abcdef", true)) {
            for (int u = 0; u < pins; u++) {
                double norm = 0;
                for (int j = 0; j < dim; j++) {
                    row[j] = (float) rnd.nextGaussian();
                    norm += row[j] * row[j];
                }
                for (int j = 0; j < dim; j++) {
                    row[j] /= (float) Math.sqrt(norm);
                }
                w.writeRow(u, row, 0);
            }
            w.commit();
        }
    }

    @Test
    void shouldBuildTheIndexThatInfoAndVerifyThenReport() throws Exception {
        Path store = dir.resolve("store");
        assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "300", "--boards", "30", "--edges", "2000")
                .code());
        CliRun none = CliRun.run("index", store.toString());
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().startsWith("error: ") && none.err().contains("./pinsage embed"), none.err());

        writeEmbeddings(store, 300, 8, 3);
        CliRun built = CliRun.run("index", store.toString(), "--max-degree", "8", "--beam", "32");
        assertEquals(0, built.code(), built.err());
        assertTrue(built.out().contains("index: 300 pins of 8 floats") && built.out().contains("by dot product"), built.out());
        CliRun info = CliRun.run("info", store.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("index: 300 pins, degree 8"), info.out());
        CliRun verify = CliRun.run("verify", store.toString());
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().contains("ok: index: 300 pins"), verify.out());

        Path graph = StoreDirectory.openCurrent(AnnIndex.defaultRoot(store, Side.LEFT)).file(AnnIndex.GRAPH_FILE);
        try (FileChannel ch = FileChannel.open(graph, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            long at = ch.size() / 2;
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 1)).rewind();
            ch.write(b, at);
        }
        assertEquals(0, CliRun.run("info", store.toString()).code(), "info reads headers, not checksums");
        CliRun damaged = CliRun.run("verify", store.toString());
        assertEquals(2, damaged.code(), damaged.out());
        assertTrue(damaged.err().startsWith("error: ") && damaged.err().contains(AnnIndex.GRAPH_FILE)
                && damaged.err().contains("checksum"), damaged.err());
    }
}
