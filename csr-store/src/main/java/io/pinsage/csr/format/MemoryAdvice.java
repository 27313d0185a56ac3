package io.pinsage.csr.format;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Huge-page advice and allocation for large read-mostly segments, through the C library's {@code madvise},
 * {@code mmap} and {@code munmap} called with FFM.
 * Random walks touch a new page at almost every step, so the TLB reach of the pages under a graph decides much of
 * its speed: transparent huge pages (2 MiB) cover 512 times more memory per TLB entry than 4 KiB pages.
 *
 * <p>Advice is best effort: where {@code madvise} is missing (not Linux) or refuses (kernel without THP, a file
 * system without large folios) {@link #hugePages} returns {@code false} and nothing changes but speed. Cost: one
 * system call per segment. Needs native access ({@code --enable-native-access}); without it the JDK prints a warning on
 * first use. Thread-safe (stateless).
 */
public final class MemoryAdvice {

    /** Alignment and granule of x86-64 and arm64 transparent huge pages. */
    public static final long HUGE_PAGE = 1L << 21;

    private static final int MADV_HUGEPAGE = 14;
    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final long SMALL_PAGE = 4096;

    private static final MethodHandle MADVISE = lookup("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle MMAP = lookup("mmap", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = lookup("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    private MemoryAdvice() {
    }

    private static MethodHandle lookup(String name, FunctionDescriptor descriptor) {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> f = linker.defaultLookup().find(name);
        return f.map(s -> linker.downcallHandle(s, descriptor)).orElse(null);
    }

    /**
     * Asks the kernel to back the whole pages inside {@code segment} with transparent huge pages: anonymous memory
     * at once when faulted in, a file mapping where the file system caches it in large folios.
     *
     * @return whether the kernel accepted the advice
     */
    public static boolean hugePages(MemorySegment segment) {
        long start = (segment.address() + SMALL_PAGE - 1) & -SMALL_PAGE;
        long end = (segment.address() + segment.byteSize()) & -SMALL_PAGE;
        if (MADVISE == null || end - start < HUGE_PAGE) {
            return false;
        }
        try {
            return (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_HUGEPAGE) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException("madvise failed", t);
        }
    }

    /**
     * Allocates {@code bytes} of zeroed anonymous memory starting on a huge-page boundary and advised to use
     * huge pages before any page is touched, so that the first writes fault in 2 MiB pages; {@code arena} owns it
     * (closing the arena unmaps it). Falls back to {@code arena.allocate} where {@code mmap} is missing. Cost: two
     * or three system calls; the memory is committed as it is first written.
     *
     * @throws OutOfMemoryError if the kernel refuses the mapping
     */
    public static MemorySegment allocateHugePages(long bytes, Arena arena) {
        if (MMAP == null || MADVISE == null || MUNMAP == null) {
            return arena.allocate(Math.max(bytes, 1), Long.BYTES);
        }
        long size = Math.max(bytes, 1) + HUGE_PAGE;
        long raw;
        try {
            raw = (long) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap failed", t);
        }
        if (raw == -1) {
            throw new OutOfMemoryError("mmap of " + size + " anonymous bytes refused");
        }
        long start = (raw + HUGE_PAGE - 1) & -HUGE_PAGE;
        MemorySegment seg = MemorySegment.ofAddress(start).reinterpret(Math.max(bytes, 1), arena, s -> unmap(raw, size));
        hugePages(seg);
        return seg.asSlice(0, bytes);
    }

    private static void unmap(long address, long size) {
        try {
            int rc = (int) MUNMAP.invokeExact(address, size);
            if (rc != 0) {
                throw new IllegalStateException("munmap of " + size + " bytes at 0x" + Long.toHexString(address) + " failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
    }
}
