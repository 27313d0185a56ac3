package io.pinsage.gpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;

/**
 * An {@link IndexBuffer} in device memory of a {@link CudaBackend}, with the host mirror of its ints in the shared
 * {@link DeviceStorage}. Range checks ({@link #requireRange}) scan the mirror once per content version and then
 * cost O(1). Confined to the backend's owning thread.
 */
final class CudaIndexBuffer implements IndexBuffer {

    private final CudaBackend backend;
    final DeviceStorage storage;
    private final String name;
    final int offset;
    private final int length;
    private final boolean view;
    private long rangeVersion = -1;
    private int min;
    private int max;

    CudaIndexBuffer(CudaBackend backend, DeviceStorage storage, String name, int offset, int length, boolean view) {
        this.backend = backend;
        this.storage = storage;
        this.name = name;
        this.offset = offset;
        this.length = length;
        this.view = view;
    }

    long address() {
        return storage.address + (long) offset * Integer.BYTES;
    }

    /**
     * Checks that every int lies in {@code [0, limit)} before a kernel that does not bounds-check uses them as row
     * numbers of {@code target}.
     *
     * @throws IndexOutOfBoundsException naming this buffer, the first bad position and value, and the target
     */
    void requireRange(int limit, String op, String target) {
        int[] values = backend.mirror(this);
        if (rangeVersion != storage.version) {
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (int i = offset; i < offset + length; i++) {
                lo = Math.min(lo, values[i]);
                hi = Math.max(hi, values[i]);
            }
            min = lo;
            max = hi;
            rangeVersion = storage.version;
        }
        if (length > 0 && (min < 0 || max >= limit)) {
            for (int i = offset; i < offset + length; i++) {
                if (values[i] < 0 || values[i] >= limit) {
                    throw new IndexOutOfBoundsException(op + ": " + IndexBuffer.describe(this) + " holds "
                            + values[i] + " at " + (i - offset) + ", outside [0, " + limit + ") of " + target);
                }
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public IndexBuffer slice(int from, int to) {
        if (from < 0 || from > to || to > length) {
            throw new IndexOutOfBoundsException("slice(" + from + ", " + to + ") of " + IndexBuffer.describe(this));
        }
        return new CudaIndexBuffer(backend, storage, name + "[" + from + ":" + to + "]", offset + from, to - from,
                true);
    }

    @Override
    public void close() {
        if (!view) {
            backend.release(storage);
        }
    }

    @Override
    public String toString() {
        return IndexBuffer.describe(this) + "@" + backend.name();
    }
}
