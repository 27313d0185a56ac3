package io.pinsage.nn.backend;

/**
 * A handle to a dense, row-major {@code rows x cols} matrix of {@code float}s owned by one {@link Backend}.
 *
 * <p>The storage may live anywhere the backend chooses (a Java array, off-heap memory, GPU memory): callers
 * never see it and move data only with {@link Backend#upload} and {@link Backend#download}. A vector is a
 * tensor with one row or one column; a scalar is {@code 1 x 1}.
 *
 * <p>Ownership: the tensor returned by {@link Backend#allocate} owns its storage until {@link #close()};
 * a view from {@link #rows(int, int)} shares its parent's storage, must not outlive it, and closing a view
 * does nothing. Using a closed tensor is undefined (backends check it where they cheaply can).
 *
 * <p>Threading: a tensor belongs to its backend's owning thread (see {@link Backend}). Every accessor here is
 * O(1) and allocation-free except {@link #rows(int, int)}, which allocates one small view object.
 */
public interface Tensor extends AutoCloseable {

    /** A name for error messages (for example {@code "conv1.W"}); never null. */
    String name();

    /** Number of rows, at least 0. */
    int rows();

    /** Number of columns, at least 1. */
    int cols();

    /** Number of elements, {@code rows() * cols()}. */
    default long size() {
        return (long) rows() * cols();
    }

    /** The backend that owns this tensor's storage. */
    Backend backend();

    /**
     * A view of rows {@code [from, to)}, sharing storage with this tensor (writes through it are visible here).
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= rows()}
     */
    Tensor rows(int from, int to);

    /** Releases the storage of an allocated tensor; does nothing for a view or an already closed tensor. */
    @Override
    void close();

    /** {@code name[rows x cols]}, the form every dimension error uses. */
    static String describe(Tensor t) {
        return t == null ? "null" : t.name() + "[" + t.rows() + "x" + t.cols() + "]";
    }
}
