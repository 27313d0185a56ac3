package io.pinsage.csr.embedding;

import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Read side of a published embedding store ({@link EmbeddingFormat}): node u's vector of {@link #dim()} floats,
 * straight from the memory-mapped file, with the fingerprint of the model that computed it.
 *
 * <p>Threading: reads are thread-safe and allocate nothing. Ownership: the store owns its mapping and unmaps it
 * on {@link #close()}; reading after close throws {@link IllegalStateException}, and so does any access to a
 * segment obtained from {@link #vectors()}. Cost: a row read touches 4·dim contiguous bytes.
 *
 * <p>Errors: {@link CorruptStoreException} naming the file on open for a missing, foreign, truncated or
 * (with {@code verify}) checksum-failing file; {@link IllegalArgumentException} for a node outside
 * {@code [0, nodeCount())}.
 */
public final class EmbeddingStore implements AutoCloseable {

    private final Arena arena;
    private final MappedStoreFile file;
    private final MemorySegment body;
    private final Side side;
    private final int nodeCount;
    private final int dim;

    private EmbeddingStore(Arena arena, MappedStoreFile file) {
        this.arena = arena;
        this.file = file;
        this.body = file.body().asReadOnly();
        this.side = EmbeddingFormat.side(file.header());
        this.nodeCount = (int) file.header().count(EmbeddingFormat.COUNT_NODES);
        this.dim = (int) file.header().count(EmbeddingFormat.COUNT_DIM);
    }

    /**
     * Opens the published embedding store under {@code root} (a generation that a concurrent publication replaces while it
     * is being opened is given up for the new one).
     *
     * @param verify also recompute the body checksum (one sequential read of the whole file)
     */
    public static EmbeddingStore open(Path root, boolean verify) throws IOException {
        return StoreDirectory.openCurrent(root, g -> open(g, verify));
    }

    private static EmbeddingStore open(StoreGeneration generation, boolean verify) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MappedStoreFile file = MappedStoreFile.open(generation.file(EmbeddingFormat.FILE_NAME), EmbeddingFormat.INSTANCE, arena);
            if (verify) {
                file.verifyChecksum();
            }
            return new EmbeddingStore(arena, file);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Where the embedding store of {@code side} for the graph store at {@code graphRoot} lives by convention:
     * {@code graphRoot/embeddings.left} or {@code .right}, a store root of its own (graph-store readers ignore it).
     */
    public static Path defaultRoot(Path graphRoot, Side side) {
        return graphRoot.resolve("embeddings." + side.name().toLowerCase(Locale.ROOT));
    }

    /** The side of the nodes (rows). */
    public Side side() {
        return side;
    }

    /** Number of nodes (rows). */
    public int nodeCount() {
        return nodeCount;
    }

    /** Floats per row. */
    public int dim() {
        return dim;
    }

    /** Fingerprint of the model that wrote the rows: {@value EmbeddingFormat#FINGERPRINT_HEX_DIGITS} lowercase hex digits. */
    public String modelFingerprint() {
        return EmbeddingFormat.fingerprint(file.header());
    }

    /** Whether every row was L2-normalised when written (then a dot product is the cosine). */
    public boolean normalized() {
        return EmbeddingFormat.normalized(file.header());
    }

    /**
     * Copies node {@code node}'s vector into {@code out[offset .. offset + dim())}.
     *
     * @throws IllegalArgumentException  if {@code node} is out of range
     * @throws IndexOutOfBoundsException if {@code out} has no room for dim() floats from {@code offset}
     */
    public void read(int node, float[] out, int offset) {
        if (node < 0 || node >= nodeCount) {
            throw new IllegalArgumentException("node=" + node + ": out of range [0, " + nodeCount + ") of " + file.path());
        }
        Objects.checkFromIndexSize(offset, dim, out.length);
        MemorySegment.copy(body, StoreFileFormat.FLOAT, EmbeddingFormat.rowOffset(node, dim), out, offset, dim);
    }

    /**
     * All rows as one read-only segment, row-major float32 little-endian: row r at byte {@code r * dim * 4L}.
     * Valid until {@link #close()}.
     */
    public MemorySegment vectors() {
        return body;
    }

    /** The name of the generation read ({@code gen-NNNNNNNN}). */
    public String generation() {
        return file.path().getParent().getFileName().toString();
    }

    /** The file read. */
    public Path path() {
        return file.path();
    }

    /** Unmaps the file. Not safe while other threads still read. */
    @Override
    public void close() {
        arena.close();
    }
}
