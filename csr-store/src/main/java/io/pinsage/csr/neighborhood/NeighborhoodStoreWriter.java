package io.pinsage.csr.neighborhood;

import io.pinsage.csr.Side;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.FileWrites;
import io.pinsage.csr.format.MappedPublication;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a new generation of a neighbourhood store ({@link NeighborhoodFormat}) in place through a writable
 * memory mapping, so rows computed in any order by many threads land directly in the file.
 *
 * <p>{@link #create} starts a store whose rows are all empty; {@link #update} starts from a copy of the
 * published store so that only the rows rewritten change (incremental recomputation). {@link #commit()}
 * checksums the body, writes footer and header, and publishes the generation atomically; {@link #close()}
 * without commit discards it and leaves the published store as it was. Readers never see a partial file.
 *
 * <p>Threading: {@link #writeRow} may be called by many threads at once for <em>distinct</em> nodes; the
 * other methods belong to the one owning thread, and commit must happen after every writer finished (the
 * caller provides that happens-before, e.g. by joining the threads). Holds the store root's lock until closed.
 */
public final class NeighborhoodStoreWriter implements AutoCloseable {

    private final Publication publication;
    private final MappedPublication file;
    private final MemorySegment body;
    private final Side side;
    private final Side neighborSide;
    private final int nodeCount;
    private final int width;
    private final long stepsPerNode;
    private final long seed;

    private NeighborhoodStoreWriter(Publication publication, Path file, boolean fresh, Side side, Side neighborSide,
                                    int nodeCount, int width, long stepsPerNode, long seed) throws IOException {
        this.publication = publication;
        this.side = side;
        this.neighborSide = neighborSide;
        this.nodeCount = nodeCount;
        this.width = width;
        this.stepsPerNode = stepsPerNode;
        this.seed = seed;
        long bodyLength = nodeCount * NeighborhoodFormat.rowBytes(width);
        this.file = fresh ? MappedPublication.create(publication, NeighborhoodFormat.FILE_NAME, bodyLength)
                : MappedPublication.reopen(publication, NeighborhoodFormat.FILE_NAME, file, bodyLength);
        this.body = this.file.body();
        if (fresh) {
            for (int u = 0; u < nodeCount; u++) {
                clearRow(u, 0);
            }
        }
    }

    /**
     * Starts a new store under {@code root} (created if absent) with every row empty.
     *
     * @param side         the side of the nodes (rows)
     * @param neighborSide the side of the ids the rows will hold
     * @throws IllegalArgumentException if {@code nodeCount < 0} or the width is out of range
     * @throws IllegalStateException    if another publication into {@code root} is in progress
     */
    public static NeighborhoodStoreWriter create(Path root, Side side, Side neighborSide, int nodeCount, int width,
                                                 long stepsPerNode, long seed) throws IOException {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(neighborSide, "neighborSide");
        if (nodeCount < 0) {
            throw new IllegalArgumentException("nodeCount=" + nodeCount + ": must be >= 0");
        }
        NeighborhoodFormat.checkWidth(width);
        Publication p = StoreDirectory.beginPublication(root);
        try {
            return new NeighborhoodStoreWriter(p, p.directory().resolve(NeighborhoodFormat.FILE_NAME), true, side,
                    neighborSide, nodeCount, width, stepsPerNode, seed);
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * Starts a new generation of the store published under {@code root}, holding a copy of its rows (checked
     * against the checksum first, so corruption is not carried forward).
     *
     * @throws io.pinsage.csr.format.CorruptStoreException if the published store is damaged, or of a format version
     *                                                     that does not record the neighbours' side (rebuild it)
     */
    public static NeighborhoodStoreWriter update(Path root) throws IOException {
        Publication p = StoreDirectory.beginPublication(root);
        try {
            Path source = StoreDirectory.openCurrent(root).file(NeighborhoodFormat.FILE_NAME);
            FileHeader header;
            try (Arena a = Arena.ofConfined()) {
                MappedStoreFile published = MappedStoreFile.open(source, NeighborhoodFormat.INSTANCE, a);
                NeighborhoodFormat.requireCurrent(source, published.header());
                published.verifyChecksum();
                header = published.header();
            }
            Path target = p.directory().resolve(NeighborhoodFormat.FILE_NAME);
            Files.copy(source, target);
            Path settings = source.resolveSibling(NeighborhoodFormat.SETTINGS_FILE);
            if (Files.exists(settings)) {
                Files.copy(settings, p.directory().resolve(NeighborhoodFormat.SETTINGS_FILE));
            }
            return new NeighborhoodStoreWriter(p, target, false, NeighborhoodFormat.side(header),
                    NeighborhoodFormat.neighborSide(header), (int) header.count(NeighborhoodFormat.COUNT_NODES),
                    (int) header.count(NeighborhoodFormat.COUNT_WIDTH),
                    header.count(NeighborhoodFormat.COUNT_STEPS), header.count(NeighborhoodFormat.COUNT_SEED));
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    public Side side() {
        return side;
    }

    /** The side of the ids the rows hold. */
    public Side neighborSide() {
        return neighborSide;
    }

    public int nodeCount() {
        return nodeCount;
    }

    public int width() {
        return width;
    }

    /**
     * Replaces node {@code node}'s row with {@code count} neighbours from {@code ids[0..count)} and
     * {@code weights[0..count)}; the remaining slots become empty.
     *
     * @throws IllegalArgumentException if the node is out of range, {@code count > width()}, or an id is negative
     */
    public void writeRow(int node, int[] ids, float[] weights, int count) {
        if (node < 0 || node >= nodeCount) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + nodeCount + ")");
        }
        if (count < 0 || count > width) {
            throw new IllegalArgumentException("count=" + count + ": must lie in [0, width=" + width + "]");
        }
        long idBase = NeighborhoodFormat.idOffset(node, width);
        long weightBase = NeighborhoodFormat.weightOffset(node, width);
        for (int i = 0; i < count; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("ids[" + i + "]=" + ids[i] + " for node " + node + ": must be >= 0");
            }
            body.set(StoreFileFormat.INT, idBase + 4L * i, ids[i]);
            body.set(StoreFileFormat.FLOAT, weightBase + 4L * i, weights[i]);
        }
        clearRow(node, count);
    }

    private void clearRow(int node, int from) {
        long idBase = NeighborhoodFormat.idOffset(node, width);
        long weightBase = NeighborhoodFormat.weightOffset(node, width);
        for (int i = from; i < width; i++) {
            body.set(StoreFileFormat.INT, idBase + 4L * i, NeighborhoodFormat.EMPTY_ID);
            body.set(StoreFileFormat.FLOAT, weightBase + 4L * i, 0f);
        }
    }

    /**
     * Records how the rows are chosen ({@link NeighborhoodFormat#SETTINGS_FILE}, replacing what an update copied),
     * published with them by {@link #commit()}.
     *
     * @param settings {@code key=value} lines
     */
    public void recordSettings(String settings) throws IOException {
        FileWrites.writeString(publication.directory().resolve(NeighborhoodFormat.SETTINGS_FILE), settings);
    }

    /**
     * Checksums and frames the file, then publishes it atomically.
     *
     * @return the published generation
     */
    public StoreGeneration commit() throws IOException {
        return file.commit(new FileHeader(NeighborhoodFormat.CODEC, NeighborhoodFormat.VERSION_CURRENT,
                NeighborhoodFormat.sides(side, neighborSide), nodeCount, width, stepsPerNode, seed));
    }

    /** Discards the generation unless committed, and releases the root's lock. */
    @Override
    public void close() throws IOException {
        file.close(); // deletes the unpublished generation, this file included
    }
}
