package io.pinsage.walk;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.CsrBuilder;
import io.pinsage.csr.CsrLayout;
import io.pinsage.csr.MappedCsrGraph;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walks and walk tables over a store whose neighbour ids were damaged on disk report the damaged shard as
 * a {@link CorruptStoreException}, never as a raw exception or a plausible answer.
 */
class DamagedStoreWalksTest {

    @TempDir
    Path dir;

    /**
     * Two communities, pins 0–4 on boards 0–1 and pins 5–9 on boards 2–3, and pin 10 without edges; then board 0's
     * first neighbour (right edge 0, pin 0) is overwritten with {@code pin}.
     *
     * @return the damaged shard
     */
    private Path storeWithBoardZeroFirstPin(int pin) throws IOException {
        StoreGeneration g;
        try (Publication p = StoreDirectory.beginPublication(store())) {
            CsrBuilder b = new CsrBuilder(p.directory(), p.scratchDirectory(), CsrBuildOptions.defaults().withThreads(1));
            try (CsrBuilder.Sink s = b.newSink()) {
                for (int q = 0; q < 10; q++) {
                    s.add(q, q < 5 ? 0 : 2);
                    s.add(q, q < 5 ? 1 : 3);
                }
            }
            b.build(11, 4);
            g = p.commit();
        }
        Path shard = g.file(CsrLayout.neighbors(Side.RIGHT, 0));
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(StoreFileFormat.BYTE_ORDER).putInt(0, pin), StoreFileFormat.HEADER_LENGTH);
        }
        return shard;
    }

    private Path store() {
        return dir.resolve("store");
    }

    private static void expectDamage(Path shard, String words, Executable action) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, action);
        CorruptStoreException c = assertInstanceOf(CorruptStoreException.class, e.getCause());
        assertEquals(shard, c.file(), c.getMessage());
        assertTrue(c.getMessage().contains(words), c.getMessage());
    }

    @Test
    void shouldReportANeighbourOutsideItsSideThatAPixieWalkMeets() throws IOException {
        Path shard = storeWithBoardZeroFirstPin(99);
        for (Residency residency : Residency.values()) {
            try (MappedCsrGraph g = MappedCsrGraph.open(store(), residency)) {
                PixieEngine engine = new PixieEngine(g);
                PixieQuery q = PixieQuery.builder().pin(1, 1f).steps(5_000).topPins(10).seed(3).build();
                expectDamage(shard, "neighbour id 99 at edge 0 of side RIGHT (shard edge 0) lies outside [0, 11)",
                        () -> engine.query(q));
            }
        }
    }

    @Test
    void shouldReportItFromImportanceNeighbourhoodsOverTheGraph() throws IOException {
        Path shard = storeWithBoardZeroFirstPin(-3);
        try (MappedCsrGraph g = MappedCsrGraph.open(store())) {
            ImportanceNeighborhoods hoods = new ImportanceNeighborhoods(g, new NeighborhoodConfig(Side.LEFT, 3, 2_000, 0.5, 8, 1));
            expectDamage(shard, "neighbour id -3 at edge 0", () -> hoods.compute(2, new int[3], new float[3]));
        }
    }

    @Test
    void shouldReportANeighbourOutsideItsSideWhenBuildingAWalkTable() throws IOException {
        Path shard = storeWithBoardZeroFirstPin(11);
        try (MappedCsrGraph g = MappedCsrGraph.open(store())) {
            expectDamage(shard, "neighbour id 11 at edge 0 of side RIGHT (shard edge 0) lies outside [0, 11)", () -> WalkTable.of(g));
        }
    }

    @Test
    void shouldReportANeighbourWithoutEdgesWhenBuildingAWalkTable() throws IOException {
        Path shard = storeWithBoardZeroFirstPin(10);
        try (MappedCsrGraph g = MappedCsrGraph.open(store())) {
            expectDamage(shard, "neighbour id 10 at edge 0 of side RIGHT (shard edge 0) has no edges of its own", () -> WalkTable.of(g));
        }
    }
}
