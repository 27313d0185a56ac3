package io.pinsage.csr.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreDirectoryTest {

    @TempDir
    Path root;

    private StoreGeneration publish(int value) throws IOException {
        try (Publication p = StoreDirectory.beginPublication(root)) {
            StoreFileFormatTest.writeInts(p.directory().resolve("data"), new int[] {value});
            return p.commit();
        }
    }

    private int readValue() throws IOException {
        StoreGeneration g = StoreDirectory.openCurrent(root);
        try (Arena arena = Arena.ofConfined()) {
            MappedStoreFile m = MappedStoreFile.open(g.file("data"), StoreFileFormatTest.INTS, arena);
            m.verifyChecksum();
            return m.body().getAtIndex(StoreFileFormat.INT, 0);
        }
    }

    private static int valueOf(StoreGeneration g) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MappedStoreFile m = MappedStoreFile.open(g.file("data"), StoreFileFormatTest.INTS, arena);
            return m.body().getAtIndex(StoreFileFormat.INT, 0);
        }
    }

    /** A publication that commits while a reader opens the generation it replaces: the reader opens the new one. */
    @Test
    void shouldOpenTheNewGenerationWhenAPublicationReplacesTheOneBeingOpened() throws IOException {
        publish(1);
        int[] calls = {0};
        int value = StoreDirectory.openCurrent(root, g -> {
            if (calls[0]++ == 0) {
                publish(2); // commits and deletes g between finding it and mapping its files
            }
            return valueOf(g);
        });
        assertEquals(2, value);
        assertEquals(2, calls[0]);
    }

    /** Damage while CURRENT stays put is thrown as it is, not retried. */
    @Test
    void shouldNotRetryADamagedGenerationThatNothingReplaced() throws IOException {
        StoreGeneration g = publish(1);
        Files.delete(g.file("data"));
        int[] calls = {0};
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> StoreDirectory.openCurrent(root, x -> {
            calls[0]++;
            return valueOf(x);
        }));
        assertTrue(e.getMessage().contains("data"), e.getMessage());
        assertEquals(0, calls[0], "the missing file is found before the opener runs");
    }

    @Test
    void shouldPublishNewGenerationAndRemoveOld() throws IOException {
        StoreGeneration first = publish(1);
        StoreGeneration second = publish(2);
        assertEquals(2, readValue());
        assertFalse(Files.exists(first.directory()));
        assertEquals(java.util.List.of(second.name()), StoreDirectory.generations(root));
    }

    @Test
    void shouldKeepPreviousStoreWhenCommitFailsAtAnyStep() throws IOException {
        publish(7);
        for (Publication.Step failAt : Publication.Step.values()) {
            try (Publication p = StoreDirectory.beginPublication(root)) {
                StoreFileFormatTest.writeInts(p.directory().resolve("data"), new int[] {100 + failAt.ordinal()});
                IOException crash = new IOException("simulated crash before " + failAt);
                IOException thrown = assertThrows(IOException.class, () -> p.commit(step -> {
                    if (step == failAt) {
                        throw crash;
                    }
                }));
                assertEquals(crash, thrown);
            }
            int expected = failAt == Publication.Step.DELETE_OLD ? 100 + failAt.ordinal() : 7;
            assertEquals(expected, readValue(), "after a crash before " + failAt);
            if (failAt == Publication.Step.DELETE_OLD) {
                publish(7);
            }
        }
    }

    @Test
    void shouldNotOpenAStoreThatWasNeverPublished() throws IOException {
        try (Publication p = StoreDirectory.beginPublication(root)) {
            StoreFileFormatTest.writeInts(p.directory().resolve("data"), new int[] {1});
            // no commit: as if the process died here
        }
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> StoreDirectory.openCurrent(root));
        assertTrue(e.getMessage().contains("CURRENT"), e.getMessage());
    }

    @Test
    void shouldRemoveARootItCreatedWhenTheFirstBuildFails() throws IOException {
        Path fresh = root.resolve("fresh");
        try (Publication p = StoreDirectory.beginPublication(fresh)) {
            StoreFileFormatTest.writeInts(p.directory().resolve("data"), new int[] {1});
            p.scratchDirectory();
            // no commit: the build failed
        }
        assertFalse(Files.exists(fresh), "a failed first build left " + fresh + " behind");
        // A root that existed before is left in place, empty of the failed generation and of its lock's users.
        try (Publication p = StoreDirectory.beginPublication(root)) {
            StoreFileFormatTest.writeInts(p.directory().resolve("data"), new int[] {1});
        }
        assertTrue(Files.isDirectory(root));
        assertTrue(StoreDirectory.generations(root).isEmpty(), "the failed generation was not deleted");
        // Once a store is published there, a failed rebuild removes nothing of it.
        Path kept = root.resolve("kept");
        try (Publication p = StoreDirectory.beginPublication(kept)) {
            StoreFileFormatTest.writeInts(p.directory().resolve("data"), new int[] {5});
            p.commit();
        }
        try (Publication p = StoreDirectory.beginPublication(kept)) {
            StoreFileFormatTest.writeInts(p.directory().resolve("data"), new int[] {6});
        }
        assertTrue(StoreDirectory.isPublished(kept));
        assertEquals(1, StoreDirectory.generations(kept).size());
    }

    @Test
    void shouldRejectForeignMissingAndResizedFiles() throws IOException {
        StoreGeneration g = publish(3);
        Path foreign = g.file("stray.bin");
        Files.writeString(foreign, "x");
        CorruptStoreException e1 = assertThrows(CorruptStoreException.class, () -> StoreDirectory.openCurrent(root));
        assertEquals(foreign, e1.file());
        assertTrue(e1.getMessage().contains("foreign file"), e1.getMessage());
        Files.delete(foreign);

        Files.writeString(g.file("data"), "more", java.nio.file.StandardOpenOption.APPEND);
        CorruptStoreException e2 = assertThrows(CorruptStoreException.class, () -> StoreDirectory.openCurrent(root));
        assertTrue(e2.getMessage().contains("too long"), e2.getMessage());

        Files.delete(g.file("data"));
        CorruptStoreException e3 = assertThrows(CorruptStoreException.class, () -> StoreDirectory.openCurrent(root));
        assertEquals(g.file("data"), e3.file());
        assertTrue(e3.getMessage().contains("missing file"), e3.getMessage());
    }

    @Test
    void shouldRejectTornCurrentPointer() throws IOException {
        publish(4);
        Path current = root.resolve(ManifestFormat.CURRENT);
        Files.writeString(current, Files.readString(current).replace("gen-", "gen-9"));
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> StoreDirectory.openCurrent(root));
        assertEquals(current, e.file());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void shouldRebuildOverADamagedCurrentPointer() throws IOException {
        publish(5);
        Files.writeString(root.resolve(ManifestFormat.CURRENT), "garbage");
        assertThrows(CorruptStoreException.class, () -> StoreDirectory.openCurrent(root));
        StoreGeneration g = publish(6);
        assertEquals(6, readValue());
        assertEquals(java.util.List.of(g.name()), StoreDirectory.generations(root));
    }

    @Test
    void shouldRefuseASecondConcurrentPublisher() throws IOException {
        try (Publication p = StoreDirectory.beginPublication(root)) {
            java.nio.file.FileSystemException e = assertThrows(java.nio.file.FileSystemException.class,
                    () -> StoreDirectory.beginPublication(root));
            assertTrue(e.getMessage().contains("LOCK: held"), e.getMessage());
        }
    }
}
