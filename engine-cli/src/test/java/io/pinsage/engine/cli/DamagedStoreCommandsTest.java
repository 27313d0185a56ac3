package io.pinsage.engine.cli;

import io.pinsage.csr.CsrLayout;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command that reads a graph store reports damage to it as one {@code error:} line naming the damaged file
 * and the {@code verify} command, with exit code 2: structural damage when it opens the store, a neighbour id
 * outside its side when a walk meets it, and any damaged byte when the command derives data from the store.
 */
class DamagedStoreCommandsTest {

    @TempDir
    Path dir;

    private Path store;
    private Path generation;

    @BeforeEach
    void generate() {
        store = dir.resolve("store");
        CliRun gen = CliRun.run("generate", "--out", store.toString(), "--pins", "2000", "--boards", "200", "--edges", "10000",
                "--seed", "3");
        assertEquals(0, gen.code(), gen.err());
        generation = store.resolve("gen-00000001");
    }

    private ByteBuffer read(Path file, long bodyOffset, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(StoreFileFormat.BYTE_ORDER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.read(b, StoreFileFormat.HEADER_LENGTH + bodyOffset);
        }
        return b.flip();
    }

    private void write(Path file, long bodyOffset, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(bytes, StoreFileFormat.HEADER_LENGTH + bodyOffset);
        }
    }

    /** Overwrites every neighbour of board 0 with {@code pin}; returns a pin that was one of them. */
    private int overwriteBoardZero(int pin) throws IOException {
        Path shard = generation.resolve(CsrLayout.neighbors(Side.RIGHT, 0));
        int degree = (int) read(generation.resolve(CsrLayout.offsets(Side.RIGHT)), 8, 8).getLong();
        int member = read(shard, 0, 4).getInt();
        ByteBuffer row = ByteBuffer.allocate(4 * degree).order(StoreFileFormat.BYTE_ORDER);
        for (int i = 0; i < degree; i++) {
            row.putInt(pin);
        }
        write(shard, 0, row.flip());
        return member;
    }

    /** The run failed with exit code 2 and one line naming {@code file} and how to check the store. */
    private void expectDamageReport(CliRun r, String file, String words) {
        assertEquals(CliErrors.BAD_INPUT, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: " + generation.resolve(file) + ": "), err);
        assertTrue(err.contains(words), err);
        assertTrue(err.endsWith("./pinsage verify " + store.toAbsolutePath() + " checks every file of it)"), err);
        assertEquals(1, err.lines().count(), err);
    }

    @Test
    void shouldRejectEightDamagedBytesOfAnOffsetWhenAnyCommandOpensTheStore() throws IOException {
        String offsets = CsrLayout.offsets(Side.LEFT);
        write(generation.resolve(offsets), 8 * 500, ByteBuffer.allocate(8).order(StoreFileFormat.BYTE_ORDER).putLong(0, 0x5a5a_5a5a_5a5aL));
        for (String query : new String[] {"499", "500", "3"}) {
            expectDamageReport(CliRun.run("walk", store.toString(), "--query", query, "--steps", "2000"), offsets, "is below the previous");
        }
        expectDamageReport(CliRun.run("info", store.toString()), offsets, "offset of node");
        expectDamageReport(CliRun.run("neighborhoods", store.toString(), "--steps", "10", "--threads", "1"), offsets, "offset of node");
        expectDamageReport(CliRun.run("evaluate", "--model", dir.resolve("no-model").toString(), "--dataset", "synthetic:" + store,
                "--device", "cpu"), offsets, "offset of node");
    }

    @Test
    void shouldRejectANeighbourOutsideItsSideThatAWalkMeets() throws IOException {
        int pin = overwriteBoardZero(77_777);
        CliRun r = CliRun.run("walk", store.toString(), "--query", Integer.toString(pin), "--steps", "20000", "--residency", "mapped");
        expectDamageReport(r, CsrLayout.neighbors(Side.RIGHT, 0), "neighbour id 77777 at edge ");
    }

    @Test
    void shouldVerifyTheGraphBeforeBuildingNeighbourhoodsWithOrWithoutAWalkTable() throws IOException {
        overwriteBoardZero(-5);
        String shard = CsrLayout.neighbors(Side.RIGHT, 0);
        expectDamageReport(CliRun.run("neighborhoods", store.toString(), "--steps", "100", "--threads", "1", "--walk-table", "on"),
                shard, "checksum");
        expectDamageReport(CliRun.run("neighborhoods", store.toString(), "--steps", "100", "--threads", "1", "--walk-table", "off"),
                shard, "checksum");
        assertFalse(StoreDirectory.isPublished(NeighborhoodStore.defaultRoot(store, Side.LEFT)),
                "neighbourhoods were published from a damaged graph");
    }

    @Test
    void shouldNotBuildNeighbourhoodsFromAGraphWhoseIdsAreWrongButInRange() throws IOException {
        overwriteBoardZero(7);
        CliRun r = CliRun.run("neighborhoods", store.toString(), "--steps", "100", "--threads", "1", "--walk-table", "off");
        expectDamageReport(r, CsrLayout.neighbors(Side.RIGHT, 0), "checksum");
        assertFalse(StoreDirectory.isPublished(NeighborhoodStore.defaultRoot(store, Side.LEFT)));
    }

    @Test
    void shouldNotPruneADamagedStore() throws IOException {
        overwriteBoardZero(7);
        Path out = dir.resolve("pruned");
        expectDamageReport(CliRun.run("prune", store.toString(), "--out", out.toString(), "--max-degree", "5", "--threads", "1"),
                CsrLayout.neighbors(Side.RIGHT, 0), "checksum");
        assertFalse(StoreDirectory.isPublished(out), "a pruned store was published from a damaged one");
    }

    @Test
    void shouldNotTrainOnADamagedStore() throws IOException {
        overwriteBoardZero(55_555);
        CliRun r = CliRun.run("train", "--dataset", "synthetic:" + store, "--out", dir.resolve("model").toString(), "--epochs", "1",
                "--threads", "1", "--device", "cpu");
        expectDamageReport(r, CsrLayout.neighbors(Side.RIGHT, 0), "checksum");
    }
}
