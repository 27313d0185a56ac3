package io.pinsage.engine.pipeline;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HardNegativeBandTest {

    @Test
    void shouldKeepPinSagesBandOnAQuickstartSizedGraph() {
        HardNegativeBand b = HardNegativeBand.PINSAGE.scaledTo(200_000);
        assertSame(HardNegativeBand.PINSAGE, b);
        assertEquals(20_000, b.steps());
        assertSame(HardNegativeBand.PINSAGE, HardNegativeBand.PINSAGE.scaledTo(50_000_000));
    }

    @Test
    void shouldScaleTheBandDownInProportionOnASmallGraph() {
        HardNegativeBand b = HardNegativeBand.PINSAGE.scaledTo(20_000);
        assertEquals(new HardNegativeBand(200, 500, 4), b);
        assertEquals(2_000, b.steps());
    }

    @Test
    void shouldKeepANonEmptyBandOnATinyGraph() {
        HardNegativeBand b = HardNegativeBand.PINSAGE.scaledTo(10);
        assertTrue(b.from() >= 1 && b.to() > b.from(), b.toString());
    }

    @Test
    void shouldParseFromDashTo() {
        assertEquals(new HardNegativeBand(500, 1500, 4), HardNegativeBand.parse("500-1500", 4));
    }

    @Test
    void shouldRejectAMalformedOrEmptyBandNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HardNegativeBand.parse("2000:5000", 4));
        assertTrue(e.getMessage().contains("hardBand=2000:5000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HardNegativeBand.parse("5000-2000", 4));
        assertTrue(e.getMessage().contains("hardBand=5000-2000: from=5000 to=2000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HardNegativeBand.parse("a-b", 4));
        assertTrue(e.getMessage().contains("hardBand=a-b"), e.getMessage());
    }
}
