package io.pinsage.csr.live;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.Side;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One base of a {@link LiveGraph} and the recent edges added on top of it: what a compaction replaces whole. The
 * published counts live here, beside the lists they describe, so that a reader bound to one generation never reads
 * another generation's counts against its lists.
 *
 * <p><b>Leases:</b> a reader {@linkplain #tryAcquire() acquires} the generation before it reads the base and
 * {@linkplain #release() releases} it after its last read. A generation that a compaction replaced is
 * {@linkplain #retire retired}: it refuses new leases (the reader then takes the current generation), and its store,
 * when it owns one, is closed (unmapped) by whichever of the last release and the retirement comes second. So no
 * reader can read a closed mapping: every read lies between an acquire and its release, and the close comes after
 * every release.
 *
 * <p>Threading: counts and lists as {@link LiveGraph} says (one writer, lock-free readers); leases from any thread,
 * one compare-and-set each.
 */
final class LiveGeneration {

    /** Lease state: twice the leases held, plus 1 once retired; {@link #CLOSED} after the close. */
    private static final int RETIRED = 1;
    private static final int CLOSED = -1;

    /** The store the base was opened from, or null for a graph without one (then it cannot be compacted). */
    final GraphStore store;
    /** Whether this generation closes {@link #store} when it is retired and released (a store a compaction opened). */
    private final boolean ownsStore;
    final BipartiteGraph base;
    final long baseEdges;
    final LiveIds leftIds;
    final LiveIds rightIds;
    final RecentAdjacency leftAdj;
    final RecentAdjacency rightAdj;
    private final AtomicInteger leases = new AtomicInteger();
    /** Run once by whichever thread closes a retired generation; set by {@link #retire} before the retired bit. */
    private Runnable onClosed;

    /** Recent edges visible to queries: the one published count (written last, with release). */
    volatile long published;
    volatile int leftNodes;
    volatile int rightNodes;
    volatile int maxLeftDegree;
    volatile int maxRightDegree;
    volatile boolean weighted;
    /** Edges put since the last publication (writer only). */
    int pendingEdges;

    LiveGeneration(GraphStore store, boolean ownsStore, BipartiteGraph base, IdMap leftMap, IdMap rightMap) {
        this.store = store;
        this.ownsStore = ownsStore;
        this.base = base;
        baseEdges = base.edgeCount();
        leftNodes = base.nodeCount(Side.LEFT);
        rightNodes = base.nodeCount(Side.RIGHT);
        leftIds = new LiveIds(Side.LEFT, leftMap, leftNodes);
        rightIds = new LiveIds(Side.RIGHT, rightMap, rightNodes);
        leftAdj = new RecentAdjacency(leftNodes);
        rightAdj = new RecentAdjacency(rightNodes);
        maxLeftDegree = base.maxDegree(Side.LEFT);
        maxRightDegree = base.maxDegree(Side.RIGHT);
        weighted = base.hasWeights();
    }

    LiveIds ids(Side side) {
        return side == Side.LEFT ? leftIds : rightIds;
    }

    int baseNodes(Side side) {
        return base.nodeCount(side);
    }

    /** Takes a lease unless the generation was retired. Any thread; lock-free. */
    boolean tryAcquire() {
        while (true) {
            int s = leases.get();
            if ((s & RETIRED) != 0 || s == CLOSED) {
                return false;
            }
            if (leases.compareAndSet(s, s + 2)) {
                return true;
            }
        }
    }

    /**
     * Ends a lease taken by {@link #tryAcquire}; the last one of a retired generation closes its store.
     *
     * @throws IllegalStateException if no lease is held: an unmatched release would end another reader's lease and
     *         let the close unmap what that reader still walks
     */
    void release() {
        int s;
        do {
            s = leases.get();
            if (s < 2) {
                throw new IllegalStateException("release without a lease (lease state " + s + ")");
            }
        } while (!leases.compareAndSet(s, s - 2));
        if (s - 2 == RETIRED) {
            closeIfIdle();
        }
    }

    /**
     * Refuses leases from now on; closes the store at once if none is held, else at the last release, and then runs
     * {@code onClosed} (on the closing thread). Writer only.
     */
    void retire(Runnable onClosed) {
        this.onClosed = onClosed; // published to the closing thread by the compare-and-set below
        int s;
        do {
            s = leases.get();
        } while ((s & RETIRED) == 0 && s != CLOSED && !leases.compareAndSet(s, s | RETIRED));
        closeIfIdle();
    }

    private void closeIfIdle() {
        if (leases.compareAndSet(RETIRED, CLOSED)) {
            if (ownsStore) {
                store.close();
            }
            onClosed.run();
        }
    }

    /** Whether a compaction replaced the generation (it refuses new leases). Any thread. */
    boolean retired() {
        int s = leases.get();
        return (s & RETIRED) != 0 || s == CLOSED;
    }

    /** Whether the generation was retired and its last lease ended (its store, if owned, is closed). */
    boolean closed() {
        return leases.get() == CLOSED;
    }
}
