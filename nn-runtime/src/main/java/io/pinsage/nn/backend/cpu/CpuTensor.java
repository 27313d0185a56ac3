package io.pinsage.nn.backend.cpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Tensor;

import java.util.Objects;

/**
 * The CPU backend's tensor: a row-major window {@code [offset, offset + rows·cols)} of a Java {@code float[]}.
 *
 * <p>Heap arrays rather than off-heap segments because the Vector API and C2's auto-vectorisation are at
 * their best on arrays (no bounds-check or liveness overhead of segment access); the CPU has no DMA engine
 * that would need pinned memory. Off-heap host data still enters through {@link Backend#upload(java.lang.foreign.MemorySegment, Tensor)}.
 * Threading and ownership as in {@link Tensor}.
 */
final class CpuTensor implements Tensor {

    final float[] data;
    final int offset;
    private final int rows;
    private final int cols;
    private final String name;
    private final CpuBackend backend;

    CpuTensor(CpuBackend backend, String name, float[] data, int offset, int rows, int cols) {
        this.backend = backend;
        this.name = Objects.requireNonNull(name, "name");
        this.data = data;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
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
        Objects.checkFromToIndex(from, to, rows);
        return new CpuTensor(backend, name, data, offset + from * cols, to - from, cols);
    }

    /** Storage is garbage-collected; nothing to release. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return Tensor.describe(this);
    }
}
