package io.pinsage.csr;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResidencyPolicyTest {

    private static final long GIB = 1L << 30;

    @Test
    void shouldCopyIntoHugePagesOnlyWhenTheAdjacencyTakesAtMostHalfTheMemoryAvailable() {
        ResidencyPolicy.Choice fits = ResidencyPolicy.auto(4 * GIB, 8 * GIB, Long.MAX_VALUE);
        assertEquals(Residency.ANONYMOUS_HUGE_PAGES, fits.residency());
        assertEquals("auto: the adjacency's 4.00 GiB fits in half of the 8.00 GiB available beside the heap", fits.reason());
        ResidencyPolicy.Choice tooBig = ResidencyPolicy.auto(4 * GIB + 1, 8 * GIB, Long.MAX_VALUE);
        assertEquals(Residency.MAPPED, tooBig.residency());
        assertTrue(tooBig.reason().contains("exceeds half"), tooBig.reason());
        assertEquals(Residency.MAPPED, ResidencyPolicy.auto(1, 0, Long.MAX_VALUE).residency(), "no memory at all");
        ResidencyPolicy.Choice unknown = ResidencyPolicy.auto(1, MemoryHeadroom.UNKNOWN, Long.MAX_VALUE);
        assertEquals(Residency.MAPPED, unknown.residency());
        assertTrue(unknown.reason().contains("unknown"), unknown.reason());
    }

    @Test
    void shouldMapWhenTheWalkIsTooShortToPayForTheCopy() {
        // One 100,000-step query against a 1 GiB adjacency: the copy would cost more than the walk saves.
        ResidencyPolicy.Choice query = ResidencyPolicy.auto(GIB, 64 * GIB, 100_000);
        assertEquals(Residency.MAPPED, query.residency());
        assertTrue(query.reason().contains("would not pay"), query.reason());
        assertEquals(Residency.ANONYMOUS_HUGE_PAGES, ResidencyPolicy.auto(GIB, 64 * GIB, 100_000_000).residency());
    }

    @Test
    void shouldCountOnlyTheAdjacencyFilesOfBothSides() {
        Map<String, Long> files = Map.of(CsrLayout.offsets(Side.LEFT), 100L, CsrLayout.offsets(Side.RIGHT), 20L,
                CsrLayout.neighbors(Side.LEFT, 0), 3L, CsrLayout.weights(Side.RIGHT, 1), 4L,
                CsrLayout.features(Side.LEFT), 1_000_000L, CsrLayout.idMap(Side.LEFT), 7_000L, CsrLayout.PAIRS, 5_000L);
        assertEquals(127, ResidencyPolicy.adjacencyBytes(files));
    }

    @Test
    void shouldReadTheMemoryAvailableFromMeminfoAndTheCgroupLimit() {
        assertEquals(12_000_000L * 1024, MemoryHeadroom.memAvailable(List.of("MemTotal: 24000000 kB", "MemFree: 1000 kB",
                "MemAvailable:   12000000 kB")));
        assertEquals(MemoryHeadroom.UNKNOWN, MemoryHeadroom.memAvailable(List.of("MemTotal: 24000000 kB")));
        assertEquals(MemoryHeadroom.UNKNOWN, MemoryHeadroom.cgroupRemaining("max\n", "123\n"));
        assertEquals(1000, MemoryHeadroom.cgroupRemaining("5000\n", "4000\n"));
        assertEquals(0, MemoryHeadroom.cgroupRemaining("5000", "6000"));
        long probed = MemoryHeadroom.probe();
        assertTrue(probed == MemoryHeadroom.UNKNOWN || probed >= 0, "probe=" + probed);
    }
}
