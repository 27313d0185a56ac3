package io.pinsage.csr;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.FileFormat;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.MemoryAdvice;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BipartiteGraph} over a published graph store's CSR shards (see {@link CsrLayout}), kept off the heap
 * as {@link Residency} says: memory-mapped files (the default; the operating system pages the shards in on demand,
 * so a graph of billions of edges opens in milliseconds) or one contiguous huge-page block per side.
 *
 * <p>Cost per call: {@link #degree} and {@link #firstEdge} read two longs of the offsets; {@link #neighborAt} and
 * {@link #weightAt} read one int or float, straight from the side's single block when the side is one shard or
 * copied ({@link Residency#ANONYMOUS_HUGE_PAGES}), otherwise after finding the shard through a table indexed by
 * {@code edge >>> 20} (usually no loop iteration). None allocates. The class is final, picks a side by
 * comparing with {@link Side#LEFT} and reads a flat side through its base address in one constant global segment,
 * so a walk loop that sees only this implementation inlines every accessor down to an index check against the
 * node or edge count (an out-of-range id throws {@link IndexOutOfBoundsException}), a test of the closed flag and
 * one load.
 *
 * <p>Threading: immutable after {@link #open}; any number of threads may read concurrently. {@link #close()}
 * unmaps the files and frees any copy. It must not race with readers: a read that happens after it (program order,
 * or any happens-before edge such as a join) throws {@link IllegalStateException}, but a read racing with it may
 * see the memory vanish under it and crash the JVM, because the flat reads bypass the arena's own liveness check
 * (the price of their speed; the shared arena still guards every other read).
 *
 * <p>Errors: {@link #open} checks every file's header, version and length, the shards' tiling of nodes and
 * edges, and every offset (from 0 to the edge count, never decreasing, the largest step the recorded maximum
 * degree: one sequential read of the offsets, 8 bytes per node of either side, about 2 ns per node from the
 * page cache), throwing {@link CorruptStoreException} naming the file. So every node's edge range lies within
 * its side, and only neighbour ids and weights are read unchecked: {@link #verify()} checks every checksum and
 * every neighbour id, and a walk that runs into an id outside its side gets {@link #explain}'s account of it (an
 * {@link java.io.UncheckedIOException} around a {@link CorruptStoreException} naming the shard).
 */
public final class MappedCsrGraph implements BipartiteGraph, AutoCloseable {

    /** log2 of the edges per entry of the edge-to-shard table. */
    private static final int BLOCK_SHIFT = 20;

    /*
     * Unaligned layouts spare the hot path an alignment test per read; bodies start at an 8-byte boundary anyway,
     * and x86-64 and arm64 read an unaligned int with the same instruction.
     */
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(StoreFileFormat.BYTE_ORDER);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(StoreFileFormat.BYTE_ORDER);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(StoreFileFormat.BYTE_ORDER);
    /*
     * All of the address space as one global-scope segment in a constant: the JIT folds its scope and bounds
     * checks, so a flat read is an address computation and a load. The accessors check the id against the node or
     * edge count and the closed flag themselves before reading through it.
     */
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final StoreGeneration generation;
    private final Residency residency;
    private final Arena arena;
    private final Direction[] directions = new Direction[2];
    private final boolean weighted;
    private final long edgeCount;
    private final List<MappedStoreFile> files = new ArrayList<>();
    /*
     * The hot path's base addresses, one field each, so that an accessor costs a side comparison and one field
     * load instead of walking directions[side.ordinal()]; a neighbour or weight address is 0 when its side has
     * several mapped shards (then the Direction's lookup serves) or no edges.
     */
    private final long leftOffsets;
    private final long rightOffsets;
    private final long leftNeighbors;
    private final long rightNeighbors;
    private final long leftWeights;
    private final long rightWeights;
    private final int leftNodes;
    private final int rightNodes;
    /** Set by {@link #close()} before the memory goes; read by every accessor (see the class comment). */
    private boolean closed;
    /** {@link #explain}'s search, done once: whether it ran, and the damage it found (null for none). */
    private boolean searched;
    private CorruptStoreException outOfRange;
    private final Direction leftDirection;
    private final Direction rightDirection;

    /** One side's adjacency: offsets plus the shards of neighbour ids (and weights). */
    private static final class Direction {
        final int nodeCount;
        final int maxDegree;
        final MemorySegment offsets;
        /** The shards as they were opened from the files, for {@link #verify()}. */
        final MemorySegment[] neighbors;
        final MemorySegment[] weights;
        /** All neighbours (weights) of the side in one segment, or null when the side is several mapped shards. */
        final MemorySegment flatNeighbors;
        final MemorySegment flatWeights;
        /** {@code shardStart[s]} is shard s's first global edge; one extra entry holds the edge count. */
        final long[] shardStart;
        final int[] blockShard;

        Direction(int nodeCount, int maxDegree, MemorySegment offsets, MemorySegment[] neighbors,
                  MemorySegment[] weights, long[] shardStart, MemorySegment flatNeighbors, MemorySegment flatWeights) {
            this.nodeCount = nodeCount;
            this.maxDegree = maxDegree;
            this.offsets = offsets;
            this.neighbors = neighbors;
            this.weights = weights;
            this.shardStart = shardStart;
            this.flatNeighbors = flatNeighbors;
            this.flatWeights = flatWeights;
            long edges = shardStart[shardStart.length - 1];
            this.blockShard = new int[(int) (edges >>> BLOCK_SHIFT) + 1];
            int s = 0;
            for (int b = 0; b < blockShard.length; b++) {
                long first = (long) b << BLOCK_SHIFT;
                while (s < neighbors.length - 1 && first >= shardStart[s + 1]) {
                    s++;
                }
                blockShard[b] = s;
            }
        }

        int shardOf(long edge) {
            int s = blockShard[(int) (edge >>> BLOCK_SHIFT)];
            while (edge >= shardStart[s + 1]) {
                s++;
            }
            return s;
        }
    }

    private MappedCsrGraph(StoreGeneration generation, Residency residency) throws IOException {
        this.generation = generation;
        this.residency = java.util.Objects.requireNonNull(residency, "residency");
        this.arena = Arena.ofShared();
        boolean w;
        long m = -1;
        try {
            w = generation.files().containsKey(CsrLayout.weights(Side.LEFT, 0));
            for (Side side : Side.values()) {
                directions[side.ordinal()] = openDirection(side, w);
                long sideEdges = directions[side.ordinal()].shardStart[directions[side.ordinal()].shardStart.length - 1];
                if (m >= 0 && m != sideEdges) {
                    throw new CorruptStoreException(generation.file(CsrLayout.offsets(side)),
                            "holds " + sideEdges + " edges, the other side " + m);
                }
                m = sideEdges;
            }
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        this.weighted = w;
        this.edgeCount = m;
        Direction l = directions[Side.LEFT.ordinal()], r = directions[Side.RIGHT.ordinal()];
        this.leftDirection = l;
        this.rightDirection = r;
        this.leftOffsets = l.offsets.address();
        this.rightOffsets = r.offsets.address();
        this.leftNeighbors = address(l.flatNeighbors);
        this.rightNeighbors = address(r.flatNeighbors);
        this.leftWeights = address(l.flatWeights);
        this.rightWeights = address(r.flatWeights);
        this.leftNodes = l.nodeCount;
        this.rightNodes = r.nodeCount;
    }

    /** Opens the published generation of the store at {@code root}, memory-mapped ({@link Residency#MAPPED}). */
    public static MappedCsrGraph open(Path root) throws IOException {
        return open(root, Residency.MAPPED);
    }

    /**
     * Opens the published generation of the store at {@code root}, kept as {@code residency} says; a generation that a
     * concurrent publication replaces while it is being opened is given up for the new one.
     */
    public static MappedCsrGraph open(Path root, Residency residency) throws IOException {
        return StoreDirectory.openCurrent(root, g -> open(g, residency));
    }

    /** Opens the graph files of an already checked generation, memory-mapped ({@link Residency#MAPPED}). */
    public static MappedCsrGraph open(StoreGeneration generation) throws IOException {
        return open(generation, Residency.MAPPED);
    }

    /**
     * Opens the graph files of an already checked generation, kept as {@code residency} says; see
     * {@link Residency} for the cost of each.
     */
    public static MappedCsrGraph open(StoreGeneration generation, Residency residency) throws IOException {
        return new MappedCsrGraph(generation, residency);
    }

    /** How this graph keeps its adjacency. */
    public Residency residency() {
        return residency;
    }

    private MappedStoreFile map(String name, FileFormat format) throws IOException {
        MappedStoreFile f = MappedStoreFile.open(generation.file(name), format, arena);
        files.add(f);
        MemoryAdvice.hugePages(f.body());
        return f;
    }

    /** One contiguous huge-page copy of {@code parts}, in order. */
    private MemorySegment copyHuge(MemorySegment... parts) {
        long bytes = 0;
        for (MemorySegment p : parts) {
            bytes += p.byteSize();
        }
        MemorySegment dst = MemoryAdvice.allocateHugePages(bytes, arena);
        long at = 0;
        for (MemorySegment p : parts) {
            MemorySegment.copy(p, 0, dst, at, p.byteSize());
            at += p.byteSize();
        }
        return dst;
    }

    private Direction openDirection(Side side, boolean weighted) throws IOException {
        MappedStoreFile off = map(CsrLayout.offsets(side), OffsetsFormat.INSTANCE);
        Path offPath = off.path();
        if (off.header().count(OffsetsFormat.COUNT_SIDE) != side.ordinal()) {
            throw new CorruptStoreException(offPath, "is the offsets file of side " + off.header().count(OffsetsFormat.COUNT_SIDE));
        }
        int n = (int) off.header().count(OffsetsFormat.COUNT_NODES);
        long m = off.header().count(OffsetsFormat.COUNT_EDGES);
        int maxDegree = (int) off.header().count(OffsetsFormat.COUNT_MAX_DEGREE);
        MemorySegment offsets = off.body();
        checkOffsets(offPath, offsets, n, m, maxDegree);
        int shards = CsrLayout.shardCount(generation.files().keySet(), side);
        if (shards == 0 && n > 0) {
            throw new CorruptStoreException(generation.file(CsrLayout.neighbors(side, 0)), "missing file: side " + side + " has no neighbour shard");
        }
        MemorySegment[] nbr = new MemorySegment[Math.max(shards, 1)];
        MemorySegment[] wgt = weighted ? new MemorySegment[nbr.length] : null;
        long[] start = new long[nbr.length + 1];
        nbr[0] = MemorySegment.NULL;
        if (wgt != null) {
            wgt[0] = MemorySegment.NULL;
        }
        long node = 0, edge = 0;
        for (int s = 0; s < shards; s++) {
            MappedStoreFile f = map(CsrLayout.neighbors(side, s), NeighborShardFormat.NEIGHBORS);
            var h = f.header();
            if (h.count(NeighborShardFormat.COUNT_SIDE) != side.ordinal() || h.count(NeighborShardFormat.COUNT_FIRST_NODE) != node
                    || h.count(NeighborShardFormat.COUNT_FIRST_EDGE) != edge
                    || offsets.getAtIndex(StoreFileFormat.LONG, node) != edge) {
                throw new CorruptStoreException(f.path(), "shard " + h + " does not continue the previous one at node "
                        + node + ", edge " + edge + " of side " + side);
            }
            nbr[s] = f.body();
            start[s] = edge;
            if (weighted) {
                MappedStoreFile wf = map(CsrLayout.weights(side, s), NeighborShardFormat.WEIGHTS);
                for (int i = 0; i < 5; i++) {
                    if (wf.header().count(i) != h.count(i)) {
                        throw new CorruptStoreException(wf.path(), "weight shard " + wf.header() + " does not match its neighbour shard " + h);
                    }
                }
                wgt[s] = wf.body();
            }
            node += h.count(NeighborShardFormat.COUNT_NODES);
            edge += h.count(NeighborShardFormat.COUNT_EDGES);
        }
        if (node != n || edge != m) {
            throw new CorruptStoreException(offPath, "shards of side " + side + " cover " + node + " nodes and " + edge
                    + " edges, offsets say " + n + " and " + m);
        }
        start[nbr.length] = m;
        MemorySegment flatNbr = null, flatWgt = null;
        if (residency == Residency.ANONYMOUS_HUGE_PAGES) {
            offsets = copyHuge(offsets);
            flatNbr = copyHuge(nbr);
            flatWgt = weighted ? copyHuge(wgt) : null;
        } else if (nbr.length == 1) {
            flatNbr = nbr[0];
            flatWgt = weighted ? wgt[0] : null;
        }
        return new Direction(n, maxDegree, offsets, nbr, wgt, start, flatNbr, flatWgt);
    }

    /**
     * Checks that {@code offsets} run from 0 to {@code edges} without decreasing and that the largest degree is
     * {@code maxDegree}, so that no node's edge range can leave the side. One sequential read.
     */
    private static void checkOffsets(Path file, MemorySegment offsets, int nodes, long edges, int maxDegree)
            throws CorruptStoreException {
        long prev = offsets.getAtIndex(StoreFileFormat.LONG, 0);
        if (prev != 0) {
            throw new CorruptStoreException(file, "offset of node 0 = " + prev + ", must be 0");
        }
        long max = 0;
        for (long u = 1; u <= nodes; u++) {
            long o = offsets.getAtIndex(StoreFileFormat.LONG, u);
            if (o < prev) {
                throw new CorruptStoreException(file, "offset of node " + u + " = " + o + " is below the previous " + prev);
            }
            max = Math.max(max, o - prev);
            prev = o;
        }
        if (prev != edges) {
            throw new CorruptStoreException(file, "offsets end at " + prev + ", the header's edge count is " + edges);
        }
        if (max != maxDegree) {
            throw new CorruptStoreException(file, "maximum degree is " + max + ", header says " + maxDegree);
        }
    }

    /**
     * Checks the body checksum of every graph file and that every neighbour id lies within the opposite side (the
     * offsets were checked by {@link #open}). Cost: a full read of the graph files.
     *
     * @throws CorruptStoreException naming the first damaged file
     */
    public void verify() throws CorruptStoreException {
        for (MappedStoreFile f : files) {
            f.verifyChecksum();
        }
        CorruptStoreException e = firstNeighborOutOfRange();
        if (e != null) {
            throw e;
        }
    }

    /** The damage of the first neighbour id outside the opposite side, or null if there is none. One full read. */
    private CorruptStoreException firstNeighborOutOfRange() {
        for (Side side : Side.values()) {
            Direction d = directions[side.ordinal()];
            int bound = nodeCount(side.opposite());
            for (int s = 0; s < shardCount(side); s++) {
                MemorySegment seg = d.neighbors[s];
                long k = seg.byteSize() >> 2;
                for (long i = 0; i < k; i++) {
                    int v = seg.getAtIndex(StoreFileFormat.INT, i);
                    if (v < 0 || v >= bound) {
                        return neighborDamage(side, d.shardStart[s] + i, v, "lies outside [0, " + bound + ")");
                    }
                }
            }
        }
        return null;
    }

    private CorruptStoreException neighborDamage(Side side, long edge, int id, String problem) {
        Direction d = directions[side.ordinal()];
        int s = d.shardOf(edge);
        return new CorruptStoreException(generation.file(CsrLayout.neighbors(side, s)), "neighbour id " + id
                + " at edge " + edge + " of side " + side + " (shard edge " + (edge - d.shardStart[s]) + ") " + problem);
    }

    /** {@inheritDoc} Here: the damage names the neighbour shard that holds {@code edge}. */
    @Override
    public RuntimeException corruptNeighbor(Side side, long edge, String problem) {
        java.util.Objects.checkIndex(edge, edgeCount);
        return neighborDamage(side, edge, neighborAt(side, edge), problem).unchecked();
    }

    /**
     * {@inheritDoc} Here: the search reads the neighbour shards once per graph, whichever thread asks first; later
     * calls, from any thread, reuse its answer.
     */
    @Override
    public RuntimeException explain(IndexOutOfBoundsException failure) {
        CorruptStoreException damage;
        synchronized (this) {
            if (!searched) {
                outOfRange = firstNeighborOutOfRange();
                searched = true;
            }
            damage = outOfRange;
        }
        if (damage == null) {
            return failure;
        }
        RuntimeException e = damage.unchecked();
        e.addSuppressed(failure);
        return e;
    }

    /** The generation this graph was opened from. */
    public StoreGeneration generation() {
        return generation;
    }

    /** Number of neighbour shards of {@code side}. */
    public int shardCount(Side side) {
        Direction d = directions[side.ordinal()];
        return d.nodeCount == 0 ? 0 : d.neighbors.length;
    }

    @Override
    public int nodeCount(Side side) {
        return directions[side.ordinal()].nodeCount;
    }

    @Override
    public long edgeCount() {
        return edgeCount;
    }

    /** The address of a flat segment, 0 for none (a side of several mapped shards). */
    private static long address(MemorySegment flat) {
        return flat == null || flat.byteSize() == 0 ? 0 : flat.address();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("graph " + generation.directory() + " is closed");
        }
    }

    @Override
    public int degree(Side side, int node) {
        boolean left = side == Side.LEFT;
        long at = (left ? leftOffsets : rightOffsets) + 8L * java.util.Objects.checkIndex(node, left ? leftNodes : rightNodes);
        checkOpen();
        return (int) (MEMORY.get(LONG, at + 8) - MEMORY.get(LONG, at));
    }

    @Override
    public long firstEdge(Side side, int node) {
        boolean left = side == Side.LEFT;
        long at = (left ? leftOffsets : rightOffsets) + 8L * java.util.Objects.checkIndex(node, (left ? leftNodes : rightNodes) + 1);
        checkOpen();
        return MEMORY.get(LONG, at);
    }

    @Override
    public int neighborAt(Side side, long edge) {
        long flat = side == Side.LEFT ? leftNeighbors : rightNeighbors;
        java.util.Objects.checkIndex(edge, edgeCount);
        checkOpen();
        if (flat != 0) {
            return MEMORY.get(INT, flat + 4 * edge);
        }
        Direction d = side == Side.LEFT ? leftDirection : rightDirection;
        int s = d.shardOf(edge);
        return d.neighbors[s].getAtIndex(INT, edge - d.shardStart[s]);
    }

    @Override
    public boolean hasWeights() {
        return weighted;
    }

    @Override
    public float weightAt(Side side, long edge) {
        long flat = side == Side.LEFT ? leftWeights : rightWeights;
        java.util.Objects.checkIndex(edge, edgeCount);
        checkOpen();
        if (flat != 0) {
            return MEMORY.get(FLOAT, flat + 4 * edge);
        }
        if (!weighted) {
            return 1f;
        }
        Direction d = side == Side.LEFT ? leftDirection : rightDirection;
        int s = d.shardOf(edge);
        return d.weights[s].getAtIndex(FLOAT, edge - d.shardStart[s]);
    }

    @Override
    public int maxDegree(Side side) {
        return directions[side.ordinal()].maxDegree;
    }

    @Override
    public int copyNeighbors(Side side, int node, int[] dst, int offset) {
        Direction d = directions[side.ordinal()];
        long first = d.offsets.getAtIndex(LONG, node);
        int deg = (int) (d.offsets.getAtIndex(LONG, node + 1L) - first);
        java.util.Objects.checkFromIndexSize(offset, deg, dst.length);
        if (deg == 0) {
            return 0;
        }
        if (d.flatNeighbors != null) {
            MemorySegment.copy(d.flatNeighbors, INT, 4 * first, dst, offset, deg);
            return deg;
        }
        // a node's edges never straddle shards: shards are cut at node boundaries
        int s = d.shardOf(first);
        MemorySegment.copy(d.neighbors[s], INT, 4 * (first - d.shardStart[s]), dst, offset, deg);
        return deg;
    }

    /** Unmaps every file and frees any huge-page copy; see the class comment for the threading contract. */
    @Override
    public void close() {
        closed = true;
        arena.close();
    }
}
