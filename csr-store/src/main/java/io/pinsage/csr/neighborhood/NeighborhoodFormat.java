package io.pinsage.csr.neighborhood;

import io.pinsage.csr.Side;
import io.pinsage.csr.format.BaseFileFormat;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.FileHeader;

import java.nio.file.Path;

/**
 * Layout of the neighbourhood file ({@value #FILE_NAME}), codec {@value #CODEC}: for every node of one side,
 * its T most important neighbours (ids and weights), in fixed-width rows so that node u's row sits at a
 * computed offset. Framed by {@link io.pinsage.csr.format.StoreFileFormat} (header, CRC32C footer).
 *
 * <p>Header counts:
 * <pre>
 *  count[0]  sides           bit 0: the side of the nodes, bit 1: the side of their neighbours' ids
 *                            (0 = LEFT, 1 = RIGHT each; rows of a user's own items are RIGHT nodes of LEFT ids)
 *  count[1]  nodeCount       number of rows, one per node id 0 .. nodeCount-1
 *  count[2]  width           T, slots per row (1 .. 65536)
 *  count[3]  stepsPerNode    walk steps that produced the rows (informational)
 *  count[4]  seed            seed of those walks (informational; rows are reproducible from it)
 * </pre>
 *
 * <p>Body: {@code nodeCount} rows of {@value #ROW_BYTES_PER_SLOT}·T bytes, little-endian:
 * <pre>
 *  row u:  id[0] id[1] ... id[T-1]            int32 each, neighbour ids, most important first
 *          weight[0] ... weight[T-1]          float32 each, importance; the used slots sum to 1
 * </pre>
 * A row uses its first n ≤ T slots; unused slots hold id {@value #EMPTY_ID} and weight 0, so n is the index of
 * the first empty id (a node without edges has n = 0). Rows are 8·T bytes, so with the 80-byte header every
 * id and weight is 4-byte aligned.
 *
 * <p>Versions: 1, the first, recorded one side for nodes and neighbours alike; 2 records both (count[0]). A
 * version 1 file is recognised, so that opening one says to rebuild it ({@link #requireCurrent}), and not read.
 */
public final class NeighborhoodFormat extends BaseFileFormat {

    /** The only instance. */
    public static final NeighborhoodFormat INSTANCE = new NeighborhoodFormat();

    public static final String CODEC = "pinsage.neighborhoods";
    public static final int VERSION_START = 1;
    /** The first version that records the neighbours' side. */
    public static final int VERSION_SIDES = 2;
    public static final int VERSION_CURRENT = VERSION_SIDES;
    public static final String FILE_NAME = "neighborhoods";
    /**
     * Text beside the rows in the same generation, {@code key=value} lines saying how they were chosen beyond the
     * header's counts (the kind of row, the restart probability); absent in stores written before it existed.
     */
    public static final String SETTINGS_FILE = "neighborhoods.settings";
    public static final int EMPTY_ID = -1;
    public static final int ROW_BYTES_PER_SLOT = 8;
    public static final int MAX_WIDTH = 1 << 16;

    public static final int COUNT_SIDES = 0;
    public static final int COUNT_NODES = 1;
    public static final int COUNT_WIDTH = 2;
    public static final int COUNT_STEPS = 3;
    public static final int COUNT_SEED = 4;

    private NeighborhoodFormat() {
        super(CODEC, VERSION_START, VERSION_CURRENT);
    }

    @Override
    public long bodyLength(FileHeader header) {
        long sides = header.count(COUNT_SIDES);
        if (sides < 0 || sides > 3) {
            throw new IllegalArgumentException("sides=" + sides
                    + ": must lie in [0, 3] (bit 0 the nodes' side, bit 1 the neighbours')");
        }
        long nodes = header.count(COUNT_NODES);
        long width = header.count(COUNT_WIDTH);
        if (nodes < 0 || nodes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nodeCount=" + nodes + ": must lie in [0, 2^31)");
        }
        checkWidth(width);
        return nodes * rowBytes((int) width);
    }

    /** Bytes of one row of {@code width} slots. */
    public static long rowBytes(int width) {
        return (long) ROW_BYTES_PER_SLOT * width;
    }

    /** Byte offset, within the body, of node {@code node}'s first id. */
    public static long idOffset(int node, int width) {
        return node * rowBytes(width);
    }

    /** Byte offset, within the body, of node {@code node}'s first weight. */
    public static long weightOffset(int node, int width) {
        return node * rowBytes(width) + 4L * width;
    }

    /** The side of the nodes, recorded in header count 0. */
    public static Side side(FileHeader header) {
        return Side.values()[(int) (header.count(COUNT_SIDES) & 1)];
    }

    /** The side of the neighbours' ids, recorded in header count 0 (version 2 on). */
    public static Side neighborSide(FileHeader header) {
        return Side.values()[(int) (header.count(COUNT_SIDES) >> 1)];
    }

    /** Header count 0 for rows of nodes of {@code side} whose neighbours lie on {@code neighborSide}. */
    public static long sides(Side side, Side neighborSide) {
        return side.ordinal() | (long) neighborSide.ordinal() << 1;
    }

    /**
     * @throws CorruptStoreException naming {@code file} and saying to rebuild it, if its header is of a version
     *                               before {@link #VERSION_SIDES}
     */
    public static void requireCurrent(Path file, FileHeader header) throws CorruptStoreException {
        if (header.version() < VERSION_SIDES) {
            throw new CorruptStoreException(file, CODEC + " version " + header.version() + " does not record the side of "
                    + "the neighbours (version " + VERSION_CURRENT + " does): rebuild it (the neighborhoods command, or "
                    + "retrain the model that holds it)");
        }
    }

    /**
     * @throws IllegalArgumentException unless {@code 1 <= width <= MAX_WIDTH}
     */
    public static void checkWidth(long width) {
        if (width < 1 || width > MAX_WIDTH) {
            throw new IllegalArgumentException("width=" + width + ": must lie in [1, " + MAX_WIDTH + "]");
        }
    }
}
