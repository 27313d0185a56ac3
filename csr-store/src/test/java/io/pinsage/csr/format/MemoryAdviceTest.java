package io.pinsage.csr.format;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MemoryAdviceTest {

    @Test
    void shouldAllocateZeroedHugePageAlignedMemoryOwnedByTheArena() {
        long bytes = 3 * MemoryAdvice.HUGE_PAGE + 12;
        MemorySegment seg;
        try (Arena arena = Arena.ofShared()) {
            seg = MemoryAdvice.allocateHugePages(bytes, arena);
            assertEquals(bytes, seg.byteSize());
            if (System.getProperty("os.name", "").startsWith("Linux")) {
                assertEquals(0, seg.address() % MemoryAdvice.HUGE_PAGE, "address=0x" + Long.toHexString(seg.address()));
            }
            for (long i = 0; i < bytes; i += 4096) {
                assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
            }
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, bytes - 8, 0x1234_5678_9abc_def0L);
            assertEquals(0x1234_5678_9abc_def0L, seg.get(ValueLayout.JAVA_LONG_UNALIGNED, bytes - 8));
        }
        MemorySegment freed = seg;
        assertThrows(IllegalStateException.class, () -> freed.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void shouldDeclineAdviceForLessThanAHugePage() {
        try (Arena arena = Arena.ofConfined()) {
            assertFalse(MemoryAdvice.hugePages(arena.allocate(MemoryAdvice.HUGE_PAGE - 1)));
        }
    }

    @Test
    void shouldAllocateAnEmptySegment() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0, MemoryAdvice.allocateHugePages(0, arena).byteSize());
        }
    }
}
