package io.pinsage.nn.backend.cpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;

import java.util.Objects;

/**
 * The CPU backend's index buffer: a window {@code [offset, offset + length)} of a Java {@code int[]}.
 * Threading and ownership as in {@link IndexBuffer}.
 */
final class CpuIndexBuffer implements IndexBuffer {

    final int[] data;
    final int offset;
    private final int length;
    private final String name;
    private final CpuBackend backend;

    CpuIndexBuffer(CpuBackend backend, String name, int[] data, int offset, int length) {
        this.backend = backend;
        this.name = Objects.requireNonNull(name, "name");
        this.data = data;
        this.offset = offset;
        this.length = length;
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
        Objects.checkFromToIndex(from, to, length);
        return new CpuIndexBuffer(backend, name, data, offset + from, to - from);
    }

    /** Storage is garbage-collected; nothing to release. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return IndexBuffer.describe(this);
    }
}
