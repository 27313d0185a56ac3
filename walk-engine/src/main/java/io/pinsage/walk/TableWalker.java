package io.pinsage.walk;

import io.pinsage.csr.Side;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.LongStream;

/**
 * The step loop over a {@link WalkTable}: the same walks with restarts as {@link RandomWalker}, one
 * dependent random read per hop instead of two, visits counted by node <em>key</em> ({@link WalkTable#key}). On a
 * {@link WalkTable#weighted} table the walks follow the edge weights: the drawn slot is kept or replaced by its alias
 * before the gather, two dependent reads per hop instead of CSR's three.
 *
 * <p>{@code lanes} walkers advance in lockstep, and every hop is two passes over the lanes: a draw pass that
 * picks each lane's edge from the key it holds (the degree from the table's cache-resident index; one 64-bit
 * random output split into two 32-bit draws for two lanes, each bounded by a multiply-high; the outputs are
 * reserved up front so lanes do not wait on one another through the generator), computed with SIMD over the
 * lanes, then a gather pass that only reads each lane's slot. The gather pass is the same
 * few instructions per lane as a pointer-chasing probe, so the reorder window keeps every lane's miss in flight
 * at once; 256 lanes keep the processor's outstanding-miss buffers full. In {@link #walk} the visit counts of
 * one round are added after the next round's first gather has issued its misses, so the visit map's work
 * overlaps them.
 *
 * <p>Not thread-safe: one instance per thread, reused across walks; it allocates nothing after construction.
 * Reproducible: the visits depend only on the graph, the lane count and the seed passed to
 * {@link #random()}{@code .reseed}; they differ from {@link RandomWalker}'s for the same seed, with the same
 * distribution.
 */
public final class TableWalker {

    /** Lanes that keep the processor's outstanding misses full: 256 beat 64, and 512 did not beat 256 (BENCHMARKS.md). */
    public static final int DEFAULT_LANES = 256;

