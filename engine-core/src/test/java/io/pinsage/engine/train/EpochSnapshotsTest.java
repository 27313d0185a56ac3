package io.pinsage.engine.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EpochSnapshotsTest {

    @TempDir
    Path dir;

    @Test
    void shouldListKeptEpochsByNumberAndSkipOtherFiles() throws IOException {
        assertEquals(List.of(), EpochSnapshots.list(dir), "no folder: none kept");
        Path epochs = Files.createDirectories(dir.resolve(EpochSnapshots.DIR));
        for (int e : new int[] {1000, 2, 10}) {
            Files.writeString(EpochSnapshots.file(dir, e), "model");
        }
        for (String other : new String[] {"epoch-0002.bin", "epoch-000.bin", "epoch-002.bin.77.tmp", "epoch-x.bin", "notes"}) {
            Files.writeString(epochs.resolve(other), "other");
        }
        assertEquals("epoch-002.bin", EpochSnapshots.file(dir, 2).getFileName().toString());
        assertEquals(List.of(new EpochSnapshots.Snapshot(2, epochs.resolve("epoch-002.bin")),
                new EpochSnapshots.Snapshot(10, epochs.resolve("epoch-010.bin")),
                new EpochSnapshots.Snapshot(1000, epochs.resolve("epoch-1000.bin"))), EpochSnapshots.list(dir));
        assertEquals("epoch=0: epochs count from 1",
                assertThrows(IllegalArgumentException.class, () -> EpochSnapshots.file(dir, 0)).getMessage());
    }
}
