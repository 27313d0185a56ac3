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
 * shared table, whose slot holds its count and where its list lies, and a read of that list: two cache lines, read
 * once per refresh and node by the walkers' first call, which keeps the answer in the view's own small cache.
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
    /** The generation the fields below describe (kept after a release, so that a refresh of the same one keeps them). */
    private LiveGeneration bound;
    private BipartiteGraph base;
    private int baseLeft;
    private int baseRight;
    private RecentAdjacency leftAdj;
    private RecentAdjacency rightAdj;
    /**
     * Direct-mapped caches per side ({@link #CACHE} entries, this thread's only) of nodes with recent edges: two longs
     * each, {@code (node + 1) | recentDegree << 32} and where the node's list lies. A walker asks for the same node's
     * degree and neighbours within a few calls, and a hit costs no probe of the shared table. The degree is the one
     * this refresh shows, so a refresh that shows more empties the caches.
     */
    private final long[] leftCache = new long[2 * CACHE];
    private final long[] rightCache = new long[2 * CACHE];
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
     * the batches' writes visible) and of the node counts and maxima written before it; when it shows more edges
     * than before, also an 8 KiB fill that empties the view's caches.
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
        long shown = g.published;
        if (shown != visible) {
            clearCaches();
        }
        visible = shown;
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
     * lease.
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
        Arrays.fill(leftCache, 0);
        Arrays.fill(rightCache, 0);
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
        long[] c = side == Side.LEFT ? leftCache : rightCache;
        return baseDegree(side, node) + (int) (c[cached(side, c, node)] >>> 32);
    }

    private RecentAdjacency adjacency(Side side) {
        return side == Side.LEFT ? leftAdj : rightAdj;
    }

    /** The index in {@code c} of the node's entry, filled from the shared table if it was not there. */
    private int cached(Side side, long[] c, int node) {
        int at = 2 * (node & (CACHE - 1));
        if ((int) c[at] != node + 1) {
            RecentAdjacency adj = adjacency(side);
            c[at + 1] = adj.list(node);
            c[at] = (node + 1L) | (long) adj.degree(node, visible) << 32;
        }
        return at;
    }

    private int baseDegree(Side side, int node) {
        return node < (side == Side.LEFT ? baseLeft : baseRight) ? base.degree(side, node) : 0;
    }

    @Override
    public long firstEdge(Side side, int node) {
        if (plain(side, node)) {
            return base.firstEdge(side, node);
        }
        // Walkers call this first for every lane (their touch pass): reading the node's slot now lets those misses
        // overlap across lanes, and the degree and neighbour reads that follow hit this view's cache.
        cached(side, side == Side.LEFT ? leftCache : rightCache, node);
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
        return i < d ? base.neighborAt(side, base.firstEdge(side, node) + i) : adjacency(side).neighbor(recent(side, node, i), i - d);
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
        return i < d ? base.weightAt(side, base.firstEdge(side, node) + i) : adjacency(side).weight(recent(side, node, i), i - d);
    }

    /** Where the recent list of {@code node} lies, which has a recent edge {@code i} in this view. */
    private long recent(Side side, int node, int i) {
        long[] c = side == Side.LEFT ? leftCache : rightCache;
        long list = c[cached(side, c, node) + 1];
        if (list < 0) {
            throw new IndexOutOfBoundsException("node " + node + " of side " + side + " has no recent edge " + i);
        }
        return list;
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
