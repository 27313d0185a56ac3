package io.pinsage.gpu;

import java.lang.foreign.MemorySegment;

/**
 * Pinned host memory that Java arrays are copied into before an asynchronous DMA copy to the device (and out of
 * after a copy back). Regions are handed out by a bump pointer; when one does not fit, the buffer waits for the
 * copies of its stream to finish and starts again from the front, growing (doubling) when a single request
 * exceeds it. So a region stays untouched until the copy reading it has completed.
 *
 * <p>Cost: O(1) per reservation, no allocation in steady state. Not thread-safe: owned by one backend.
 */
final class StagingBuffer {

    private static final long ALIGNMENT = 64;

    private final Device device;
    private final long stream;
    private long address;
    private long capacity;
    private long position;
    private MemorySegment segment;

    StagingBuffer(Device device, long stream, long initialCapacity) {
        this.device = device;
        this.stream = stream;
        allocate(initialCapacity);
    }

    private void allocate(long bytes) {
        address = device.allocPinned(bytes);
        capacity = bytes;
        segment = MemorySegment.ofAddress(address).reinterpret(bytes);
        position = 0;
    }

    /** Reserves {@code bytes} and returns their offset in {@link #segment()}; may wait for earlier copies. */
    long reserve(long bytes) {
        long start = (position + ALIGNMENT - 1) & -ALIGNMENT;
        if (start + bytes > capacity) {
            device.synchronizeStream(stream);
            if (bytes > capacity) {
                device.freePinned(address);
                allocate(Math.max(bytes, capacity * 2));
            }
            start = 0;
        }
        position = start + bytes;
        return start;
    }

    /** The whole pinned region; valid until the next {@link #reserve} that grows it. */
    MemorySegment segment() {
        return segment;
    }

    long address() {
        return address;
    }

    void free() {
        if (address != 0) {
            device.freePinned(address);
            address = 0;
            segment = null;
        }
    }
}
