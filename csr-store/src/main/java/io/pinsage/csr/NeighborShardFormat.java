package io.pinsage.csr;

import io.pinsage.csr.format.BaseFileFormat;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.StoreFileFormat;

/**
 * Layout of one neighbour shard ({@code left.nbr.00003}) or its parallel weight shard ({@code left.wgt.00003}):
 * the adjacency of the contiguous node range {@code [firstNode, firstNode + nodeCount)} of one side, which
 * holds global edge positions {@code [firstEdge, firstEdge + edgeCount)}. Framed by {@link StoreFileFormat}.
 *
 * <pre>
 *  header counts:  [0] firstNode   [1] nodeCount   [2] firstEdge   [3] edgeCount k   [4] side (0 LEFT, 1 RIGHT)
 *
 *  body (neighbours):                       body (weights):
 *  +--------------------------------+       +--------------------------------+
 *  |  neighbour id of edge 0  (int) |  0    |  weight of edge 0   (float32)  |  0
 *  |  ...                           |       |  ...                           |
 *  |  neighbour id of edge k-1(int) | 4k-4  |  weight of edge k-1 (float32)  | 4k-4
 *  +--------------------------------+       +--------------------------------+
 * </pre>
 * Neighbour ids are dense ids of the opposite side; each node's neighbours are sorted ascending. Weights are
 * positive and finite. Shards of one side tile its nodes and edges without gaps, in order; the offsets file
 * gives each node's edge range.
 */
public final class NeighborShardFormat extends BaseFileFormat {

    public static final NeighborShardFormat NEIGHBORS = new NeighborShardFormat("pinsage.csr.neighbors");
    public static final NeighborShardFormat WEIGHTS = new NeighborShardFormat("pinsage.csr.weights");
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = VERSION_START;

    public static final int COUNT_FIRST_NODE = 0;
    public static final int COUNT_NODES = 1;
    public static final int COUNT_FIRST_EDGE = 2;
    public static final int COUNT_EDGES = 3;
    public static final int COUNT_SIDE = 4;

    private NeighborShardFormat(String codec) {
        super(codec, VERSION_START, VERSION_CURRENT);
    }

    @Override
    public long bodyLength(FileHeader h) {
        for (int i = 0; i < StoreFileFormat.COUNT_FIELDS; i++) {
            if (h.count(i) < 0) {
                throw new IllegalArgumentException("count[" + i + "]=" + h.count(i) + ": must be >= 0");
            }
        }
        checkSide(h.count(COUNT_SIDE));
        return 4 * h.count(COUNT_EDGES);
    }
}
