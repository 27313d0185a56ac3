package io.pinsage.engine.cli;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.engine.ann.AnnIndex;
import io.pinsage.engine.ann.TestEmbeddings;
import io.pinsage.engine.api.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code index}, and the index's lines of {@code info} and {@code verify}. */
class IndexCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldBuildTheIndexThatInfoAndVerifyThenReport() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 300);
        CliRun none = CliRun.run("index", store.toString());
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().startsWith("error: ") && none.err().contains("./pinsage embed"), none.err());

        TestEmbeddings.write(EmbeddingStore.defaultRoot(store, Side.LEFT), Side.LEFT, 300, 8, 5, 3, TestEmbeddings.FINGERPRINT);
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
