package io.pinsage.csr;

/**
 * A permutation of the ids {@code [0, n)}: {@code id ↦ (id · stride + offset) mod n} with a stride coprime to
 * {@code n}. The synthetic generators ({@link PinBoardGenerator}, the benchmarks' power-law graph) draw ids by
 * popularity rank and scatter them with one, so that popular nodes are spread over the id range instead of packed
 * at its front. The stride is found from a hint, so a generator's output is a function of its seed and of the
 * hints it passes: changing how a stride is chosen changes every generated graph.
 *
 * <p>Immutable and thread-safe. {@link #apply} is O(1); construction tries stride candidates at O(log n) each,
 * usually a handful.
 */
public final class AffinePermutation {

    private final int n;
    private final long stride;
    private final long offset;

    private AffinePermutation(int n, long stride, long offset) {
        this.n = n;
        this.stride = stride;
        this.offset = offset;
    }

    /**
     * The permutation whose stride is the first number coprime to {@code n} in {@code from, from + 1, ...}, or with
     * {@code oddStride} in {@code from | 1, (from | 1) + 2, ...}, where {@code from = floorMod(hint, n)}; the
     * stride is 1 when {@code n = 1}.
     *
     * @throws IllegalArgumentException if {@code n < 1} or {@code offset} is outside {@code [0, 2^31)}
     */
    public static AffinePermutation withStrideNear(int n, long hint, boolean oddStride, long offset) {
        if (n < 1) {
            throw new IllegalArgumentException("n=" + n + ": must be >= 1");
        }
        if (offset < 0 || offset > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset=" + offset + ": must be in [0, 2^31)");
        }
        if (n == 1) {
            return new AffinePermutation(1, 1, offset);
        }
        long s = Math.floorMod(hint, (long) n);
        int step = 1;
        if (oddStride) {
            s |= 1;
            step = 2;
        }
        // Stops by n - 1 (any stride) or n + 2 (odd strides): both are coprime to n, so the stride stays <= n + 2.
        while (gcd(s, n) != 1) {
            s += step;
        }
        return new AffinePermutation(n, s, offset);
    }

    /** The number of ids permuted. */
    public int size() {
        return n;
    }

    /** The image of {@code id}, for {@code id} in {@code [0, n)} (not checked). */
    public int apply(int id) {
        assert id >= 0 && id < n : "id=" + id + " n=" + n;
        // id < 2^31 and stride <= n + 2, so the product plus the offset stays below 2^63.
        return (int) ((id * stride + offset) % n);
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
