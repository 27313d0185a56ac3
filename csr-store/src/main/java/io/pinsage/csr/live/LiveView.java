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
 * theirs); {@code neighborAt}/{@code weightAt} add one sign test. A node with recent edges costs a probe of the
 * shared table for its lists, usually answered by the view's own small cache of the nodes it asked for last.
 *
 * <p>Threading: confined to one thread (refresh it at each query's start, as a query scratch does); any number of
 * views may read the same live graph while its writer appends. Allocates nothing after construction.
 */
public final class LiveView implements BipartiteGraph {

    private static final long VIRTUAL = Long.MIN_VALUE;
    private static final int INDEX_BITS = 31;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final int CACHE = 256;

    private final LiveGraph live;
    private final BipartiteGraph base;
    private final int baseLeft;
    private final int baseRight;
    private final RecentAdjacency leftAdj;
    private final RecentAdjacency rightAdj;
    /**
     * Direct-mapped caches of node lists per side ({@link #CACHE} entries, this thread's only): a walker asks for
     * the same node's degree and neighbours within a few calls, and a hit costs no probe of the shared table. Lists
     * never change identity and are cached only when found, so an entry stays right forever.
     */
    private final int[] leftCacheNode = new int[CACHE];
    private final RecentAdjacency.NodeEdges[] leftCacheEdges = new RecentAdjacency.NodeEdges[CACHE];
    private final int[] rightCacheNode = new int[CACHE];
    private final RecentAdjacency.NodeEdges[] rightCacheEdges = new RecentAdjacency.NodeEdges[CACHE];
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
        return baseDegree(side, node) + RecentAdjacency.degree(entry(side, node), visible);
    }

    /** The node's recent lists through this view's cache, or null if it has none. */
    private RecentAdjacency.NodeEdges entry(Side side, int node) {
        boolean left = side == Side.LEFT;
        int[] nodes = left ? leftCacheNode : rightCacheNode;
        RecentAdjacency.NodeEdges[] cached = left ? leftCacheEdges : rightCacheEdges;
        int slot = node & (CACHE - 1);
        if (nodes[slot] == node + 1) {
            return cached[slot];
        }
        RecentAdjacency.NodeEdges e = (left ? leftAdj : rightAdj).find(node);
        if (e != null) {
            nodes[slot] = node + 1;
            cached[slot] = e;
        }
        return e;
    }

    private int baseDegree(Side side, int node) {
        return node < (side == Side.LEFT ? baseLeft : baseRight) ? base.degree(side, node) : 0;
    }

    @Override
    public long firstEdge(Side side, int node) {
        if (plain(side, node)) {
            return base.firstEdge(side, node);
        }
        // Walkers call this first for every lane (their touch pass): finding the node's lists now lets those misses
        // overlap across lanes, and the degree and neighbour reads that follow hit this view's cache.
        entry(side, node);
        return VIRTUAL | (long) node << INDEX_BITS;
    }

    @Override
    public int neighborAt(Side side, long edge) {
        if (edge >= 0) {
            return base.neighborAt(side, edge);
        }
        int node = (int) ((edge >>> INDEX_BITS) & INDEX_MASK);
        int i = (int) (edge & INDEX_MASK);
        int d = baseDegree(side, node);
        return i < d ? base.neighborAt(side, base.firstEdge(side, node) + i) : recent(side, node, i).neighbor(i - d);
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
        int node = (int) ((edge >>> INDEX_BITS) & INDEX_MASK);
        int i = (int) (edge & INDEX_MASK);
        int d = baseDegree(side, node);
        return i < d ? base.weightAt(side, base.firstEdge(side, node) + i) : recent(side, node, i).weight(i - d);
    }

    /** The recent edges of {@code node}, which has a recent edge {@code i} in this view. */
    private RecentAdjacency.NodeEdges recent(Side side, int node, int i) {
        RecentAdjacency.NodeEdges e = entry(side, node);
        if (e == null) {
            throw new IndexOutOfBoundsException("node " + node + " of side " + side + " has no recent edge " + i);
        }
        return e;
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
