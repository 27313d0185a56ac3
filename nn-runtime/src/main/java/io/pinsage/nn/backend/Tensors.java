package io.pinsage.nn.backend;

/**
 * Helpers over {@link Backend} and {@link Tensor} that every caller needs: moving whole tensors to and from
 * the host and checking for non-finite values. Stateless and thread-safe (the tensors are not).
 */
public final class Tensors {

    private Tensors() {
    }

    /** Allocates a {@code rows x cols} tensor and uploads {@code values} (row-major, exactly rows·cols long). */
    public static Tensor of(Backend backend, String name, int rows, int cols, float[] values) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException("Tensors.of: " + name + "[" + rows + "x" + cols + "] needs "
                    + (long) rows * cols + " values, got " + values.length);
        }
        Tensor t = backend.allocate(name, rows, cols);
        backend.upload(values, 0, t);
        return t;
    }

    /** Allocates an index buffer and uploads {@code values}. */
    public static IndexBuffer of(Backend backend, String name, int[] values) {
        IndexBuffer b = backend.allocateIndex(name, values.length);
        backend.upload(values, 0, b);
        return b;
    }

    /** Downloads the whole tensor into a new array (waits for preceding operations). Allocates; not for hot paths. */
    public static float[] toArray(Tensor t) {
        float[] out = new float[Math.toIntExact(t.size())];
        t.backend().download(t, out, 0);
        return out;
    }

    /** Downloads the whole buffer into a new array. */
    public static int[] toArray(IndexBuffer b) {
        int[] out = new int[b.length()];
        b.backend().download(b, out, 0);
        return out;
    }

    /**
     * Throws {@link NonFiniteValueException} naming the tensor and {@code context} (for example
     * {@code "step 1200"}) if {@code t} holds NaN or an infinity; the message gives the first bad element's
     * position, found by a download only in that case. Waits for preceding operations.
     */
    public static void requireFinite(Tensor t, String context) {
        if (t.backend().allFinite(t)) {
            return;
        }
        float[] values = toArray(t);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new NonFiniteValueException(context + ": tensor " + Tensor.describe(t) + " holds " + values[i]
                        + " at row " + i / t.cols() + ", column " + i % t.cols());
            }
        }
        throw new NonFiniteValueException(context + ": tensor " + Tensor.describe(t) + " holds a non-finite value");
    }
}
