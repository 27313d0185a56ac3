package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.stream.IntStream;

/**
 * Follows edges with probability proportional to the graph's edge weights ({@link BipartiteGraph#weightAt}), in
 * O(1) per step by Walker's alias method: every node's edges get an alias table (Vose's construction), and a step
 * draws one of the node's positions uniformly, then keeps it or takes its alias by a second uniform draw against
 * the position's threshold. One 64-bit random output per step (32 bits for each draw), one read of the table entry,
 * no search: a binary search over cumulative weights cost log2(degree) dependent reads per step, 17 at a board of
 * 100,000 pins.
 *
 * <p>Built once per graph in O(edges) time, in parallel over the common fork-join pool; 8 bytes per edge per side (a 32-bit threshold and the alias's offset in
 * the node's range), so a side may have at most 2<sup>31</sup> − 1 edges. Thresholds have 32-bit resolution, so each
 * edge's probability is exact to within 2<sup>−32</sup> of its node's degree. A node whose weights sum to zero (or
 * are not finite) is walked uniformly; the graph store only holds positive, finite weights. Immutable and
 * thread-safe once built.
 */
public final class WeightedEdgeChooser implements EdgeChooser {

    private static final long LOW = 0xFFFF_FFFFL;
    private static final int CHUNK = 1 << 14;

    /** Per side, per edge position: threshold (high 32 bits, unsigned) and alias offset in the node (low 32). */
    private final long[][] table = new long[2][];

    /**
     * @throws IllegalArgumentException if the graph has more edges than an array can index
     */
    public WeightedEdgeChooser(BipartiteGraph graph) {
        if (graph.edgeCount() >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("edgeCount=" + graph.edgeCount()
                    + ": weighted walks need fewer than 2^31 edges per side");
        }
        for (Side side : Side.values()) {
            long[] t = new long[(int) graph.edgeCount()];
            int nodes = graph.nodeCount(side);
            // Nodes in chunks over the common fork-join pool, each chunk with scratch sized to its widest node.
            IntStream.range(0, (nodes + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
                int from = c * CHUNK;
                int to = Math.min(nodes, from + CHUNK);
                int widest = 1;
                for (int u = from; u < to; u++) {
                    widest = Math.max(widest, graph.degree(side, u));
                }
                double[] scaled = new double[widest];
                int[] small = new int[widest];
                int[] large = new int[widest];
                for (int u = from; u < to; u++) {
                    int d = graph.degree(side, u);
                    if (d > 0) {
                        long first = graph.firstEdge(side, u);
                        build(graph, side, first, d, t, (int) first, scaled, small, large);
                    }
                }
            });
            table[side.ordinal()] = t;
        }
    }

    /**
     * Vose's alias table for one node's {@code d} edges from {@code first}, written into {@code t[at..at + d)}: entry
     * {@code i} holds the threshold (high 32 bits, unsigned) below which a draw keeps position {@code i}, and the
     * alias's offset among the node's positions (low 32 bits). Also the weighted {@link WalkTable}'s, whose slots
     * hold a node's edges in the same order. Scratch arrays of at least {@code d}.
     */
    static void build(BipartiteGraph graph, Side side, long first, int d, long[] t, int at, double[] scaled,
                      int[] small, int[] large) {
        double sum = 0;
        for (int i = 0; i < d; i++) {
            sum += graph.weightAt(side, first + i);
        }
        boolean uniform = !(sum > 0) || Double.isInfinite(sum);
        int smalls = 0;
        int larges = 0;
        for (int i = 0; i < d; i++) {
            scaled[i] = uniform ? 1 : graph.weightAt(side, first + i) * d / sum;
            if (scaled[i] < 1) {
                small[smalls++] = i;
            } else {
                large[larges++] = i;
            }
        }
        while (smalls > 0 && larges > 0) {
            int s = small[--smalls];
            int l = large[--larges];
            t[at + s] = threshold(scaled[s]) << 32 | l;
            scaled[l] -= 1 - scaled[s];
            if (scaled[l] < 1) {
                small[smalls++] = l;
            } else {
                large[larges++] = l;
            }
        }
        // What is left has probability 1 up to rounding: it keeps itself.
        while (larges > 0) {
            int i = large[--larges];
            t[at + i] = i;
        }
        while (smalls > 0) {
            int i = small[--smalls];
            t[at + i] = i;
        }
    }

    /** {@code p} in [0, 1) as an unsigned 32-bit threshold: a draw below it keeps the position. */
    private static long threshold(double p) {
        return Math.min(LOW, (long) (Math.max(0, p) * 0x1p32));
    }

    @Override
    public long choose(Side side, int node, long firstEdge, int degree, WalkRandom rnd) {
        long r = rnd.nextLong();
        int i = (int) (((r & LOW) * degree) >>> 32);
        return resolve(firstEdge, i, r, table[side.ordinal()][(int) firstEdge + i]);
    }

    /**
     * Three passes over the lanes: draw every lane's position (its node's offsets are in cache: the walker has just
     * touched them) and keep its random bits in {@code scratch}; read every lane's table entry, a cache miss each,
     * in a loop short enough for the processor to have them all in flight at once; then decide, on entries now in
     * cache. The same draws as {@link #choose}, so walks do not change.
     */
    @Override
    public long chooseAll(BipartiteGraph graph, Side side, int[] from, int count, WalkRandom rnd, long[] edge,
                          long[] scratch) {
        long[] t = table[side.ordinal()];
        for (int w = 0; w < count; w++) {
            int u = from[w];
            long r = rnd.nextLong();
            scratch[w] = r;
            edge[w] = graph.firstEdge(side, u) + (int) (((r & LOW) * graph.degree(side, u)) >>> 32);
        }
        long touch = 0;
        for (int w = 0; w < count; w++) {
            touch += t[(int) edge[w]];
        }
        for (int w = 0; w < count; w++) {
            long first = graph.firstEdge(side, from[w]);
            edge[w] = resolve(first, (int) (edge[w] - first), scratch[w], t[(int) edge[w]]);
        }
        return touch;
    }

    /** Position {@code i} or its alias, by the high 32 random bits against the entry's threshold. */
    private static long resolve(long firstEdge, int i, long r, long entry) {
        // A position kept with probability 1 is its own alias, so the comparison then picks it either way.
        return firstEdge + ((r >>> 32) < (entry >>> 32) ? i : (int) entry);
    }
}
