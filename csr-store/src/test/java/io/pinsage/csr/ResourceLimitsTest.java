package io.pinsage.csr;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceLimitsTest {

    @Test
    void shouldSaturateProductsAndSumsInsteadOfOverflowing() {
        assertEquals(64_000_000_000L, ResourceLimits.bytes(2_000_000_000, 32));
        assertEquals(Long.MAX_VALUE, ResourceLimits.bytes(Long.MAX_VALUE / 2, 3));
        assertEquals(Long.MAX_VALUE, ResourceLimits.plus(Long.MAX_VALUE, 1));
        assertEquals("8.0 EiB", ResourceLimits.formatBytes(Long.MAX_VALUE));
        assertEquals("1.5 GiB", ResourceLimits.formatBytes(3L << 29));
    }

    @Test
    void shouldRefuseWhatCannotFitTheHeapNamingTheRequestAndTheRemedy() {
        ResourceLimits.requireHeap("k=1", 1024, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResourceLimits.requireHeap("k=9", Long.MAX_VALUE, "ask for fewer"));
        assertTrue(e.getMessage().startsWith("k=9: needs more than 8 EiB of heap, more than the "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(-Xmx); ask for fewer"), e.getMessage());
    }

    @Test
    void shouldRefuseFilesBeyondTheFreeSpaceOfTheNearestExistingFolder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path store = dir.resolve("not").resolve("yet");
        ResourceLimits.requireDisk("k=1", store, 1024, "write less");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResourceLimits.requireDisk("k=9", store, Long.MAX_VALUE / 2, "write less"));
        assertTrue(e.getMessage().startsWith("k=9: needs about 4.0 EiB of disk under " + dir + ", "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" is free; write less"), e.getMessage());
    }

    @Test
    void shouldBoundThreadCounts() {
        assertEquals(ResourceLimits.MAX_THREADS, ResourceLimits.requireThreads("threads", ResourceLimits.MAX_THREADS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResourceLimits.requireThreads("--threads", 100_000));
        assertTrue(e.getMessage().startsWith("--threads=100000: must lie in [1, 1024]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResourceLimits.requireThreads("threads", 0));
    }
}
