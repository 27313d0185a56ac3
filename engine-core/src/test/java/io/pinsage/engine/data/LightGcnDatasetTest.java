package io.pinsage.engine.data;

import io.pinsage.csr.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LightGcnDatasetTest {

    @TempDir
    Path dir;

    @Test
    void shouldPutUsersOnTheRightAndItemsOnTheLeft() throws IOException {
        Files.writeString(dir.resolve("train.txt"), "0 1 2 2\n1 0\n2\n");
        Files.writeString(dir.resolve("test.txt"), "0 3\n1 2 4\r\n");
        LightGcnDataset d = LightGcnDataset.load(dir);
        assertEquals(3, d.userCount());
        assertEquals(5, d.itemCount());
        assertEquals(3, d.graph().edgeCount(), "duplicate (0, 2) kept once");
        assertEquals(2, d.graph().degree(Side.RIGHT, 0));
        assertEquals(0, d.graph().neighbor(Side.LEFT, 2, 0));
        assertEquals(5, d.graph().nodeCount(Side.LEFT));
        assertArrayEquals(new int[] {2, 4}, d.test().itemsOf(1));
        assertEquals(0, d.train().count(2));
    }

    @Test
    void shouldNameFileAndLineOfABadToken() throws IOException {
        Files.writeString(dir.resolve("train.txt"), "0 1\n1 x2\n");
        Files.writeString(dir.resolve("test.txt"), "0 1\n");
        CorruptDatasetException e = assertThrows(CorruptDatasetException.class, () -> LightGcnDataset.load(dir));
        assertTrue(e.getMessage().contains("train.txt:2"), e.getMessage());
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void shouldRejectNegativeIds() throws IOException {
        Files.writeString(dir.resolve("train.txt"), "0 1\n");
        Files.writeString(dir.resolve("test.txt"), "0 -1\n");
        CorruptDatasetException e = assertThrows(CorruptDatasetException.class, () -> LightGcnDataset.load(dir));
        assertTrue(e.getMessage().contains("test.txt:1"), e.getMessage());
    }

    @Test
    void shouldNameTheMissingFile() throws IOException {
        Files.writeString(dir.resolve("train.txt"), "0 1\n");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> LightGcnDataset.load(dir));
        assertTrue(e.getMessage().contains("test.txt"), e.getMessage());
    }
}
