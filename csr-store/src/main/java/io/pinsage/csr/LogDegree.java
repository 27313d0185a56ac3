package io.pinsage.csr;

/**
 * {@code ln(1 + degree)} as a float, the degree feature of PinSage's first layer. Read for every node of every
 * minibatch, so degrees below {@value #TABLE} come from a table (256 KiB, filled once with {@link Math#log1p});
 * larger ones, which the busiest boards have and walks visit most, are {@code Math.log(1.0 + degree)}: exact in its
 * argument there ({@code 1 + degree} is a double without rounding) and an intrinsic, where {@code log1p} is not.
 */
public final class LogDegree {

    private static final int TABLE = 1 << 16;
    private static final float[] VALUES = new float[TABLE];

    static {
        for (int d = 0; d < TABLE; d++) {
            VALUES[d] = (float) Math.log1p(d);
        }
    }

    private LogDegree() {
    }

    /** {@code (float) ln(1 + degree)}, {@code degree >= 0}. */
    public static float of(long degree) {
        if (degree < 0) {
            throw new IllegalArgumentException("degree=" + degree + ": must be >= 0");
        }
        return degree < TABLE ? VALUES[(int) degree] : (float) Math.log(1.0 + degree);
    }
}
