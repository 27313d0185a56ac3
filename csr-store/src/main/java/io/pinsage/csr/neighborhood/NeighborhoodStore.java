package io.pinsage.csr.neighborhood;

import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Read side of a published neighbourhood store ({@link NeighborhoodFormat}): for node u, its up to T most
 * important neighbours and their weights (summing to 1), straight from the memory-mapped file.
 *
 * <p>Threading: reads are thread-safe and allocate nothing. Ownership: the store owns its mapping and unmaps it
 * on {@link #close()}; reading after close throws {@link IllegalStateException}. Cost: a row read touches 8·T
 * contiguous bytes (one or a few pages).
 *
 * <p>Errors: {@link CorruptStoreException} naming the file on open for a missing, foreign, truncated or
 * (with {@code verify}) checksum-failing file; {@link IllegalArgumentException} for a node outside
 * {@code [0, nodeCount())}.
 */
public final class NeighborhoodStore implements AutoCloseable {

    private final Arena arena;
    private final MappedStoreFile file;
    private final MemorySegment body;
    private final Side side;
    private final Side neighborSide;
    private final int nodeCount;
    private final int width;

    private NeighborhoodStore(Arena arena, MappedStoreFile file) {
        this.arena = arena;
        this.file = file;
        this.body = file.body();
        this.side = NeighborhoodFormat.side(file.header());
        this.neighborSide = NeighborhoodFormat.neighborSide(file.header());
        this.nodeCount = (int) file.header().count(NeighborhoodFormat.COUNT_NODES);
        this.width = (int) file.header().count(NeighborhoodFormat.COUNT_WIDTH);
    }

    /**
     * Opens the published neighbourhood store under {@code root} (a generation that a concurrent publication replaces while it
     * is being opened is given up for the new one).
     *
     * @param verify also recompute the body checksum (one sequential read of the whole file)
     * @throws CorruptStoreException also for a file of a format version before
     *                               {@link NeighborhoodFormat#VERSION_SIDES}, saying to rebuild it
     */
    public static NeighborhoodStore open(Path root, boolean verify) throws IOException {
        return StoreDirectory.openCurrent(root, g -> open(g, verify));
    }

    private static NeighborhoodStore open(StoreGeneration generation, boolean verify) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MappedStoreFile file = MappedStoreFile.open(generation.file(NeighborhoodFormat.FILE_NAME),
                    NeighborhoodFormat.INSTANCE, arena);
            NeighborhoodFormat.requireCurrent(file.path(), file.header());
            if (verify) {
                file.verifyChecksum();
            }
            return new NeighborhoodStore(arena, file);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Where the neighbourhood store of {@code side} for the graph store at {@code graphRoot} lives by convention:
     * {@code graphRoot/neighborhoods.left} or {@code .right}, a store root of its own (graph-store readers
     * ignore it).
     */
    public static Path defaultRoot(Path graphRoot, Side side) {
        return graphRoot.resolve("neighborhoods." + side.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The side of the nodes (rows). */
    public Side side() {
        return side;
    }

    /** The side of the neighbours' ids: the nodes' own side, or the other one for rows of a node's own neighbours. */
    public Side neighborSide() {
        return neighborSide;
    }

    /** Number of nodes (rows). */
    public int nodeCount() {
        return nodeCount;
    }

    /** T, the most neighbours a node has here. */
    public int width() {
        return width;
    }

    /** Walk steps per node the store was built with. */
    public long stepsPerNode() {
        return file.header().count(NeighborhoodFormat.COUNT_STEPS);
    }

    /** Seed of the rows' draws (informational: rows are reproducible from it). */
    public long seed() {
        return file.header().count(NeighborhoodFormat.COUNT_SEED);
    }

    /**
     * How the rows were chosen beyond the header's counts, as the writer recorded it
     * ({@link NeighborhoodFormat#SETTINGS_FILE}): empty for a store written before such records existed.
     *
     * @throws IOException if the record is there but unreadable
     */
    public Optional<String> settings() throws IOException {
        Path p = file.path().resolveSibling(NeighborhoodFormat.SETTINGS_FILE);
        return Files.exists(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8)) : Optional.empty();
    }

    /**
     * Checks every row against what the checksum cannot vouch for, the writer's side of the contract: ids are
     * {@link NeighborhoodFormat#EMPTY_ID} or lie in {@code [0, neighborCount)}, and no id follows an empty slot.
     * One sequential read of the ids. Thread-safe.
     *
     * @param neighborCount nodes on {@link #neighborSide()} of the graph the rows describe
     * @throws CorruptStoreException naming the file, node, slot and id of the first row that breaks it
     */
    public void verifyIds(int neighborCount) throws CorruptStoreException {
        for (int u = 0; u < nodeCount; u++) {
            long idBase = NeighborhoodFormat.idOffset(u, width);
            boolean empty = false;
            for (int i = 0; i < width; i++) {
                int id = body.get(StoreFileFormat.INT, idBase + 4L * i);
                if (id == NeighborhoodFormat.EMPTY_ID) {
                    empty = true;
                } else if (empty || id < 0 || id >= neighborCount) {
                    throw new CorruptStoreException(file.path(), "node " + u + " slot " + i + " holds id " + id
                            + (empty ? " after an empty slot" : ", outside [0, " + neighborCount + ") of side " + neighborSide));
                }
            }
        }
    }

    /** The file read. */
    public Path path() {
        return file.path();
    }

    /**
     * Copies node {@code node}'s neighbours into {@code ids[offset..]} and their weights into
     * {@code weights[offset..]}, most important first.
     *
     * @return the number of neighbours n (0 ≤ n ≤ width()); slots past n in the outputs are left untouched
     * @throws IllegalArgumentException if {@code node} is out of range
     * @throws IndexOutOfBoundsException if the outputs have no room for width() entries from {@code offset}
     */
    public int read(int node, int[] ids, float[] weights, int offset) {
        checkNode(node);
        Objects.checkFromIndexSize(offset, width, ids.length);
        Objects.checkFromIndexSize(offset, width, weights.length);
        long idBase = NeighborhoodFormat.idOffset(node, width);
        long weightBase = NeighborhoodFormat.weightOffset(node, width);
        int n = 0;
        while (n < width) {
            int id = body.get(StoreFileFormat.INT, idBase + 4L * n);
            if (id == NeighborhoodFormat.EMPTY_ID) {
                break;
            }
            ids[offset + n] = id;
            weights[offset + n] = body.get(StoreFileFormat.FLOAT, weightBase + 4L * n);
            n++;
        }
        return n;
    }

    /** Number of neighbours of {@code node}. O(width). */
    public int size(int node) {
        checkNode(node);
        long idBase = NeighborhoodFormat.idOffset(node, width);
        int n = 0;
        while (n < width && body.get(StoreFileFormat.INT, idBase + 4L * n) != NeighborhoodFormat.EMPTY_ID) {
            n++;
        }
        return n;
    }

    private void checkNode(int node) {
        if (node < 0 || node >= nodeCount) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + nodeCount + ") of " + file.path());
        }
    }

    /** Unmaps the file. Not safe while other threads still read. */
    @Override
    public void close() {
        arena.close();
    }
}
