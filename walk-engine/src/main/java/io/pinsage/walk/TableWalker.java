package io.pinsage.walk;

import io.pinsage.csr.Side;

import java.util.Arrays;
import java.util.Objects;

/**
 * The uniform step loop over a {@link WalkTable}: the same walks with restarts as {@link RandomWalker}, one
 * dependent random read per hop instead of two, visits counted by node <em>key</em> ({@link WalkTable#key}).
 *
 * <p>{@code lanes} walkers advance in lockstep, and every hop is two passes over the lanes: a draw pass that
 * picks each lane's edge from the state it holds (one 64-bit random output split into two 32-bit draws for two
 * lanes, each bounded by a multiply-high; the outputs are reserved up front so lanes do not wait on one another
 * through the generator), then a gather pass that only reads each lane's slot. The gather pass is the same
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

    private final WalkTable table;
    private final WalkRandom rnd = new WalkRandom(0);
    private final int lanes;
    private final long[] position;
    private final long[] opposite;
    private final int[] edge;
    private final boolean[] restart;

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
        position = new long[lanes];
        opposite = new long[lanes];
        edge = new int[lanes];
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
     * Walks from {@code source} as {@link RandomWalker#walk} does, uniformly, but adds the visits under node
     * keys: {@code visits} gets {@link WalkTable#key(long)} of each S node landed on, {@code oppositeVisits} (if
     * not null) of each opposite node passed. The restart probability is applied with 32-bit resolution.
     *
     * @return the number of steps taken: {@code steps}, fewer after an early stop, 0 if the source has no edges
     */
    public long walk(Side side, int source, long steps, double alpha, VisitMap visits, VisitMap oppositeVisits,
                     int earlyStopNodes, int earlyStopVisits) {
        long start = table.state(side, source);
        if (steps <= 0 || WalkTable.degree(start) == 0) {
            return 0;
        }
        long[] out = table.slots(side);
        long[] back = table.slots(side.opposite());
        // Restart when a 32-bit draw falls below alpha·2^32 (alpha = 1 gives 2^32: always).
        long restartBelow = (long) (alpha * 0x1p32);
        Arrays.fill(restart, true);
        float stopAt = earlyStopVisits;
        int reached = 0;
        long taken = 0;
        // Software pipelined: the S nodes landed on in one round are counted after the next round's first gather
        // has issued its misses, so the visit map's work overlaps them. A restart is therefore remembered in
        // restart[] and applied by the next draw, after the node landed on has been counted.
        int pending = 0;
        while (true) {
            int active = (int) Math.min(lanes, steps - taken);
            if (oppositeVisits != null) {
                for (int w = 0; w < pending; w++) {
                    oppositeVisits.add(WalkTable.key(opposite[w]), 1f);
                }
            }
            // opposite[] is free until the gather refills it: it holds where each lane steps from.
            for (int w = 0; w < active; w++) {
                opposite[w] = restart[w] ? start : position[w];
            }
            draw(opposite, active);
            gather(out, opposite, active);
            for (int w = 0; w < pending; w++) {
                if (visits.add(WalkTable.key(position[w]), 1f) == stopAt) {
                    reached++;
                }
            }
            if (active == 0 || (earlyStopNodes > 0 && reached >= earlyStopNodes)) {
                return taken;
            }
            draw(opposite, active);
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
     * @param walkers states ({@link WalkTable#state}) of the walkers' current nodes, overwritten with the final
     *                ones; each node must have an edge
     * @return the side the walkers end on
     */
    public Side advanceUniform(Side side, long[] walkers, int hops) {
        long[] here = table.slots(side);
        long[] there = table.slots(side.opposite());
        long[] lane = position;
        for (int base = 0; base < walkers.length; base += lanes) {
            int count = Math.min(lanes, walkers.length - base);
            System.arraycopy(walkers, base, lane, 0, count);
            for (int h = 0; h < hops; h++) {
                draw(lane, count);
                gather((h & 1) == 0 ? here : there, lane, count);
            }
            System.arraycopy(lane, 0, walkers, base, count);
        }
        return hops % 2 == 0 ? side : side.opposite();
    }

    /** Picks each lane's edge: its node's first edge plus a uniform draw below its degree. */
    private void draw(long[] from, int count) {
        int[] e = edge;
        long base = rnd.reserve((count + 1) >>> 1);
        int pairs = count >>> 1;
        for (int i = 0; i < pairs; i++) {
            long r = WalkRandom.outputAt(base, i);
            int w = i << 1;
            e[w] = pick(from[w], r & LOW);
            e[w + 1] = pick(from[w + 1], r >>> 32);
        }
        if ((count & 1) != 0) {
            e[count - 1] = pick(from[count - 1], WalkRandom.outputAt(base, pairs) & LOW);
        }
    }

    /** Only the miss-prone reads, nothing else, so that the reorder window holds many lanes' loads at once. */
    private void gather(long[] slots, long[] to, int count) {
        int[] e = edge;
        for (int w = 0; w < count; w++) {
            to[w] = slots[e[w]];
        }
    }

    /** The edge at uniform position {@code bits / 2^32} of the node's range (Lemire's multiply-high). */
    private static int pick(long state, long bits) {
        return (int) ((state >>> 32) + ((bits * (state & LOW)) >>> 32));
    }
}
