package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * The step loop shared by Pixie queries, importance neighbourhoods and hard negatives: repeated random walks
 * with restarts from one source node, counting visits.
 *
 * <p>A walk from {@code source} on side S makes round trips S → opposite → S; each round trip is one
 * <em>step</em> and counts one visit to the S node it lands on (and, optionally, one to the opposite node it
 * passed). After every step a walker returns to the source with probability {@code alpha}, so walk lengths, in
 * steps, are geometric with mean 1/alpha. The expected visit frequencies are therefore the personalised
 * PageRank of the source on the two-hop S graph without its zero-step term.
 *
 * <p>Speed: {@code lanes} independent walkers advance in lockstep, and each half-step is split in two passes
 * over the lanes (read every lane's node offsets, then every lane's chosen neighbour) so that the cache misses
 * of different walkers are in flight together instead of one after another. With one lane this is the
 * textbook latency-bound walk. Uniform walks on a graph that fits in memory twice go faster over a
 * {@link WalkTable} with {@link TableWalker}: one dependent read per hop instead of two.
 *
 * <p>Not thread-safe: one instance per thread, reused across walks; it allocates nothing after construction.
 * Reproducible: the visits depend only on the graph, the chooser, the lane count and the seed passed to
 * {@link #random()}{@code .reseed}.
 *
 * <p>Errors: a walk that follows a neighbour id outside its side (a damaged store) throws what
 * {@link BipartiteGraph#explain} makes of the {@link IndexOutOfBoundsException} that the next read raised: for a
 * store, an {@link java.io.UncheckedIOException} around a {@code CorruptStoreException} naming the shard. The
 * handler sits around the whole walk, so the steps pay nothing for it. A walker that restarts right after landing
 * on such an id has counted it as a visit without reading past it: callers check the nodes they report
 * ({@link #checkReported}).
 */
public final class RandomWalker {

    private final BipartiteGraph graph;
    private final EdgeChooser chooser;
    private final KeyTally tally = new KeyTally();
    private final KeyTally oppositeTally = new KeyTally();
    private final WalkRandom rnd = new WalkRandom(0);
    private final int lanes;
    private final int[] position;
    private final int[] opposite;
    private final long[] edge;
    /** The chooser's per-lane scratch ({@link EdgeChooser#chooseAll}). */
    private final long[] chooserScratch;
    /** Sum of the touch passes' reads: stored so that the compiler cannot drop them; never read. */
    private long touched;

    /**
     * @param lanes walkers stepped together, 1 to 1024 (16–64 overlaps enough misses on current CPUs)
     * @throws IllegalArgumentException if {@code lanes} is out of range
     */
    public RandomWalker(BipartiteGraph graph, EdgeChooser chooser, int lanes) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.chooser = Objects.requireNonNull(chooser, "chooser");
        if (lanes < 1 || lanes > 1024) {
            throw new IllegalArgumentException("lanes=" + lanes + ": must lie in [1, 1024]");
        }
        this.lanes = lanes;
        position = new int[lanes];
        opposite = new int[lanes];
        edge = new long[lanes];
        chooserScratch = new long[lanes];
    }

    /** The graph walked. */
    public BipartiteGraph graph() {
        return graph;
    }

    /** This walker's generator: reseed it before a walk to make the walk reproducible. */
    public WalkRandom random() {
        return rnd;
    }

    /**
     * Walks from {@code source} for {@code steps} round-trip steps (or until early stop) and adds one to
     * {@code visits} for each S node landed on, and to {@code oppositeVisits} (if not null) for each opposite node
     * passed.
     *
     * <p>Early stop: when {@code earlyStopNodes > 0}, the walk ends as soon as {@code earlyStopNodes} distinct S
     * nodes have reached {@code earlyStopVisits} visits in {@code visits} (counting visits added by this call on top
     * of what the map held). Steps are taken in rounds of up to {@code lanes}, so a stop takes effect at the end of
     * the round.
     *
     * @param alpha restart probability, checked by the caller ({@link WalkRandom#requireRestartProbability})
     * @return the number of steps taken: {@code steps}, fewer after an early stop, 0 if the source has no edges
     */
    public long walk(Side side, int source, long steps, double alpha, VisitMap visits, VisitMap oppositeVisits,
                     int earlyStopNodes, int earlyStopVisits) {
        try {
            return walkLanes(side, source, steps, alpha, visits, oppositeVisits, earlyStopNodes, earlyStopVisits);
        } catch (IndexOutOfBoundsException e) {
            throw graph.explain(e);
        }
    }

    /** {@link #walk}'s step loop. */
    private long walkLanes(Side side, int source, long steps, double alpha, VisitMap visits, VisitMap oppositeVisits,
                           int earlyStopNodes, int earlyStopVisits) {
        assert source >= 0 && source < graph.nodeCount(side) : "source=" + source;
        if (steps <= 0 || graph.degree(side, source) == 0) {
            return 0;
        }
        Side other = side.opposite();
        // After each step a walker restarts with probability alpha: one 53-bit draw against a fixed threshold,
        // which makes walk lengths geometric without a logarithm per walk.
        long restartBelow = (long) (alpha * 0x1p53);
        for (int w = 0; w < lanes; w++) {
            position[w] = source;
        }
        float stopAt = earlyStopVisits;
        int reached = 0;
        long taken = 0;
        // Without an early stop the visits are collected and counted in bulk (KeyTally) at the end.
        boolean tallying = earlyStopNodes <= 0;
        while (taken < steps) {
            int active = (int) Math.min(lanes, steps - taken);
            halfStep(side, position, opposite, active);
            halfStep(other, opposite, position, active);
            if (tallying) {
                tally.append(position, active, visits);
                if (oppositeVisits != null) {
                    oppositeTally.append(opposite, active, oppositeVisits);
                }
            } else {
                for (int w = 0; w < active; w++) {
                    if (visits.add(position[w], 1f) == stopAt) {
                        reached++;
                    }
                    if (oppositeVisits != null) {
                        oppositeVisits.add(opposite[w], 1f);
                    }
                }
            }
            for (int w = 0; w < active; w++) {
                if ((rnd.nextLong() >>> 11) < restartBelow) {
                    position[w] = source;
                }
            }
            taken += active;
            if (earlyStopNodes > 0 && reached >= earlyStopNodes) {
                break;
            }
        }
        if (tallying) {
            tally.flush(visits);
            if (oppositeVisits != null) {
                oppositeTally.flush(oppositeVisits);
            }
        }
        return taken;
    }

    /**
     * Moves {@code active} walkers one edge: from nodes {@code from[w]} on {@code side} to {@code to[w]}. The
     * walkers' current nodes must have at least one edge (true for any node reached over an edge).
     *
     * <p>Java has no prefetch instruction, so each miss-prone read is first issued by a "touch" pass whose body
     * is a few instructions per lane: the processor's reorder window then holds every lane's load at once, where
     * the full pass, with its random draw and bounds checks, would hold only a handful. The full pass that
     * follows finds the lines in cache.
     */
    private void halfStep(Side side, int[] from, int[] to, int active) {
        BipartiteGraph g = graph;
        long touch = 0;
        for (int w = 0; w < active; w++) {
            touch += g.firstEdge(side, from[w]);
        }
        touch += chooser.chooseAll(g, side, from, active, rnd, edge, chooserScratch);
        for (int w = 0; w < active; w++) {
            touch += g.neighborAt(side, edge[w]);
        }
        for (int w = 0; w < active; w++) {
            to[w] = g.neighborAt(side, edge[w]);
        }
        touched += touch;
    }

    /**
     * Advances the walkers whose current nodes are in {@code walkers} (all on {@code side}) by {@code hops} single
     * edges each, alternating sides, uniformly and without restarts: the bare step loop, for measuring the
     * engine against the machine's random-read rate. Walkers are processed {@code lanes} at a time.
     *
     * @param walkers current nodes, overwritten with the final ones; each must have an edge
     * @return the side the walkers end on
     */
    public Side advanceUniform(Side side, int[] walkers, int hops) {
        try {
            return advanceLanes(side, walkers, hops);
        } catch (IndexOutOfBoundsException e) {
            throw graph.explain(e);
        }
    }

    /** {@link #advanceUniform}'s loop. */
    private Side advanceLanes(Side side, int[] walkers, int hops) {
        BipartiteGraph g = graph;
        Side s = side;
        long touch = 0;
        for (int h = 0; h < hops; h++) {
            for (int base = 0; base < walkers.length; base += lanes) {
                int end = Math.min(walkers.length, base + lanes);
                for (int w = base; w < end; w++) {
                    touch += g.firstEdge(s, walkers[w]);
                }
                for (int w = base; w < end; w++) {
                    int u = walkers[w];
                    edge[w - base] = g.firstEdge(s, u) + rnd.nextInt(g.degree(s, u));
                }
                for (int w = base; w < end; w++) {
                    touch += g.neighborAt(s, edge[w - base]);
                }
                for (int w = base; w < end; w++) {
                    walkers[w] = g.neighborAt(s, edge[w - base]);
                }
            }
            s = s.opposite();
        }
        touched += touch;
        return s;
    }

    /**
     * Checks the first {@code count} of {@code ids}, nodes of {@code side} that a walk on {@code graph} reported,
     * against the side's node count. O(count).
     *
     * @throws RuntimeException {@link BipartiteGraph#explain}'s account of the damage if one lies outside the side
     */
    static void checkReported(BipartiteGraph graph, Side side, int[] ids, int count) {
        int n = graph.nodeCount(side);
        for (int i = 0; i < count; i++) {
            if (ids[i] < 0 || ids[i] >= n) {
                throw graph.explain(new IndexOutOfBoundsException("walks reported node " + ids[i] + " of side " + side
                        + ", outside [0, " + n + ")"));
            }
        }
    }
}
