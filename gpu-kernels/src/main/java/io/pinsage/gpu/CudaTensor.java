package io.pinsage.gpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Tensor;

/**
 * A {@link Tensor} in device memory of a {@link CudaBackend}: a contiguous row range of a pooled block (row-major,
 * leading dimension {@code cols}). Views share the block; closing the allocating tensor returns the block to the
 * backend's pool. Confined to the backend's owning thread.
 */
final class CudaTensor implements Tensor {

    private final CudaBackend backend;
    final DeviceStorage storage;
    private final String name;
    private final int rows;
    private final int cols;
    private final long byteOffset;
    private final boolean view;

    CudaTensor(CudaBackend backend, DeviceStorage storage, String name, int rows, int cols, long byteOffset,
               boolean view) {
        this.backend = backend;
        this.storage = storage;
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.byteOffset = byteOffset;
        this.view = view;
    }

    /** Device address of element (0, 0). */
    long address() {
        return storage.address + byteOffset;
    }

    long bytes() {
        return size() * Float.BYTES;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public Tensor rows(int from, int to) {
        if (from < 0 || from > to || to > rows) {
            throw new IndexOutOfBoundsException("rows(" + from + ", " + to + ") of " + Tensor.describe(this));
        }
        return new CudaTensor(backend, storage, name + "[" + from + ":" + to + "]", to - from, cols,
                byteOffset + (long) from * cols * Float.BYTES, true);
    }

    @Override
    public void close() {
        if (!view) {
            backend.release(storage);
        }
    }

    @Override
    public String toString() {
        return Tensor.describe(this) + "@" + backend.name();
    }
}
