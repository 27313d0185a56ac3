package io.pinsage.csr;

import io.pinsage.csr.format.BaseFileFormat;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.StoreFileFormat;

/**
 * Layout of a side's dense feature matrix ({@code left.features}, {@code right.features}), framed by
 * {@link StoreFileFormat}.
 *
 * <pre>
 *  header counts:  [0] rows n (= the side's node count)   [1] dim d   [2] side (0 LEFT, 1 RIGHT)   [3] 0   [4] 0
 *
 *  body: row-major float32
 *  +--------------------------------------------------------+
 *  |  x[0][0]  x[0][1]  ...  x[0][d-1]        (float32 each) |  0
 *  |  x[1][0]  ...                                          |  4d
 *  |  ...                                                   |
 *  |  x[n-1][0] ... x[n-1][d-1]                             |  4d(n-1)
 *  +--------------------------------------------------------+
 * </pre>
 * Row {@code u} is the content feature vector of dense node {@code u}. Values are finite.
 */
public final class FeatureMatrixFormat extends BaseFileFormat {

    public static final FeatureMatrixFormat INSTANCE = new FeatureMatrixFormat();
    public static final String CODEC = "pinsage.features.f32";
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = VERSION_START;

    public static final int COUNT_ROWS = 0;
    public static final int COUNT_DIM = 1;
    public static final int COUNT_SIDE = 2;

    private FeatureMatrixFormat() {
        super(CODEC, VERSION_START, VERSION_CURRENT);
    }

    @Override
    public long bodyLength(FileHeader h) {
        long n = h.count(COUNT_ROWS), d = h.count(COUNT_DIM);
        if (n < 0 || n > Integer.MAX_VALUE || d < 1 || d > 1 << 16 || h.count(COUNT_SIDE) < 0 || h.count(COUNT_SIDE) > 1) {
            throw new IllegalArgumentException("rows=" + n + " dim=" + d + " side=" + h.count(COUNT_SIDE));
        }
        return 4 * n * d;
    }
}
