package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.csr.live.LiveView;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * Pixie: answers "which pins are related to these pins?" with biased random walks pin → board → pin on a
 * bipartite graph (pins on {@link Side#LEFT}, boards on {@link Side#RIGHT}).
 *
 * <p>For a query {(q, w_q)} with total budget N, each pin q walks N_q = N · w_q · s_q / Σ_r s_r steps, where
 * s_q = deg(q) · (C − ln deg(q)) and C is the largest pin degree: well-connected pins get more steps, but less
 * than linearly. With all weights 1 the budgets add up to N; weights below 1 shrink a pin's share. Each pin's
 * visits V_q are counted in a compact hash map and merged with the multi-hit booster
 * V[p] = (Σ_q √V_q[p])², which favours pins reached from several query pins; each pin's walk may stop early
 * once n_p pins have n_v visits. Query pins and the blocklist are filtered out of the top K.
 *
 * <p>Threading: an engine is immutable and any number of threads may query it at once; each query takes a
 * scratch (walkers, maps, selector) from the engine's {@link ScratchPool} and gives it back, so the steady state
 * allocates nothing when the caller reuses its {@link PixieResult} (with up to twice as many concurrent queries as
 * processors; beyond that, extra scratches are made and dropped), and nothing of the engine (its graph or table)
 * stays reachable from the querying threads once the engine is dropped. The graph must stay unchanged while the
 * engine is in use, except a {@link LiveGraph}'s: each scratch of a live engine walks its own {@link LiveView}, refreshed
 * when a query starts, so a query sees every batch acknowledged before it and one unchanging graph throughout.
 *
 * <p>Determinism: each query pin walks from a generator seeded with {@link #pinSeed(long, int)}, so a query's
 * result depends on the graph, the edge chooser (or the table), the lane count and the query only, not on the
 * thread.
 *
 * <p>Cost: O(N) walk steps, two hops each (two dependent graph reads per hop over CSR, one over a
 * {@link WalkTable}), plus O(distinct pins visited) for merging and selection. A table engine counts visits
 * under node keys and turns only the reported keys back into ids (O(1) each); it breaks ties in score by key, that
 * is by (degree, id), where the CSR engine breaks them by id.
 * Errors: {@link IllegalArgumentException} naming the pin for ids outside the graph; a query whose pins have
 * no edges returns an empty result; walks that run into a damaged store throw as {@link RandomWalker} says.
 */
public final class PixieEngine {

    /** Walkers stepped together per thread unless told otherwise. */
    public static final int DEFAULT_LANES = 32;

    private final BipartiteGraph graph;
    private final LiveGraph live;
    private final WalkTable table;
    private final ScratchPool<Scratch> scratch;

    /** An engine with uniform neighbour choice and {@link #DEFAULT_LANES} lanes. */
    public PixieEngine(BipartiteGraph graph) {
        this(graph, UniformEdgeChooser.INSTANCE, DEFAULT_LANES);
    }

    /**
     * @param chooser the bias of every step ({@link WeightedEdgeChooser} for edge weights, {@link BiasedEdgeChooser}
     *                for a bias function)
     * @param lanes   walkers stepped together per thread, see {@link RandomWalker}
     */
    public PixieEngine(BipartiteGraph graph, EdgeChooser chooser, int lanes) {
        this.graph = Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(chooser, "chooser");
        this.live = null;
        this.table = null;
        this.scratch = new ScratchPool<>(() -> new Scratch(new RandomWalker(graph, chooser, lanes), null));
        scratch.give(scratch.take()); // validates lanes now rather than on first query, and keeps the scratch
    }

    /**
     * An engine that walks over a {@link WalkTable}: one dependent read per hop instead of two, for about 8 bytes per
     * edge of extra memory. Its answers have the same distribution as the uniform CSR engine's, not the same walks for
     * a seed. On a {@link WalkTable#weighted} table it follows the edge weights, as the CSR engine with a
     * {@link WeightedEdgeChooser} does: two dependent reads per hop instead of three.
     *
     * @param lanes walkers stepped together per thread, see {@link TableWalker}
     */
    public PixieEngine(WalkTable table, int lanes) {
        this.table = Objects.requireNonNull(table, "table");
        this.graph = table.graph();
        this.live = null;
        this.scratch = new ScratchPool<>(() -> new Scratch(null, new TableWalker(table, lanes)));
        scratch.give(scratch.take()); // validates lanes now rather than on first query, and keeps the scratch
    }

    /**
     * An engine over a live graph's base and recent edges, over CSR. Each scratch walks a view of its own with the
     * chooser {@code chooser} makes for it ({@code view -> UniformEdgeChooser.INSTANCE}, or a
     * {@link BiasedEdgeChooser} over the view); a {@link WeightedEdgeChooser}'s alias tables describe one fixed graph
     * and cannot follow it. The base's part of a walk costs what it costs over the base, plus the checks
     * {@link LiveView} describes.
     *
     * @param lanes walkers stepped together per thread, see {@link RandomWalker}
     */
    public PixieEngine(LiveGraph live, Function<BipartiteGraph, EdgeChooser> chooser, int lanes) {
        this.live = Objects.requireNonNull(live, "live");
        Objects.requireNonNull(chooser, "chooser");
        this.graph = null;
        this.table = null;
        this.scratch = new ScratchPool<>(() -> {
            LiveView view = live.view();
            try {
                return new Scratch(new RandomWalker(view, chooser.apply(view), lanes), null);
            } finally {
                view.release(); // an idle scratch holds no lease: each query refreshes its view
            }
        });
        scratch.give(scratch.take()); // validates lanes now rather than on first query, and keeps the scratch
    }

    /**
     * The graph queried; for a live engine, a view of it as of now, holding a lease on the live graph's current
     * generation until the caller {@linkplain LiveView#release() releases} it.
     */
    public BipartiteGraph graph() {
        return live != null ? live.view() : graph;
    }

    /** Answers {@code query} in a new result. */
    public PixieResult query(PixieQuery query) {
        PixieResult out = new PixieResult();
        query(query, out);
        return out;
    }

    /**
     * Answers {@code query} into {@code out}, overwriting it.
     *
     * @throws IllegalArgumentException if a query pin is not a pin of the graph
     */
    public void query(PixieQuery query, PixieResult out) {
        Scratch s = scratch.take();
        // A live engine's view is refreshed here, once: the query sees the graph as of its start throughout, and
        // holds a lease on that graph's generation until it ends, so a compaction cannot unmap it underneath.
        LiveView view = s.walker != null && s.walker.graph() instanceof LiveView v ? v.refresh() : null;
        BipartiteGraph g = view != null ? view : graph;
        IllegalArgumentException outOfRange;
        try {
            outOfRange = outOfRange(query, g.nodeCount(Side.LEFT));
            if (outOfRange == null) {
                answer(query, s, g, out);
            }
        } finally {
            // Before the scratch goes back: once pooled, another thread may refresh this view, and a release after
            // that would end its lease instead of ours.
            if (view != null) {
                view.release();
            }
        }
        scratch.give(s); // not after a throw from answer: a scratch left half-way is dropped
        if (outOfRange != null) {
            throw outOfRange;
        }
    }

    /** The error for the first query pin outside {@code [0, pinCount)}, or null if all lie inside. */
    private static IllegalArgumentException outOfRange(PixieQuery query, int pinCount) {
        for (int i = 0; i < query.pins.length; i++) {
            if (query.pins[i] >= pinCount) {
                return new IllegalArgumentException("pin[" + i + "]=" + query.pins[i] + ": out of range [0, "
                        + pinCount + ") of the graph's pins");
            }
        }
        return null;
    }

    private void answer(PixieQuery query, Scratch s, BipartiteGraph g, PixieResult out) {
        s.begin(query);
        double c = g.maxDegree(Side.LEFT);
        double total = 0;
        for (int q : query.pins) {
            total += stepWeight(g.degree(Side.LEFT, q), c);
        }
        long taken = 0;
        if (total > 0) {
            boolean single = query.pins.length == 1;
            VisitMap boards = query.topBoards > 0 ? s.boards : null;
            for (int i = 0; i < query.pins.length; i++) {
                int q = query.pins[i];
                long budget = Math.round(query.steps * query.weights[i] * stepWeight(g.degree(Side.LEFT, q), c) / total);
                VisitMap target = single ? s.scores : s.visits;
                target.clear();
                taken += s.walk(q, budget, query, target, boards);
                if (!single) {
                    merge(s.visits, s.scores, query.boost);
                }
            }
            if (!single && query.boost) {
                ScoreVectors.square(s.scores.values(), s.scores.size());
            }
        }
        out.stepsTaken = taken;
        // Sized by what was visited, not by K: a K beyond the graph (or the walk) just means "all of them".
        out.ensureCapacity(Math.min(query.topPins, s.scores.size()), Math.min(query.topBoards, s.boards.size()));
        out.pinCount = s.selector.select(s.scores, query.topPins, s, out.pins, out.pinScores);
        out.boardCount = query.topBoards == 0 ? 0
                : s.selector.select(s.boards, query.topBoards, NodeFilter.ALL, out.boards, out.boardScores);
        if (table != null) {
            toNodes(Side.LEFT, out.pins, out.pinCount);
            toNodes(Side.RIGHT, out.boards, out.boardCount);
        } else {
            RandomWalker.checkReported(g, Side.LEFT, out.pins, out.pinCount);
            RandomWalker.checkReported(g, Side.RIGHT, out.boards, out.boardCount);
        }
    }

    /** Turns the reported keys of a table engine back into ids, in place; the ranking stays that of the keys. */
    private void toNodes(Side side, int[] keys, int count) {
        for (int i = 0; i < count; i++) {
            keys[i] = table.node(side, keys[i]);
        }
    }

    /** The seed of query pin {@code pin}'s walks in a query seeded with {@code querySeed}. */
    public static long pinSeed(long querySeed, int pin) {
        return querySeed * 0x9E3779B97F4A7C15L + pin;
    }

    /** s_q = deg(q) · (C − ln deg(q)); 0 for a pin without edges, which therefore walks nowhere. */
    static double stepWeight(int degree, double maxDegree) {
        return degree == 0 ? 0 : degree * (maxDegree - Math.log(degree));
    }

    /** Adds one query pin's visits into the running scores: √V_q[p] when boosting, V_q[p] otherwise. */
    private static void merge(VisitMap visits, VisitMap scores, boolean boost) {
        if (boost) {
            ScoreVectors.sqrt(visits.values(), visits.size());
        }
        for (int i = 0, n = visits.size(); i < n; i++) {
            scores.add(visits.keyAt(i), visits.valueAt(i));
        }
    }

    /**
     * State of one query at a time; also the result filter of that query. Visits are counted under
     * node keys: the ids for a CSR engine, {@link WalkTable#key} for a table engine; the filter works on keys.
     */
    private static final class Scratch implements NodeFilter {
        final RandomWalker walker;
        final TableWalker tableWalker;
        final VisitMap visits = new VisitMap(1 << 12);
        final VisitMap scores = new VisitMap(1 << 12);
        final VisitMap boards = new VisitMap(1 << 10);
        final TopSelector selector = new TopSelector();
        private int[] queryKeys = new int[8];
        private int queryKeyCount;
        private boolean excludeQueryPins;
        private int[] blockKeys = new int[8];
        private int blockKeyCount;

        Scratch(RandomWalker walker, TableWalker tableWalker) {
            this.walker = walker;
            this.tableWalker = tableWalker;
        }

        void begin(PixieQuery query) {
            scores.clear();
            boards.clear();
            excludeQueryPins = query.excludeQueryPins;
            queryKeys = atLeast(queryKeys, query.pins.length);
            queryKeyCount = keysOf(query.pins, queryKeys);
            blockKeys = atLeast(blockKeys, query.blocklist.length);
            blockKeyCount = keysOf(query.blocklist, blockKeys);
        }

        private static int[] atLeast(int[] array, int length) {
            return array.length >= length ? array : new int[length];
        }

        /**
         * Writes the keys of the pins in {@code ids} that can be visited (in range, with edges) into {@code keys},
         * sorted, and returns how many.
         */
        private int keysOf(int[] ids, int[] keys) {
            BipartiteGraph g = walker != null ? walker.graph() : tableWalker.table().graph();
            int pinCount = g.nodeCount(Side.LEFT);
            int n = 0;
            for (int id : ids) {
                if (id >= 0 && id < pinCount && g.degree(Side.LEFT, id) > 0) {
                    keys[n++] = tableWalker == null ? id : tableWalker.table().key(Side.LEFT, id);
                }
            }
            if (tableWalker != null) {
                Arrays.sort(keys, 0, n); // table keys do not follow the ids' order
            }
            return n;
        }

        long walk(int pin, long budget, PixieQuery query, VisitMap target, VisitMap boards) {
            long seed = pinSeed(query.seed, pin);
            if (walker != null) {
                walker.random().reseed(seed);
                return walker.walk(Side.LEFT, pin, budget, query.alpha, target, boards,
                        query.earlyStopPins, query.earlyStopVisits);
            }
            tableWalker.random().reseed(seed);
            return tableWalker.walk(Side.LEFT, pin, budget, query.alpha, target, boards,
                    query.earlyStopPins, query.earlyStopVisits);
        }

        @Override
        public boolean accept(int key) {
            if (blockKeyCount > 0 && Arrays.binarySearch(blockKeys, 0, blockKeyCount, key) >= 0) {
                return false;
            }
            if (excludeQueryPins) {
                for (int i = 0; i < queryKeyCount; i++) {
                    if (queryKeys[i] == key) {
                        return false;
                    }
                }
            }
            return true;
        }
    }
}
