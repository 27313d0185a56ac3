package io.pinsage.gpu;

/**
 * A caching allocator of device memory: blocks are rounded up to a power of two (at least 256 bytes) and, when
 * released, kept on a free list of their size class for the next request of that class, so a training loop that
 * allocates the same shapes every step calls {@code cudaMalloc} only during its first steps.
 *
 * <p>Stream ordering: all kernels of a backend run on one stream, so a block released after its last kernel was
 * enqueued may be handed to the next kernel at once. Copies on another stream must wait for that last use; each
 * block keeps the sequence number of its last kernel ({@link #lastUse}) and hands it to its next owner.
 *
 * <p>Cost: O(1) per acquire and release, no allocation in steady state (free lists grow by doubling). Waste: at
 * most half of each block. Not thread-safe: owned by one backend, used from its owning thread.
 */
final class DeviceMemoryPool {

    private static final int MIN_CLASS = 8;
    private static final int CLASSES = 63;

    private final Device device;
    private final long[][] freeBlocks = new long[CLASSES][];
    private final long[][] freeLastUse = new long[CLASSES][];
    private final int[] freeCount = new int[CLASSES];
    private long lastAcquiredUse;
    private long bytesReserved;
    private long bytesCached;

    DeviceMemoryPool(Device device) {
        this.device = device;
    }

    /** The size class of a request: {@code ceil(log2(bytes))}, at least {@link #MIN_CLASS}. */
    static int sizeClass(long bytes) {
        if (bytes <= 1L << MIN_CLASS) {
            return MIN_CLASS;
        }
        return 64 - Long.numberOfLeadingZeros(bytes - 1);
    }

    /**
     * A block of at least {@code bytes}; {@link #lastUse()} then tells the sequence number of the last kernel that
     * used it (0 when fresh). On out-of-memory the cache is returned to the device and the allocation retried once.
     */
    long acquire(long bytes) {
        int cls = sizeClass(bytes);
        if (freeCount[cls] > 0) {
            int i = --freeCount[cls];
            bytesCached -= 1L << cls;
            lastAcquiredUse = freeLastUse[cls][i];
            return freeBlocks[cls][i];
        }
        long address;
        try {
            address = device.alloc(1L << cls);
        } catch (NativeException e) {
            if (e.status() != PinSageNative.PN_ERR_OUT_OF_MEMORY || bytesCached == 0) {
                throw e;
            }
            trim();
            address = device.alloc(1L << cls);
        }
        bytesReserved += 1L << cls;
        lastAcquiredUse = 0;
        return address;
    }

    /** The last-use sequence number of the block returned by the latest {@link #acquire}. */
    long lastUse() {
        return lastAcquiredUse;
    }

    /** Returns a block obtained for {@code bytes} to the cache; {@code lastUse} is its last kernel's sequence number. */
    void release(long address, long bytes, long lastUse) {
        int cls = sizeClass(bytes);
        if (freeBlocks[cls] == null) {
            freeBlocks[cls] = new long[4];
            freeLastUse[cls] = new long[4];
        } else if (freeCount[cls] == freeBlocks[cls].length) {
            freeBlocks[cls] = java.util.Arrays.copyOf(freeBlocks[cls], freeCount[cls] * 2);
            freeLastUse[cls] = java.util.Arrays.copyOf(freeLastUse[cls], freeCount[cls] * 2);
        }
        freeBlocks[cls][freeCount[cls]] = address;
        freeLastUse[cls][freeCount[cls]] = lastUse;
        freeCount[cls]++;
        bytesCached += 1L << cls;
    }

    /** Frees every cached block ({@code cudaFree} waits for the device, so pending kernels finish first). */
    void trim() {
        for (int cls = 0; cls < CLASSES; cls++) {
            for (int i = 0; i < freeCount[cls]; i++) {
                device.free(freeBlocks[cls][i]);
            }
            bytesReserved -= (long) freeCount[cls] << cls;
            freeCount[cls] = 0;
        }
        bytesCached = 0;
    }

    /** Bytes obtained from the device and not yet freed (in use plus cached). */
    long bytesReserved() {
        return bytesReserved;
    }

    /** Bytes cached on free lists. */
    long bytesCached() {
        return bytesCached;
    }
}
