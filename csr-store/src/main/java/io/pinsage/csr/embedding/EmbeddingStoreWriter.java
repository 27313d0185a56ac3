package io.pinsage.csr.embedding;

import io.pinsage.csr.Side;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.MappedPublication;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a new generation of an embedding store ({@link EmbeddingFormat}) in place through a writable memory
 * mapping, so rows computed in any order land directly in the file.
 *
 * <p>{@link #create} starts a store whose rows are all zero. {@link #resume} writes the rows into a work file
 * outside the store's generations instead, which survives a killed process: reopened with the same parameters it
 * keeps the rows already written, so a long build continues where it stopped (the caller records which rows are
 * done, after {@link #force()}). {@link #commit()} checksums the body, writes footer and header, moves the file into
 * the new generation and publishes it atomically; {@link #close()} without commit discards the generation and leaves
 * the published store as it was (a work file stays for the next resume). Readers never see a partial file.
 *
 * <p>Threading: {@link #writeRow} may be called by many threads at once for <em>distinct</em> nodes; the other
 * methods belong to the one owning thread, and commit must happen after every writer finished (the caller provides
 * that happens-before, e.g. by joining the threads). Holds the store root's lock until closed.
 */
public final class EmbeddingStoreWriter implements AutoCloseable {

    private final MappedPublication file;
    private final MemorySegment body;
    private final Side side;
    private final int nodeCount;
    private final int dim;
    private final long[] fingerprint;
    private final boolean normalized;

    private EmbeddingStoreWriter(MappedPublication file, Side side, int nodeCount, int dim,
                                 long[] fingerprint, boolean normalized) {
        this.file = file;
        this.body = file.body();
        this.side = side;
        this.nodeCount = nodeCount;
        this.dim = dim;
        this.fingerprint = fingerprint;
        this.normalized = normalized;
    }

    /**
     * Starts a new store under {@code root} (created if absent) with every row zero.
     *
     * @param side        the side of the nodes (rows)
     * @param fingerprint the model's fingerprint, {@value EmbeddingFormat#FINGERPRINT_HEX_DIGITS} hex digits
     * @param normalized  whether the caller writes L2-normalised rows (recorded, not checked)
     * @throws IllegalArgumentException if {@code nodeCount < 0}, the dim is out of range or the fingerprint malformed
     * @throws java.nio.file.FileSystemException if another publication into {@code root} is in progress
     */
    public static EmbeddingStoreWriter create(Path root, Side side, int nodeCount, int dim, String fingerprint,
                                              boolean normalized) throws IOException {
        return open(root, null, side, nodeCount, dim, fingerprint, normalized);
    }

    /**
     * As {@link #create}, but the rows live in {@code workFile} until commit, which moves it into the generation
     * (same file system as {@code root}). An existing work file keeps its rows; one of another length is cut or
     * zero-extended to this store's length, so the caller must check that the rows it trusts were written with the
     * same parameters.
     */
    public static EmbeddingStoreWriter resume(Path root, Path workFile, Side side, int nodeCount, int dim,
                                              String fingerprint, boolean normalized) throws IOException {
        return open(root, Objects.requireNonNull(workFile, "workFile"), side, nodeCount, dim, fingerprint, normalized);
    }

    private static EmbeddingStoreWriter open(Path root, Path workFile, Side side, int nodeCount, int dim,
                                             String fingerprint, boolean normalized) throws IOException {
        Objects.requireNonNull(side, "side");
        if (nodeCount < 0) {
            throw new IllegalArgumentException("nodeCount=" + nodeCount + ": must be >= 0");
        }
        EmbeddingFormat.checkDim(dim);
        long[] print = EmbeddingFormat.fingerprintCounts(fingerprint);
        Publication p = StoreDirectory.beginPublication(root);
        long bodyLength = nodeCount * EmbeddingFormat.rowBytes(dim);
        MappedPublication file = workFile == null
                ? MappedPublication.create(p, EmbeddingFormat.FILE_NAME, bodyLength)
                : MappedPublication.reopen(p, EmbeddingFormat.FILE_NAME, workFile, bodyLength);
        return new EmbeddingStoreWriter(file, side, nodeCount, dim, print, normalized);
    }

    public Side side() {
        return side;
    }

    public int nodeCount() {
        return nodeCount;
    }

    public int dim() {
        return dim;
    }

    /**
     * Replaces node {@code node}'s row with {@code values[offset .. offset + dim())}.
     *
     * @throws IllegalArgumentException  if the node is out of range
     * @throws IndexOutOfBoundsException if {@code values} holds fewer than dim() floats from {@code offset}
     */
    public void writeRow(int node, float[] values, int offset) {
        if (node < 0 || node >= nodeCount) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + nodeCount + ")");
        }
        Objects.checkFromIndexSize(offset, dim, values.length);
        MemorySegment.copy(values, offset, body, StoreFileFormat.FLOAT, EmbeddingFormat.rowOffset(node, dim), dim);
    }

    /**
     * The writable rows, row-major float32 little-endian (row r at byte {@code r * dim * 4L}), for callers that
     * fill many rows at once; valid until commit or close. The same threading rule as {@link #writeRow} applies.
     */
    public MemorySegment rows() {
        return body;
    }

    /** Forces the rows written so far to disk, so that a progress record written next never runs ahead of them. */
    public void force() {
        file.force();
    }

    /**
     * Checksums and frames the file, then publishes it atomically.
     *
     * @return the published generation
     */
    public StoreGeneration commit() throws IOException {
        return file.commit(new FileHeader(EmbeddingFormat.CODEC, EmbeddingFormat.VERSION_CURRENT,
                EmbeddingFormat.flags(side, normalized), nodeCount, dim, fingerprint[0], fingerprint[1]));
    }

    /** Discards the generation unless committed, and releases the root's lock. */
    @Override
    public void close() throws IOException {
        file.close(); // deletes the unpublished generation (a work file outside it stays)
    }
}
