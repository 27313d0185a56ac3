package io.pinsage.nn.model;

import io.pinsage.nn.backend.Pooling;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PinSageConfigTest {

    private static PinSageConfig withWidths(int ids, int dim) {
        return new PinSageConfig(0, true, ids, dim, 1, dim, dim, dim, dim, Pooling.MEAN, true, 1);
    }

    @Test
    void shouldRefuseWidthsWhoseWeightsCouldNotBeAllocated() {
        assertEquals(PinSageConfig.MAX_DIM, withWidths(10, PinSageConfig.MAX_DIM).inputDim());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withWidths(10, 1_000_000));
        assertEquals("idEmbeddingDim=1000000 (expected 1 to 16384)", e.getMessage());
    }

    @Test
    void shouldRefuseAnIdTableBeyondOneTensor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withWidths(2_000_000_000, 64));
        assertEquals("idEmbeddings=2000000000 idEmbeddingDim=64: the table would hold 128000000000 floats, a tensor at most 2^31 - 64",
                e.getMessage());
    }

    @Test
    void shouldAcceptNoConvolveLayerAndRefuseANegativeCount() {
        assertEquals(0, new PinSageConfig(0, true, 10, 8, 0, 8, 8, 8, 8, Pooling.MEAN, true, 1).layers());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PinSageConfig(0, true, 10, 8, -1, 8, 8, 8, 8, Pooling.MEAN, true, 1));
        assertEquals("layers=-1 (expected >= 0)", e.getMessage());
    }

    @Test
    void shouldGiveIdsFromTheSharedOneTheLastRowAndKeepItInTheFileForm() {
        PinSageConfig c = new PinSageConfig(0, true, 11, 8, 8, 1, 8, 8, 8, 8, Pooling.MEAN, true, 3L, false, 10);
        assertEquals(9, c.idRow(9));
        assertEquals(10, c.idRow(10));
        assertEquals(10, c.idRow(12345));
        assertEquals(true, c.hasIdRow(12345));
        assertEquals(true, c.sharesIdRows());
        assertEquals(c, PinSageConfig.fromMap(c.toMap()));
        // a file without the field reads as a row per node
        PinSageConfig plain = new PinSageConfig(0, true, 11, 8, 8, 1, 8, 8, 8, 8, Pooling.MEAN, true, 3L);
        assertEquals(-1, PinSageConfig.fromMap(plain.toMap()).sharedIdFrom());
        assertEquals(false, plain.toMap().containsKey("sharedIdFrom"));
        assertEquals(false, plain.hasIdRow(11));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PinSageConfig(0, true, 12, 8, 8, 1, 8, 8, 8, 8, Pooling.MEAN, true, 3L, false, 10));
        assertEquals("sharedIdFrom=10 idEmbeddings=12 hashIds=false (expected -1, or a table of sharedIdFrom + 1 rows "
                + "without hashing)", e.getMessage());
    }
}
