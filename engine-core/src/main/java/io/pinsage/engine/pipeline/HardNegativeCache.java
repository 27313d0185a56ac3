package io.pinsage.engine.pipeline;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.engine.train.HardNegatives;
import io.pinsage.walk.HardNegativeSampler;
import io.pinsage.walk.ScratchPool;
import io.pinsage.walk.WalkTable;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * PinSage's hard negatives, from the walk engine's personalised-PageRank band, ranked when a sampler thread first asks
 * for a query and kept in a cache of bounded size: a query's band is ranked ({@code steps} walk steps over the graph),
 * {@code keep} members are drawn and stored, and later draws pick among them. The ranking and the stored members are
 * a function of (graph, band, query, seed) alone, so a batch's hard negatives do not depend on which thread ranked a
 * band, when, or whether it was evicted and ranked again.
 *
 * <p>Queries and negatives are unified node ids (left side first, then the right side offset by the left count) of
 * one side each: pins for pins (the pin–board model), or items for users (the user–item model, whose band leaves out
 * the user's own items; see {@link HardNegativeSampler}). A query of another side has no hard negatives.
 *
 * <p>The cache is direct-mapped: a query hashes to one of {@link #capacity()} slots, and a new band replaces the one
 * there. Memory: at most {@code budgetBytes} (about {@link #rowBytes} per slot), whatever the number of nodes.
 * Whether to cache at all is a matter of reuse: the curriculum draws hard negatives from its second epoch on, so a
 * band is reused only when its query is the query of several pairs of those epochs.
 *
 * <p>Walks: over a {@link WalkTable} of the graph (one read per hop instead of two, 256 lanes; several times faster)
 * when the graph has at most {@link #TABLE_MAX_EDGES} edges, built on the first miss; over the mapped graph itself
 * above that. The rule looks at the graph only, never at free memory, so every process that trains or samples on
 * one store walks the same way and draws the same negatives. The table's heap is bounded by the rule: about
 * {@code 8 × TABLE_MAX_EDGES} bytes plus 8 per node.
 *
 * <p>Thread-safe: each ranking takes a walker of its own from a pool that goes with the cache (no thread keeps the
 * graph reachable afterwards); two threads ranking the same pin at once compute the same band. Cost per draw: one
 * slot read on a hit, a ranking ({@code steps} walk steps, about 1 ms at 20,000 steps on a 2 M-edge graph) on a miss.
 */
final class HardNegativeCache implements HardNegatives {

    /** Heap bytes of one cached band beyond its members: the slot's reference, the band object and the array's header. */
    private static final int BAND_OVERHEAD = 4 + 24 + 16;

    /** The largest graph whose ranking walks go over a walk table (about 270 MB of heap at this size). */
    static final long TABLE_MAX_EDGES = 1L << 25;

    /** Band members kept per query when training: {@value}. */
    static final int KEPT = 16;

    /** Heap for the bands when training: 64 MiB, about 620,000 bands of {@value #KEPT} members, whatever the graph's size. */
    static final long BUDGET_BYTES = 64L << 20;

    /** One query's stored band members. */
    private record Band(int query, int[] members) {
    }

    /** Unified ids of the query side: {@code [queryFrom, queryFrom + queryCount)}. */
    private final int queryFrom;
    private final int queryCount;
    /** Unified id of the negative side's node 0. */
    private final int negativeFrom;
    private final AtomicReferenceArray<Band> slots;
    private final ScratchPool<HardNegativeSampler> samplers;
    private final int keep;
    private final long seed;
    private final LongAdder ranked = new LongAdder();
    private final LongAdder reused = new LongAdder();

    /**
     * Pins for pin queries (both on the left side).
     *
     * @param keep        band members kept per query, drawn uniformly from the band
     * @param budgetBytes heap the cache may take; at least one slot is kept
     * @throws IllegalArgumentException naming the parameter if {@code keep < 1} or {@code budgetBytes < 0}, or as
     *                                  {@link HardNegativeSampler} for a band out of range
     */
    HardNegativeCache(BipartiteGraph graph, HardNegativeBand band, int keep, long seed, long budgetBytes) {
        this(graph, Side.LEFT, Side.LEFT, band, keep, seed, budgetBytes, TABLE_MAX_EDGES);
    }

    /**
     * Negatives of side {@code negatives} for queries of side {@code queries}, walking over a table for graphs of at
     * most {@code tableMaxEdges} edges.
     *
     * @throws IllegalArgumentException as above
     */
    HardNegativeCache(BipartiteGraph graph, Side queries, Side negatives, HardNegativeBand band, int keep, long seed,
                      long budgetBytes, long tableMaxEdges) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep=" + keep + ": must be >= 1");
        }
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("budgetBytes=" + budgetBytes + ": must be >= 0");
        }
        this.queryFrom = firstId(graph, queries);
        this.queryCount = graph.nodeCount(queries);
        this.negativeFrom = firstId(graph, negatives);
        this.slots = new AtomicReferenceArray<>((int) Math.clamp(budgetBytes / rowBytes(keep), 1, Integer.MAX_VALUE - 8));
        // the first walker is made here, so that a band out of range fails now rather than on a sampler thread
        HardNegativeSampler first = new HardNegativeSampler(graph, queries, negatives, band.from(), band.to(),
                band.steps(), 0.5);
        if (graph.edgeCount() <= tableMaxEdges) {
            // built by the first sampler thread that misses, so a trainer whose batches come from elsewhere builds none
            Supplier<WalkTable> table = memoize(() -> WalkTable.of(graph));
            this.samplers = new ScratchPool<>(() -> new HardNegativeSampler(table.get(), queries, negatives, band.from(),
                    band.to(), band.steps(), 0.5));
        } else {
            this.samplers = new ScratchPool<>(() -> new HardNegativeSampler(graph, queries, negatives, band.from(),
                    band.to(), band.steps(), 0.5));
            this.samplers.give(first);
        }
        this.keep = keep;
        this.seed = seed;
    }

    /**
     * The cache a training run draws from ({@value #KEPT} members kept per query, {@link #BUDGET_BYTES} of heap), with
     * a line in {@code log} saying so.
     */
    static HardNegativeCache forTraining(BipartiteGraph graph, Side queries, Side negatives, HardNegativeBand band,
                                         long seed, Consumer<String> log) {
        HardNegativeCache hard = new HardNegativeCache(graph, queries, negatives, band, KEPT, seed, BUDGET_BYTES,
                TABLE_MAX_EDGES);
        log.accept(String.format(Locale.ROOT, "hard negatives: %s, ranked on the sampler threads as queries need them;"
                + " a cache of %,d bands (%d MiB)", band, hard.capacity(), BUDGET_BYTES >> 20));
        return hard;
    }

    /**
     * How a training run's hard negatives are drawn, for its {@link io.pinsage.engine.train.RunFingerprint}: the band
     * and the members kept, or "none" when the curriculum draws none.
     */
    static String fingerprint(int maxHardNegatives, HardNegativeBand band) {
        return maxHardNegatives > 0 ? band + " kept=" + KEPT : "none";
    }

    /** The unified id of {@code side}'s node 0: the left side comes first. */
    private static int firstId(BipartiteGraph graph, Side side) {
        return side == Side.LEFT ? 0 : graph.nodeCount(Side.LEFT);
    }

    /** {@code make}'s value, made once by the first caller; later callers wait for it. */
    private static <T> Supplier<T> memoize(Supplier<T> make) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = make.get();
                }
                return value;
            }
        };
    }

    /** Heap bytes one slot takes when it holds a band of {@code keep} members. */
    static long rowBytes(int keep) {
        return BAND_OVERHEAD + 4L * keep;
    }

    @Override
    public int sample(int query, SplittableRandom rnd) {
        if (query < queryFrom || query - queryFrom >= queryCount) {
            return -1;
        }
        int[] members = members(query);
        return members.length == 0 ? -1 : negativeFrom + members[rnd.nextInt(members.length)];
    }

    private int[] members(int query) {
        int slot = slot(query);
        Band b = slots.get(slot);
        if (b != null && b.query() == query) {
            reused.increment();
            return b.members();
        }
        HardNegativeSampler sampler = samplers.take();
        int[] buf = new int[keep];
        int n = sampler.sample(query - queryFrom, keep, seed ^ (query * 0x9E3779B97F4A7C15L), buf);
        samplers.give(sampler); // not after a throw: a sampler left half-way is dropped
        int[] members = Arrays.copyOf(buf, n);
        slots.set(slot, new Band(query, members));
        ranked.increment();
        return members;
    }

    /** The query's slot: a mix of its id, so that queries of neighbouring ids spread over the slots. */
    private int slot(int query) {
        long h = (query + seed) * 0x9E3779B97F4A7C15L;
        return (int) Long.remainderUnsigned(h ^ (h >>> 29), slots.length());
    }

    /** Slots of the cache: the most bands it holds at once. */
    int capacity() {
        return slots.length();
    }

    /** Bands held now (a scan of the slots). */
    int resident() {
        int n = 0;
        for (int i = 0; i < slots.length(); i++) {
            n += slots.get(i) == null ? 0 : 1;
        }
        return n;
    }

    /** Bands ranked so far (draws that missed the cache). */
    long ranked() {
        return ranked.sum();
    }

    /** Draws served from the cache so far. */
    long reused() {
        return reused.sum();
    }
}
