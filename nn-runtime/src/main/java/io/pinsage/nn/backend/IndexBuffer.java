package io.pinsage.nn.backend;

/**
 * A handle to an array of {@code int}s owned by one {@link Backend}: neighbour lists, CSR offsets, row ids.
 *
 * <p>Index arrays live beside the tensors they index (on a GPU, in device memory) so that no operation needs a
 * Java array in the hot path. Ownership, views and threading follow {@link Tensor}.
 */
public interface IndexBuffer extends AutoCloseable {

    /** A name for error messages; never null. */
    String name();

    /** Number of ints. */
    int length();

    /** The backend that owns this buffer. */
    Backend backend();

    /**
     * A view of elements {@code [from, to)}, sharing storage with this buffer.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= length()}
     */
    IndexBuffer slice(int from, int to);

    /** Releases the storage of an allocated buffer; does nothing for a view or an already closed buffer. */
    @Override
    void close();

    /** {@code name[length]}, the form every dimension error uses. */
    static String describe(IndexBuffer b) {
        return b == null ? "null" : b.name() + "[" + b.length() + "]";
    }
}
