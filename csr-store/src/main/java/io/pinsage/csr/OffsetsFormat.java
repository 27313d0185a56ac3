package io.pinsage.csr;

import io.pinsage.csr.format.BaseFileFormat;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.StoreFileFormat;

/**
 * Layout of a side's CSR offsets file ({@code left.offsets}, {@code right.offsets}), framed by
 * {@link StoreFileFormat}'s header and footer.
 *
 * <pre>
 *  header counts:  [0] nodeCount n   [1] edgeCount m   [2] maxDegree   [3] side (0 LEFT, 1 RIGHT)   [4] 0
 *
 *  body:
 *  +----------------------------------------------+
 *  |  offset[0] = 0           (long)               |  0
 *  |  offset[1]               (long)               |  8
 *  |  ...                                          |
 *  |  offset[n] = m           (long)               |  8n
 *  +----------------------------------------------+
 * </pre>
 * Node {@code u}'s edges occupy global edge positions {@code [offset[u], offset[u+1])} of the side's
 * adjacency, which is split into neighbour shards ({@link NeighborShardFormat}). Offsets are 64-bit so that a
 * side may hold more than 2<sup>31</sup> edges; they are non-decreasing.
 */
public final class OffsetsFormat extends BaseFileFormat {

    public static final OffsetsFormat INSTANCE = new OffsetsFormat();
    public static final String CODEC = "pinsage.csr.offsets";
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = VERSION_START;

    public static final int COUNT_NODES = 0;
    public static final int COUNT_EDGES = 1;
    public static final int COUNT_MAX_DEGREE = 2;
    public static final int COUNT_SIDE = 3;

    private OffsetsFormat() {
        super(CODEC, VERSION_START, VERSION_CURRENT);
    }

    @Override
    public long bodyLength(FileHeader h) {
        long n = h.count(COUNT_NODES);
        if (n < 0 || n > Integer.MAX_VALUE || h.count(COUNT_EDGES) < 0 || h.count(COUNT_SIDE) < 0 || h.count(COUNT_SIDE) > 1) {
            throw new IllegalArgumentException("nodeCount=" + n + " edgeCount=" + h.count(COUNT_EDGES) + " side=" + h.count(COUNT_SIDE));
        }
        return 8 * (n + 1);
    }
}
