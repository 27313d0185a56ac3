package io.pinsage.csr;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreFileFormat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A side's dense float32 feature matrix, memory-mapped ({@link FeatureMatrixFormat}): row {@code u} is node
 * {@code u}'s content features. Cost: {@link #get} is one load; {@link #copyRow} one bulk copy of
 * {@code 4 * dim} bytes; neither allocates. Thread-safe for reading; the mapping lives as long as the arena it
 * was opened with.
 */
public final class FeatureMatrix {

    private final Side side;
    private final int rows;
    private final int dim;
    private final MemorySegment data;
    private final MappedStoreFile file;

    private FeatureMatrix(MappedStoreFile file) {
        this.file = file;
        this.rows = (int) file.header().count(FeatureMatrixFormat.COUNT_ROWS);
        this.dim = (int) file.header().count(FeatureMatrixFormat.COUNT_DIM);
        this.side = Side.values()[(int) file.header().count(FeatureMatrixFormat.COUNT_SIDE)];
        this.data = file.body();
    }

    /**
     * Maps {@code path} and checks its header.
     *
     * @param expectedRows the side's node count; the matrix must have exactly one row per node
     * @throws CorruptStoreException if the file is damaged or its rows or side do not match
     */
    public static FeatureMatrix open(Path path, Side side, int expectedRows, Arena arena) throws IOException {
        FeatureMatrix m = new FeatureMatrix(MappedStoreFile.open(path, FeatureMatrixFormat.INSTANCE, arena));
        if (m.side != side || m.rows != expectedRows) {
            throw new CorruptStoreException(path, "holds " + m.rows + " rows of side " + m.side + ", expected "
                    + expectedRows + " rows of side " + side);
        }
        return m;
    }

    public Side side() {
        return side;
    }

    public int rows() {
        return rows;
    }

    public int dim() {
        return dim;
    }

    /** Feature {@code col} of node {@code row}. */
    public float get(int row, int col) {
        assert row >= 0 && row < rows && col >= 0 && col < dim : "row=" + row + " col=" + col;
        return data.getAtIndex(StoreFileFormat.FLOAT, (long) row * dim + col);
    }

    /** Copies node {@code row}'s features into {@code dst[offset, offset + dim)}. */
    public void copyRow(int row, float[] dst, int offset) {
        Objects.checkIndex(row, rows);
        MemorySegment.copy(data, StoreFileFormat.FLOAT, 4L * row * dim, dst, offset, dim);
    }

    /** The whole matrix, row-major little-endian float32, for bulk consumers (SIMD, GPU upload). */
    public MemorySegment segment() {
        return data;
    }

    /** Recomputes the file's checksum. */
    public void verify() throws CorruptStoreException {
        file.verifyChecksum();
    }
}
