package io.pinsage.csr.embedding;

import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EmbeddingPair}: the two sides' stores open only as one run's, by the record where there is one and by the
 * model fingerprint for stores written before it.
 */
class EmbeddingPairTest {

    private static final String A = "0123456789abcdef0123456789abcdef";
    private static final String B = "fedcba9876543210fedcba9876543210";

    @TempDir
    Path dir;

    @Test
    void storesWithoutARecordShouldOpenWhenOneModelWroteBothAndBeRefusedNamingBothOtherwise() throws IOException {
        publish(Side.LEFT, A);
        StoreGeneration boards = publish(Side.RIGHT, A);
        EmbeddingPair.open(dir, Side.LEFT, false).close();
        EmbeddingPair.open(dir, Side.RIGHT, false).close();

        StoreGeneration pins = publish(Side.LEFT, B);
        CorruptStoreException e = assertThrows(EmbeddingPair.NotOneRunException.class,
                () -> EmbeddingPair.open(dir, Side.RIGHT, false));
        assertEquals(boards.file(EmbeddingFormat.FILE_NAME), e.file());
        assertTrue(e.getMessage().contains(pins.file(EmbeddingFormat.FILE_NAME).toString()) && e.getMessage().contains(A)
                && e.getMessage().contains(B) && e.getMessage().contains("run embed"), e.getMessage());
    }

    @Test
    void aRecordedPairShouldOpenAndAnySideRepublishedAloneBeRefused() throws IOException {
        StoreGeneration pins = publish(Side.LEFT, A);
        StoreGeneration boards = publish(Side.RIGHT, A);
        EmbeddingPair.record(dir, A, pins.name(), boards.name());
        try (EmbeddingStore s = EmbeddingPair.open(dir, Side.RIGHT, true)) {
            assertEquals(boards.name(), s.generation());
        }

        // the same model again, but only the pins published: a mix the fingerprints cannot show
        StoreGeneration newPins = publish(Side.LEFT, A);
        for (Side side : Side.values()) {
            CorruptStoreException e = assertThrows(EmbeddingPair.NotOneRunException.class,
                    () -> EmbeddingPair.open(dir, side, false));
            assertTrue(e.getMessage().contains(newPins.file(EmbeddingFormat.FILE_NAME).toString())
                    && e.getMessage().contains(boards.file(EmbeddingFormat.FILE_NAME).toString()), e.getMessage());
        }
        EmbeddingPair.recordLegacy(dir);
        assertThrows(CorruptStoreException.class, () -> EmbeddingPair.open(dir, Side.LEFT, false),
                "an existing record is never renewed from what is current");
        EmbeddingPair.record(dir, A, newPins.name(), boards.name());
        EmbeddingPair.open(dir, Side.LEFT, false).close();
    }

    @Test
    void legacyStoresShouldGetTheirPairRecordedSoThatALaterHalfPublicationIsSeen() throws IOException {
        publish(Side.LEFT, A);
        publish(Side.RIGHT, A);
        EmbeddingPair.recordLegacy(dir);
        publish(Side.RIGHT, A);
        assertThrows(CorruptStoreException.class, () -> EmbeddingPair.open(dir, Side.LEFT, false));
    }

    @Test
    void aDamagedRecordShouldBeRefusedNamingIt() throws IOException {
        publish(Side.LEFT, A);
        Path record = dir.resolve(EmbeddingPair.FILE_NAME);
        Files.writeString(record, "pinsage.embeddings.pair 1 " + A + " gen-1\n");
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> EmbeddingPair.open(dir, Side.LEFT, false));
        assertEquals(record, e.file());
    }

    private StoreGeneration publish(Side side, String fingerprint) throws IOException {
        try (EmbeddingStoreWriter w = EmbeddingStoreWriter.create(EmbeddingStore.defaultRoot(dir, side), side, 3, 2,
                fingerprint, false)) {
            w.writeRow(1, new float[] {1, 2}, 0);
            return w.commit();
        }
    }
}
