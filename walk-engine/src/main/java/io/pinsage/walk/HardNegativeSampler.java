package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * PinSage's hard negatives: items that are somewhat related to a query but not relevant, taken from the middle
 * of its personalised-PageRank ranking (ranks 2000–5000 by default). The ranking comes from
 * {@code steps} walk steps from the query; {@link #sample} then draws distinct nodes uniformly from ranks
 * {@code [rankFrom, rankTo)} (0-based, the query itself excluded).
 *
 * <p>Negatives of the query's side (pins for a pin) are ranked by the visits of the nodes the walks land on, the
 * query excluded. Negatives of the opposite side (items for a user, whose walks go user → item → user → item …)
 * are ranked by the visits of the opposite nodes the walks pass, the query's own neighbours excluded: they are its
 * positives, not negatives.
 *
 * <p>A query whose walks reach fewer than {@code rankFrom + 1} distinct candidates (a small or sparse component) has
 * no such band: {@link #sample} returns 0 and the caller falls back to random negatives.
 *
 * <p>The band is a set: visited nodes are packed into one {@code long} each (visit count above, inverted id below,
 * so a larger key ranks higher and ties go to the smaller id, or over a table to the smaller node key, as everywhere
 * in the walk engine) and two
 * quickselects, not a sort, cut ranks {@code [0, rankTo)} and then {@code [0, rankFrom)} from the rest.
 *
 * <p>Not thread-safe: one instance per thread, reused across queries; it allocates nothing once its buffers hold
 * the most distinct nodes a query has visited. Deterministic in (graph, configuration, node, seed). Cost:
 * {@code steps} walk steps plus O(distinct visited) expected, and O(degree of the query) for opposite-side negatives.
 */
public final class HardNegativeSampler {

    private final BipartiteGraph graph;
    private final Side side;
    private final Side negatives;
    private final int rankFrom;
    private final int rankTo;
    private final long steps;
    private final double alpha;
    private final RandomWalker walker;
    private final WalkTable table;
    private final TableWalker tableWalker;
    private final VisitMap visits = new VisitMap(1 << 14);
    /** Landings on the query's side, which opposite-side ranking walks make but do not rank. */
    private final VisitMap landed;
    /** The query's own neighbours, never negatives of the opposite side (empty for negatives of its side). */
    private final VisitMap excluded = new VisitMap(64);
    private final int[] ranked;
    private long[] keys = new long[1 << 14];

    /**
     * @param side     side of the queries and of the negatives
     * @param rankFrom first rank of the band (PinSage: 2000)
     * @param rankTo   end of the band, exclusive (PinSage: 5000)
     * @param steps    walk steps per query; to rank {@code rankTo} nodes reliably use well over 10·rankTo
     * @param alpha    restart probability
     * @throws IllegalArgumentException if the band is empty or negative, or another knob is out of range
     */
    public HardNegativeSampler(BipartiteGraph graph, Side side, int rankFrom, int rankTo, long steps, double alpha) {
        this(graph, side, side, rankFrom, rankTo, steps, alpha);
    }

    /**
     * Queries of {@code side} with negatives of side {@code negatives}: the query's side, or the opposite one.
     *
     * @throws IllegalArgumentException as above
     */
    public HardNegativeSampler(BipartiteGraph graph, Side side, Side negatives, int rankFrom, int rankTo, long steps,
                               double alpha) {
        this(Objects.requireNonNull(graph, "graph"), null, side, negatives, rankFrom, rankTo, steps, alpha);
    }

    /**
     * The same band from uniform walks over a {@link WalkTable} (one read per hop instead of two, 256 lanes):
     * visits are counted by node key, and only the nodes drawn or read back are turned into ids. Same
     * distribution as over the graph, other walks for a seed.
     *
     * @throws IllegalArgumentException as the graph's constructor
     */
    public HardNegativeSampler(WalkTable table, Side side, int rankFrom, int rankTo, long steps, double alpha) {
        this(table, side, side, rankFrom, rankTo, steps, alpha);
    }

    /**
     * Queries of {@code side} with negatives of side {@code negatives}, over a walk table.
     *
     * @throws IllegalArgumentException as the graph's constructor
     */
    public HardNegativeSampler(WalkTable table, Side side, Side negatives, int rankFrom, int rankTo, long steps,
                               double alpha) {
        this(Objects.requireNonNull(table, "table").graph(), table, side, negatives, rankFrom, rankTo, steps, alpha);
    }

    private HardNegativeSampler(BipartiteGraph graph, WalkTable table, Side side, Side negatives, int rankFrom,
                                int rankTo, long steps, double alpha) {
        this.graph = graph;
        this.side = Objects.requireNonNull(side, "side");
        this.negatives = Objects.requireNonNull(negatives, "negatives");
        this.landed = negatives == side ? null : new VisitMap(1 << 10);
        if (rankFrom < 0 || rankTo <= rankFrom) {
            throw new IllegalArgumentException("rankFrom=" + rankFrom + " rankTo=" + rankTo + ": need 0 <= rankFrom < rankTo");
        }
        PixieQuery.requireSteps("steps", steps);
        this.rankFrom = rankFrom;
        this.rankTo = rankTo;
        this.steps = steps;
        this.alpha = WalkRandom.requireRestartProbability(alpha);
        this.table = table;
        this.walker = table == null ? new RandomWalker(graph, UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES) : null;
        this.tableWalker = table == null ? null : new TableWalker(table, TableWalker.DEFAULT_LANES);
        this.ranked = new int[rankTo];
    }

    /** PinSage's band, ranks 2000–5000, from 200,000 steps with restart probability 0.5. */
    public static HardNegativeSampler pinSage(BipartiteGraph graph, Side side) {
        return new HardNegativeSampler(graph, side, 2000, 5000, 200_000, 0.5);
    }

    /**
     * Draws up to {@code count} distinct hard negatives for {@code node} into {@code out[0..)}.
     *
     * @param seed seeds both the ranking walks and the draw
     * @return how many were drawn: {@code min(count, size of the band)}, 0 if the band is empty
     * @throws IllegalArgumentException if the node is out of range or {@code out} is shorter than {@code count}
     */
    public int sample(int node, int count, long seed, int[] out) {
        if (node < 0 || node >= graph.nodeCount(side)) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + graph.nodeCount(side)
                    + ") of side " + side);
        }
        if (count < 0 || out.length < count) {
            throw new IllegalArgumentException("count=" + count + " out.length=" + out.length + ": need 0 <= count <= out.length");
        }
        int band = rank(node, seed);
        int take = Math.min(count, band);
        WalkRandom rnd = walker != null ? walker.random() : tableWalker.random();
        // Partial Fisher–Yates over the band: the first `take` positions become a uniform sample without repeats.
        for (int i = 0; i < take; i++) {
            int j = rankFrom + i + rnd.nextInt(band - i);
            int pick = ranked[j];
            ranked[j] = ranked[rankFrom + i];
            ranked[rankFrom + i] = pick;
            out[i] = toId(pick);
        }
        return take;
    }

    /**
     * Ranks the candidates visited from {@code node} and returns the size of the band {@code [rankFrom, rankTo)} that
     * exists; after it, {@link #rankedNode(int)} reads the ranking.
     */
    public int rank(int node, long seed) {
        visits.clear();
        if (landed != null) {
            landed.clear();
        }
        VisitMap same = landed == null ? visits : landed;
        VisitMap opposite = landed == null ? null : visits;
        long walkSeed = NeighborhoodConfig.nodeSeed(seed, node);
        if (walker != null) {
            walker.random().reseed(walkSeed);
            walker.walk(side, node, steps, alpha, same, opposite, 0, 0);
        } else {
            tableWalker.random().reseed(walkSeed);
            tableWalker.walk(side, node, steps, alpha, same, opposite, 0, 0);
        }
        // the query itself among same-side candidates: -1 for a table node without edges, which visits nothing
        int self = landed != null ? -1 : table == null ? node : table.key(side, node);
        excludeNeighbors(node);
        int size = visits.size();
        if (keys.length < size) {
            keys = new long[Math.max(size, 2 * keys.length)];
        }
        float[] values = visits.values();
        int n = 0;
        for (int i = 0; i < size; i++) {
            int id = visits.keyAt(i);
            // a plain comparison for same-side candidates, which the pin-board path ranks by the thousand
            if (id != self && (landed == null || !excluded.containsKey(id))) {
                keys[n++] = key(values[i], id);
            }
        }
        int top = Math.min(rankTo, n);
        selectLargest(keys, n, top);
        selectLargest(keys, top, rankFrom);
        for (int r = 0; r < top; r++) {
            ranked[r] = (int) (0xFFFF_FFFFL - (keys[r] & 0xFFFF_FFFFL));
        }
        if (walker != null) {
            // a walker that restarted on an impossible id counted it without reading past it (see RandomWalker)
            RandomWalker.checkReported(graph, negatives, ranked, top);
        }
        return Math.max(0, top - rankFrom);
    }

    /** Fills {@link #excluded} with {@code node}'s neighbours (as node keys over a table) for opposite-side negatives. */
    private void excludeNeighbors(int node) {
        excluded.clear();
        if (landed == null) {
            return;
        }
        long first = graph.firstEdge(side, node);
        for (long e = first; e < first + graph.degree(side, node); e++) {
            int neighbor = graph.neighborAt(side, e);
            excluded.add(table == null ? neighbor : table.key(negatives, neighbor), 1f);
        }
    }

    /**
     * A node of the last ranking: for {@code r < rankFrom} one of the nodes ranked above the band, for
     * {@code rankFrom <= r < rankFrom + band} a node of the band, each group in no particular order (and the band
     * reordered by {@link #sample}'s draws).
     */
    public int rankedNode(int r) {
        return toId(ranked[r]);
    }

    /** The id of a ranked entry: itself over the graph, a key turned back into an id over a table. */
    private int toId(int entry) {
        return table == null ? entry : table.node(negatives, entry);
    }

    /** Visit count above, {@code 2^32 − 1 − id} below: larger keys rank higher, ties to the smaller id. */
    static long key(float visits, int id) {
        return (long) Float.floatToRawIntBits(visits) << 32 | (0xFFFF_FFFFL - id);
    }

    /**
     * Reorders {@code a[0..n)} so that its {@code k} largest values come first, in no particular order
     * (Hoare-partition quickselect, median-of-three pivots; the values must be distinct). O(n) expected.
     */
    static void selectLargest(long[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        int target = k - 1;
        if (k <= 0 || k >= n) {
            return;
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long x = a[lo];
            long y = a[mid];
            long z = a[hi];
            long pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] > pivot) {
                    i++;
                }
                while (a[j] < pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }
}
