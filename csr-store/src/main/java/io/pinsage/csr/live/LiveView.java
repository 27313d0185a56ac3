package io.pinsage.csr.live;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

/**
 * One reader's view of a {@link LiveGraph}: the base plus the recent edges that were visible when the view was last
 * {@linkplain #refresh() refreshed}, as a {@link BipartiteGraph} that any walker can use unchanged.
 *
 * <p>Edge positions: a node without recent edges keeps the base's range (non-negative positions). A node with
 * recent edges gets a virtual range, {@code Long.MIN_VALUE | node << 31} plus the index, so its edges are
 * contiguous as the interface promises: indices below its base degree read the base, the rest its recent list.
 * {@link #edgeCount()} counts both; positions are not dense in {@code [0, edgeCount())}.
 *
 * <p>Cost on the base's part of a walk: {@code degree}/{@code firstEdge} add a compare with the base's node count
 * and one bit read (the node's "has recent edges" bit, at the same index as its offsets, so its miss overlaps
 * theirs); {@code neighborAt}/{@code weightAt} add one sign test. A node with recent edges costs a probe of a small
 * table per call instead.
 *
 * <p>Threading: confined to one thread (refresh it at each query's start, as a query scratch does); any number of
 * views may read the same live graph while its writer appends. Allocates nothing after construction.
 */
public final class LiveView implements BipartiteGraph {

    private static final long VIRTUAL = Long.MIN_VALUE;
    private static final int INDEX_BITS = 31;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

    private final LiveGraph live;
    private final BipartiteGraph base;
    private final int baseLeft;
    private final int baseRight;
    private final RecentAdjacency leftAdj;
    private final RecentAdjacency rightAdj;
    private final RecentEdges edges;
    private long visible;
    private int leftNodes;
    private int rightNodes;
    private int maxLeft;
    private int maxRight;
    private boolean weighted;

    LiveView(LiveGraph live) {
        this.live = live;
        this.base = live.base();
        this.baseLeft = base.nodeCount(Side.LEFT);
        this.baseRight = base.nodeCount(Side.RIGHT);
        this.leftAdj = live.leftAdj;
        this.rightAdj = live.rightAdj;
        this.edges = live.edges;
        refresh();
    }

    /**
     * Shows every batch acknowledged before this call (and possibly later ones applied meanwhile), and then nothing
     * new until the next refresh. O(1): reads the published edge count first (the acquire that makes the batches'
     * writes visible), then the node counts and maxima written before it.
     *
     * @return this view
     */
    public LiveView refresh() {
        visible = live.published();
        leftNodes = live.nodes(Side.LEFT);
        rightNodes = live.nodes(Side.RIGHT);
        maxLeft = live.maxDegree(Side.LEFT);
        maxRight = live.maxDegree(Side.RIGHT);
        weighted = live.weighted();
        return this;
    }

    /** The live graph viewed. */
    public LiveGraph live() {
        return live;
    }

    /** Recent edges shown. */
    public long recentEdges() {
        return visible;
    }

    @Override
    public int nodeCount(Side side) {
        return side == Side.LEFT ? leftNodes : rightNodes;
    }

    @Override
    public long edgeCount() {
        return base.edgeCount() + visible;
    }

    /** Whether {@code node} keeps the base's edge range: a base node without recent edges. */
    private boolean plain(Side side, int node) {
        return side == Side.LEFT
                ? node < baseLeft && !leftAdj.baseHasRecent(node)
                : node < baseRight && !rightAdj.baseHasRecent(node);
    }

    @Override
    public int degree(Side side, int node) {
        if (plain(side, node)) {
            return base.degree(side, node);
        }
        return baseDegree(side, node) + adjacency(side).degree(node, visible);
    }

    private int baseDegree(Side side, int node) {
        return node < (side == Side.LEFT ? baseLeft : baseRight) ? base.degree(side, node) : 0;
    }

    private RecentAdjacency adjacency(Side side) {
        return side == Side.LEFT ? leftAdj : rightAdj;
    }

    @Override
    public long firstEdge(Side side, int node) {
        if (plain(side, node)) {
            return base.firstEdge(side, node);
        }
        return VIRTUAL | (long) node << INDEX_BITS;
    }

    @Override
    public int neighborAt(Side side, long edge) {
        if (edge >= 0) {
            return base.neighborAt(side, edge);
        }
        long at = resolve(side, edge);
        if (at >= 0) {
            return base.neighborAt(side, at);
        }
        int position = (int) ~at;
        return side == Side.LEFT ? edges.right(position) : edges.left(position);
    }

    @Override
    public boolean hasWeights() {
        return weighted;
    }

    @Override
    public float weightAt(Side side, long edge) {
        if (edge >= 0) {
            return base.weightAt(side, edge);
        }
        long at = resolve(side, edge);
        return at >= 0 ? base.weightAt(side, at) : edges.weight((int) ~at);
    }

    /**
     * Where virtual position {@code edge} lies: the base's edge position (>= 0), or the complement of the log position
     * of a recent edge (< 0).
     */
    private long resolve(Side side, long edge) {
        int node = (int) ((edge >>> INDEX_BITS) & INDEX_MASK);
        int i = (int) (edge & INDEX_MASK);
        int d = baseDegree(side, node);
        return i < d ? base.firstEdge(side, node) + i : ~(long) recentPosition(side, node, i - d);
    }

    /** Log position of {@code node}'s {@code i}-th recent edge, {@code i} below its degree in this view. */
    private int recentPosition(Side side, int node, int i) {
        RecentAdjacency.NodeEdges e = adjacency(side).find(node);
        if (e == null) {
            throw new IndexOutOfBoundsException("node " + node + " of side " + side + " has no recent edge " + i);
        }
        return e.positions[i];
    }

    @Override
    public int maxDegree(Side side) {
        return side == Side.LEFT ? maxLeft : maxRight;
    }

    /** Recent edges were checked when they were added, so damage can only be the base's. */
    @Override
    public RuntimeException corruptNeighbor(Side side, long edge, String problem) {
        return edge >= 0 ? base.corruptNeighbor(side, edge, problem)
                : new IllegalStateException("recent edge " + (edge & INDEX_MASK) + " of node "
                + ((edge >>> INDEX_BITS) & INDEX_MASK) + " of side " + side + " " + problem);
    }

    @Override
    public RuntimeException explain(IndexOutOfBoundsException failure) {
        return base.explain(failure);
    }
}
