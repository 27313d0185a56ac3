package io.pinsage.csr;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogDegreeTest {

    @Test
    void shouldGiveTheComputedValueOnBothSidesOfTheTable() {
        for (long d : new long[] {0, 1, 2, 9, 1000, 65_534, 65_535}) {
            assertEquals((float) Math.log1p(d), LogDegree.of(d), "degree " + d);
        }
        for (long d : new long[] {65_536, 65_537, 1_000_000, 3_000_000_000L}) {
            assertEquals((float) Math.log1p(d), LogDegree.of(d), Math.ulp((float) Math.log1p(d)), "degree " + d);
        }
    }

    @Test
    void shouldRejectANegativeDegree() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogDegree.of(-1));
        assertEquals("degree=-1: must be >= 0", e.getMessage());
    }
}
