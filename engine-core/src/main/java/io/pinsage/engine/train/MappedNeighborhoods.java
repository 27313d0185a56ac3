package io.pinsage.engine.train;

import io.pinsage.csr.Side;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.nn.model.ComputationGraphBuilder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The neighbourhoods the network pools over, read from the two mapped neighbourhood stores of a bipartite graph (one
 * per side, ids local to their side) and presented over its {@link NodeSpace}: the row of node u is its side's store
 * row of {@code space.local(u)}, its ids moved into the node space from the side the store records for them (a
 * user's own items are LEFT ids in the RIGHT store). Training and inference share one instance, so both see the
 * same rows; nothing per node is held on the heap.
 *
 * <p>Threading: reads are thread-safe and allocate nothing (the stores' reads are); {@link #close()} unmaps both
 * stores and must follow the last read. Cost: a row read touches one store row (8·T bytes) plus one add per id for
 * rows of right-side ids.
 *
 * <p>Errors: {@link io.pinsage.csr.format.CorruptStoreException} naming the file on open for a damaged, foreign or
 * version-1 store, or (with {@code verify}) a checksum or an id that does not fit the graph;
 * {@link IllegalArgumentException} if a store's side or node count does not match the node space.
 */
public final class MappedNeighborhoods implements ComputationGraphBuilder.Neighborhoods, AutoCloseable {

    private final NodeSpace space;
    private final NeighborhoodStore left;
    private final NeighborhoodStore right;
    private final int leftShift;
    private final int rightShift;
    private final int width;

    private MappedNeighborhoods(NodeSpace space, NeighborhoodStore left, NeighborhoodStore right) {
        this.space = space;
        this.left = left;
        this.right = right;
        this.leftShift = space.id(left.neighborSide(), 0);
        this.rightShift = space.id(right.neighborSide(), 0);
        this.width = Math.max(left.width(), right.width());
    }

    /**
     * Maps the stores published under {@code leftRoot} (rows of the left nodes) and {@code rightRoot}.
     *
     * @param verify also check each store's checksum and that every id names a node of its recorded side (one
     *               sequential read of each file); for stores this process did not just write
     */
    public static MappedNeighborhoods open(NodeSpace space, Path leftRoot, Path rightRoot, boolean verify)
            throws IOException {
        NeighborhoodStore l = NeighborhoodStore.open(leftRoot, verify);
        try {
            NeighborhoodStore r = NeighborhoodStore.open(rightRoot, verify);
            try {
                check(space, l, Side.LEFT, verify);
                check(space, r, Side.RIGHT, verify);
                return new MappedNeighborhoods(space, l, r);
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private static void check(NodeSpace space, NeighborhoodStore store, Side side, boolean verify) throws IOException {
        int nodes = space.count(side);
        if (store.side() != side || store.nodeCount() != nodes) {
            throw new IllegalArgumentException(store.path() + " holds " + store.nodeCount() + " rows of side " + store.side()
                    + ": expected " + nodes + " rows of side " + side + " for this graph; rebuild it");
        }
        if (verify) {
            store.verifyIds(space.count(store.neighborSide()));
        }
    }

    /** The node space the rows are presented over. */
    public NodeSpace space() {
        return space;
    }

    /** The store of {@code side}'s rows. */
    public NeighborhoodStore store(Side side) {
        return side == Side.LEFT ? left : right;
    }

    /** The wider of the two stores' T. */
    @Override
    public int width() {
        return width;
    }

    /**
     * Copies node {@code node}'s row (node-space ids) into {@code ids[offset..]} and {@code weights[offset..]}.
     *
     * @throws IllegalArgumentException if {@code node} is outside the node space
     */
    @Override
    public int read(int node, int[] ids, float[] weights, int offset) {
        if (node < 0 || node >= space.size()) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + space.size() + ")");
        }
        boolean isLeft = node < space.leftCount();
        int n = isLeft ? left.read(node, ids, weights, offset) : right.read(node - space.leftCount(), ids, weights, offset);
        int shift = isLeft ? leftShift : rightShift;
        if (shift != 0) {
            for (int i = offset; i < offset + n; i++) {
                ids[i] += shift;
            }
        }
        return n;
    }

    /** Unmaps both stores. Not safe while other threads still read. */
    @Override
    public void close() {
        try {
            left.close();
        } finally {
            right.close();
        }
    }
}