    private static final long LOW = 0xFFFF_FFFFL;
    /** Lanes from which a gather runs in {@link #gatherWide}, whose loop only ever sees wide trip counts. */
    private static final int WIDE = 64;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, INTS.vectorShape());
    /** (t + 1)·γ in lane t: added to a base, the Weyl states of LONGS.length() consecutive outputs. */
    private static final LongVector OUTPUT_STEPS = LongVector.fromArray(LONGS,
            LongStream.range(1, LONGS.length() + 1).map(t -> t * WalkRandom.GOLDEN_GAMMA).toArray(), 0);

    private final WalkTable table;
    private final WalkRandom rnd = new WalkRandom(0);
    private final int lanes;
    private final int[] position;
    private final int[] opposite;
    private final int[] edge;
    private final int[] scratch;
    private final KeyTally tally = new KeyTally();
    private final KeyTally oppositeTally = new KeyTally();
    private final boolean[] restart;
    /** Sum of the alias entries the touch pass read, so that its loads are not removed as dead code. */
    private long touched;

    /**
     * @param lanes walkers stepped together, 1 to 1024
     * @throws IllegalArgumentException if {@code lanes} is out of range
     */
    public TableWalker(WalkTable table, int lanes) {
        this.table = Objects.requireNonNull(table, "table");
        if (lanes < 1 || lanes > 1024) {
            throw new IllegalArgumentException("lanes=" + lanes + ": must lie in [1, 1024]");
        }
        this.lanes = lanes;
        position = new int[lanes];
        opposite = new int[lanes];
        edge = new int[lanes];
        scratch = new int[lanes];
        restart = new boolean[lanes];
    }

    /** The table walked. */
    public WalkTable table() {
        return table;
    }

    /** This walker's generator: reseed it before a walk to make the walk reproducible. */
    public WalkRandom random() {
        return rnd;
    }

    /**
     * Walks from {@code source} as {@link RandomWalker#walk} does (uniformly, or by weight on a weighted table), but
     * adds the visits under node keys: {@code visits} gets {@link WalkTable#key} of each S node landed on,
     * {@code oppositeVisits} (if not null) of each opposite node passed. The restart probability is applied with
     * 32-bit resolution.
     *
     * @return the number of steps taken: {@code steps}, fewer after an early stop, 0 if the source has no edges
     */
    public long walk(Side side, int source, long steps, double alpha, VisitMap visits, VisitMap oppositeVisits,
                     int earlyStopNodes, int earlyStopVisits) {
        int start = table.key(side, source);
        if (steps <= 0 || start < 0) {
            return 0;
        }
        int[] out = table.slots(side);
        int[] back = table.slots(side.opposite());
        WalkTable.Layout here = table.layout(side);
        WalkTable.Layout there = table.layout(side.opposite());
        long[] aliasOut = table.aliases(side);
        long[] aliasBack = table.aliases(side.opposite());
        // Restart when a 32-bit draw falls below alpha·2^32 (alpha = 1 gives 2^32: always).
        long restartBelow = (long) (alpha * 0x1p32);
        Arrays.fill(restart, true);
        float stopAt = earlyStopVisits;
        int reached = 0;
        long taken = 0;
        // Without an early stop no visit count is needed before the end: the keys are collected and counted in
        // bulk (KeyTally), far cheaper than a map update per visit. An early stop needs every count as it grows.
        boolean tallying = earlyStopNodes <= 0;
        // Software pipelined: the S nodes landed on in one round are counted after the next round's first gather
        // has issued its misses, so the visit map's work overlaps them. A restart is therefore remembered in
        // restart[] and applied by the next draw, after the node landed on has been counted.
        int pending = 0;
        while (true) {
            int active = (int) Math.min(lanes, steps - taken);
            if (oppositeVisits != null) {
                if (tallying) {
                    oppositeTally.append(opposite, pending, oppositeVisits);
                } else {
                    for (int w = 0; w < pending; w++) {
                        oppositeVisits.add(opposite[w], 1f);
                    }
                }
            }
            // opposite[] is free until the gather refills it: it holds where each lane steps from.
            for (int w = 0; w < active; w++) {
                opposite[w] = restart[w] ? start : position[w];
            }
            draw(here, opposite, active);
            if (aliasOut != null) {
                alias(aliasOut, opposite, active);
            }
            gather(out, opposite, active);
            if (tallying) {
                tally.append(position, pending, visits);
            } else {
                for (int w = 0; w < pending; w++) {
                    if (visits.add(position[w], 1f) == stopAt) {
                        reached++;
                    }
                }
            }
            if (active == 0 || (earlyStopNodes > 0 && reached >= earlyStopNodes)) {
                if (tallying) {
                    tally.flush(visits);
                    if (oppositeVisits != null) {
                        oppositeTally.flush(oppositeVisits);
                    }
                }
                return taken;
            }
            draw(there, opposite, active);
            if (aliasBack != null) {
                alias(aliasBack, opposite, active);
            }
            gather(back, position, active);
            long base = rnd.reserve((active + 1) >>> 1);
            int pairs = active >>> 1;
            for (int i = 0; i < pairs; i++) {
                long r = WalkRandom.outputAt(base, i);
                restart[2 * i] = (r & LOW) < restartBelow;
                restart[2 * i + 1] = (r >>> 32) < restartBelow;
            }
            if ((active & 1) != 0) {
                restart[active - 1] = (WalkRandom.outputAt(base, pairs) & LOW) < restartBelow;
            }
            taken += active;
            pending = active;
        }
    }

    /**
     * Advances every walker by {@code hops} single edges, alternating sides, uniformly and without restarts: the
     * bare step loop, for measuring against the machine's random-read rate. Walkers are processed {@code lanes}
     * at a time.
     *
     * @param walkers keys ({@link WalkTable#key}) of the walkers' current nodes, overwritten with the final ones;
     *                each must be a node's key (a node with edges)
     * @return the side the walkers end on
     */
    public Side advanceUniform(Side side, int[] walkers, int hops) {
        int[] here = table.slots(side);
        int[] there = table.slots(side.opposite());
        WalkTable.Layout hereLayout = table.layout(side);
        WalkTable.Layout thereLayout = table.layout(side.opposite());
        int[] lane = position;
        for (int base = 0; base < walkers.length; base += lanes) {
            int count = Math.min(lanes, walkers.length - base);
            System.arraycopy(walkers, base, lane, 0, count);
            for (int h = 0; h < hops; h++) {
                boolean even = (h & 1) == 0;
                draw(even ? hereLayout : thereLayout, lane, count);
                gather(even ? here : there, lane, count);
            }
            System.arraycopy(lane, 0, walkers, base, count);
        }
        return hops % 2 == 0 ? side : side.opposite();
    }

    /**
     * Picks each lane's edge: its node's key (first slot) plus a uniform draw below its degree, looked up in the
     * layout's cache-resident index ({@link WalkTable.Layout#degree}). No branch, so no misprediction flushes the
     * gathers in flight, and SIMD over the lanes (Vector API), so the pass between two gathers is short: 1.27–1.3×
     * the walk rate of the same loop lane by lane (BENCHMARKS.md). Three passes, because a gather's indices come
     * from an array: bucket numbers, then run numbers, then degrees, random bits and edges. Every lane gets exactly
     * the edge the scalar tail would give it, whatever the vector width.
     */
    private void draw(WalkTable.Layout layout, int[] from, int count) {
        long base = rnd.reserve((count + 1) >>> 1);
        int vectorLanes = INTS.loopBound(count);
        if (vectorLanes > 0) {
            drawVectors(layout, from, vectorLanes, base);
        }
        int[] e = edge;
        int[] bucket = layout.bucket;
        int[] degree = layout.runDegree;
        int shift = layout.shift;
        for (int w = vectorLanes; w < count; w++) {
            long r = WalkRandom.outputAt(base, w >>> 1);
            int k = from[w];
            e[w] = pick(k, WalkTable.Layout.degree(bucket, degree, shift, k), (w & 1) == 0 ? r & LOW : r >>> 32);
        }
    }

    /**
     * The SIMD part of {@link #draw}: lanes {@code [0, vectorLanes)}, a whole number of vectors. A method of its
     * own, called only when there is a vector's worth of lanes, so that the compiler always profiles its loops as
     * taken: compiled into {@code draw} after a phase of walks narrower than a vector, they were left cold, the
     * vector calls were not inlined, and every vector was then allocated on the heap.
     */
    private void drawVectors(WalkTable.Layout layout, int[] from, int vectorLanes, long base) {
        int[] e = edge;
        int[] index = scratch;
        int[] bucket = layout.bucket;
        int[] degree = layout.runDegree;
        int shift = layout.shift;
        int mask = (1 << shift) - 1;
        for (int w = 0; w < vectorLanes; w += INTS.length()) {
            IntVector.fromArray(INTS, from, w).lanewise(VectorOperators.LSHR, shift).intoArray(index, w);
        }
        for (int w = 0; w < vectorLanes; w += INTS.length()) {
            IntVector offset = IntVector.fromArray(INTS, from, w).and(mask);
            IntVector entry = IntVector.fromArray(INTS, bucket, 0, index, w);
            IntVector pastSplit = entry.and(0xFFFF).sub(offset).lanewise(VectorOperators.LSHR, 31);
            entry.lanewise(VectorOperators.LSHR, 16).add(pastSplit).intoArray(index, w);
        }
        for (int w = 0; w < vectorLanes; w += INTS.length()) {
            LongVector d = IntVector.fromArray(INTS, degree, 0, index, w).reinterpretAsLongs();
            // Output w/2 + t for the lane pair (w + 2t, w + 2t + 1): its low half draws for the even lane, its high
            // half for the odd one, as in the scalar tail.
            LongVector r = mix(LongVector.broadcast(LONGS, base + (w >>> 1) * WalkRandom.GOLDEN_GAMMA).add(OUTPUT_STEPS));
            LongVector even = r.and(LOW).mul(d.and(LOW)).lanewise(VectorOperators.LSHR, 32);
            LongVector odd = r.lanewise(VectorOperators.LSHR, 32).mul(d.lanewise(VectorOperators.LSHR, 32)).and(~LOW);
            IntVector.fromArray(INTS, from, w).add(even.or(odd).reinterpretAsInts()).intoArray(e, w);
        }
    }

    /** {@link WalkRandom}'s output function, lane-wise. */
    private static LongVector mix(LongVector z) {
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(WalkRandom.MIX1);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(WalkRandom.MIX2);
        return z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
    }

    /**
     * The weighted table's second draw: each lane's uniformly drawn slot is kept, or replaced by its alias, by a
     * 32-bit coin below the slot's threshold (one output split into two coins for two lanes, as in the draw pass).
     * The entries are read first by a loop of one load per lane, so that their misses overlap as the gather's do;
     * the choice then finds them in cache and is arithmetic, without a branch whose outcome is a coin toss.
     *
     * @param from the lanes' current keys, where their runs start
     */
    private void alias(long[] alias, int[] from, int count) {
        int[] e = edge;
        long touch = 0;
        for (int w = 0; w < count; w++) {
            touch += alias[e[w]];
        }
        long base = rnd.reserve((count + 1) >>> 1);
        for (int w = 0; w < count; w++) {
            long r = WalkRandom.outputAt(base, w >>> 1);
            long coin = (w & 1) == 0 ? r & LOW : r >>> 32;
            long entry = alias[e[w]];
            // keep = all ones when the coin is below the threshold; a slot kept with probability 1 is its own alias
            int keep = (int) ((coin - (entry >>> 32)) >> 63);
            e[w] = (e[w] & keep) | ((from[w] + (int) entry) & ~keep);
        }
        touched += touch;
    }

    /**
     * Only the miss-prone reads, nothing else, so that the reorder window holds many lanes' loads at once. Runs of
     * fewer than {@link #WIDE} lanes take a loop of their own: the compiler shapes a loop by the trip counts it has
     * seen, and one shared with one-lane walks ran a 256-lane walk 16% slower in the same process (BENCHMARKS.md).
     */
    private void gather(int[] slots, int[] to, int count) {
        if (count >= WIDE) {
            gatherWide(slots, to, count);
        } else {
            gatherNarrow(slots, to, count);
        }
    }

    private void gatherWide(int[] slots, int[] to, int count) {
        int[] e = edge;
        for (int w = 0; w < count; w++) {
            to[w] = slots[e[w]];
        }
    }

    private void gatherNarrow(int[] slots, int[] to, int count) {
        int[] e = edge;
        for (int w = 0; w < count; w++) {
            to[w] = slots[e[w]];
        }
    }

    /** The edge at uniform position {@code bits / 2^32} of the node's range (Lemire's multiply-high). */
    private static int pick(int key, int degree, long bits) {
        return key + (int) ((bits * degree) >>> 32);
    }
}
