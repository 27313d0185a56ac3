package io.pinsage.csr.live;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Arrays;

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
 * <p>Leases: {@link #refresh()} takes a lease on the live graph's current generation (its base and recent edges) and
 * {@link #release()} ends it; the view reads only in between. A compaction that replaces the generation meanwhile
 * does not unmap it until the lease ends, and the next refresh moves the view to the new generation. A view that is
 * never released keeps its generation's files mapped (and, once replaced, their disk space held) until it is.
 *
 * <p>Threading: confined to one thread (refresh it at each query's start and release it at the end, as a query
 * scratch does); any number of views may read the same live graph while its writer appends. Allocates nothing after
 * construction.
 */
public final class LiveView implements BipartiteGraph {

    private static final long VIRTUAL = Long.MIN_VALUE;
    private static final int INDEX_BITS = 31;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final int CACHE = 256;

    private final LiveGraph live;
    /** The generation leased by the last refresh, null after a release. */
    private LiveGeneration leased;
    /** The generation the fields below describe (kept after a release, so that a refresh of the same one keeps the caches). */
    private LiveGeneration bound;
    private BipartiteGraph base;
    private int baseLeft;
    private int baseRight;
    private RecentAdjacency leftAdj;
    private RecentAdjacency rightAdj;
    /**
     * Direct-mapped caches of node lists per side ({@link #CACHE} entries, this thread's only): a walker asks for
     * the same node's degree and neighbours within a few calls, and a hit costs no probe of the shared table. Lists
     * never change identity within a generation and are cached only when found, so an entry stays right until the
     * view moves to another generation, which empties the caches.
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
        refresh();
    }

    /**
     * Shows every batch acknowledged before this call (and possibly later ones applied meanwhile), and then nothing
     * new until the next refresh, holding a lease on the generation shown until {@link #release()} or the next
     * refresh. O(1): a compare-and-set for the lease, then a read of the published edge count (the acquire that makes
     * the batches' writes visible) and of the node counts and maxima written before it.
     *
     * @return this view
     * @throws IllegalStateException if the live graph was closed
     */
    public LiveView refresh() {
        LiveGeneration g = live.acquire();
        release();
        leased = g;
        if (g != bound) {
            bind(g);
        }
        visible = g.published;
        leftNodes = g.leftNodes;
        rightNodes = g.rightNodes;
        maxLeft = g.maxLeftDegree;
        maxRight = g.maxRightDegree;
        weighted = g.weighted;
        return this;
    }

    /**
     * Ends the lease of the last refresh (no-op if none is held); the view must not be read until refreshed again.
     * If a compaction replaced the generation, the view also lets go of it, so that its memory goes with its last
     * lease; otherwise it keeps its caches for the next refresh.
     */
    public void release() {
        LiveGeneration g = leased;
        if (g != null) {
            leased = null;
            g.release();
            if (g.retired()) {
                unbind();
            }
        }
    }

    /** The generation leased by the last refresh, or null after a release. */
    LiveGeneration leasedGeneration() {
        return leased;
    }

    private void bind(LiveGeneration g) {
        bound = g;
        base = g.base;
        baseLeft = base.nodeCount(Side.LEFT);
        baseRight = base.nodeCount(Side.RIGHT);
        leftAdj = g.leftAdj;
        rightAdj = g.rightAdj;
        clearCaches();
    }

    private void unbind() {
        bound = null;
        base = null;
        leftAdj = null;
        rightAdj = null;
        clearCaches();
    }

    private void clearCaches() {
        Arrays.fill(leftCacheNode, 0);
        Arrays.fill(leftCacheEdges, null);
        Arrays.fill(rightCacheNode, 0);
        Arrays.fill(rightCacheEdges, null);
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
