package io.pinsage.gpu;

/**
 * One pooled device block behind a {@link CudaTensor} or {@link CudaIndexBuffer} and the views made from it.
 * For index buffers it also carries the host mirror of the ints (kept by uploads, so indices can be checked and
 * neighbourhoods laid out without reading the device back) and, after a MAX aggregate wrote it, how its ints are
 * encoded. Mutable, confined to the owning backend's thread.
 */
final class DeviceStorage {

    final long address;
    final long bytes;
    /** Sequence number of the last kernel enqueued on this block; copies on the upload stream wait for it. */
    long lastUse;
    boolean closed;

    /** Index buffers: the ints as last uploaded, valid unless the device wrote the block since. */
    int[] mirror;
    boolean mirrorValid;
    /** Bumped by every write, so caches keyed on the contents can tell they are stale. */
    long version;
    /** Non-null when a MAX aggregate wrote slot numbers of this layout at {@link #argMaxOffset} instead of edges. */
    PaddedLayout argMaxLayout;
    int argMaxOffset;
    int argMaxCols;

    DeviceStorage(long address, long bytes, long lastUse) {
        this.address = address;
        this.bytes = bytes;
        this.lastUse = lastUse;
    }
}
