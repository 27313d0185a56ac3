package io.pinsage.csr.embedding;

import io.pinsage.csr.Side;
import io.pinsage.csr.format.BaseFileFormat;
import io.pinsage.csr.format.FileHeader;

import java.util.HexFormat;
import java.util.Locale;

/**
 * Layout of the embedding file ({@value #FILE_NAME}), codec {@value #CODEC}: one float32 vector per node of one
 * side, in fixed-width rows so that node u's vector sits at a computed offset. Framed by
 * {@link io.pinsage.csr.format.StoreFileFormat} (header, CRC32C footer).
 *
 * <p>Header counts:
 * <pre>
 *  count[0]  flags           bit 0: the side of the nodes (0 = LEFT, 1 = RIGHT); bit 1: rows are L2-normalised
 *  count[1]  nodeCount       number of rows, one per node id 0 .. nodeCount-1
 *  count[2]  dim             floats per row (1 .. 65536)
 *  count[3]  fingerprintHigh bits 127..64 of the fingerprint of the model that wrote the rows
 *  count[4]  fingerprintLow  bits 63..0 of that fingerprint
 * </pre>
 *
 * <p>Body: {@code nodeCount} rows of 4·dim bytes, little-endian, row-major:
 * <pre>
 *  row u:  v[0] v[1] ... v[dim-1]            float32 each, at byte u·dim·4 of the body
 * </pre>
 * With the 80-byte header every float is 4-byte aligned (16-byte aligned rows when dim is a multiple of 4).
 *
 * <p>The fingerprint is written as {@value #FINGERPRINT_HEX_DIGITS} lowercase hex digits, high half first.
 */
public final class EmbeddingFormat extends BaseFileFormat {

    /** The only instance. */
    public static final EmbeddingFormat INSTANCE = new EmbeddingFormat();

    public static final String CODEC = "pinsage.embeddings.f32";
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = VERSION_START;
    public static final String FILE_NAME = "embeddings";
    public static final int MAX_DIM = 1 << 16;
    public static final int FINGERPRINT_HEX_DIGITS = 32;

    public static final int COUNT_FLAGS = 0;
    public static final int COUNT_NODES = 1;
    public static final int COUNT_DIM = 2;
    public static final int COUNT_FINGERPRINT_HIGH = 3;
    public static final int COUNT_FINGERPRINT_LOW = 4;

    static final long FLAG_RIGHT = 1;
    static final long FLAG_NORMALIZED = 2;

    private EmbeddingFormat() {
        super(CODEC, VERSION_START, VERSION_CURRENT);
    }

    @Override
    public long bodyLength(FileHeader header) {
        long flags = header.count(COUNT_FLAGS);
        if (flags < 0 || flags > (FLAG_RIGHT | FLAG_NORMALIZED)) {
            throw new IllegalArgumentException("flags=" + flags + ": must lie in [0, 3] (bit 0 the side, bit 1 normalised)");
        }
        long nodes = header.count(COUNT_NODES);
        if (nodes < 0 || nodes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("nodeCount=" + nodes + ": must lie in [0, 2^31)");
        }
        long dim = header.count(COUNT_DIM);
        checkDim(dim);
        return nodes * rowBytes((int) dim);
    }

    /** Bytes of one row of {@code dim} floats. */
    public static long rowBytes(int dim) {
        return 4L * dim;
    }

    /** Byte offset, within the body, of node {@code node}'s first float. */
    public static long rowOffset(int node, int dim) {
        return node * rowBytes(dim);
    }

    /** Header count 0 for rows of {@code side}, normalised or not. */
    static long flags(Side side, boolean normalized) {
        return (side == Side.RIGHT ? FLAG_RIGHT : 0) | (normalized ? FLAG_NORMALIZED : 0);
    }

    static Side side(FileHeader header) {
        return (header.count(COUNT_FLAGS) & FLAG_RIGHT) != 0 ? Side.RIGHT : Side.LEFT;
    }

    static boolean normalized(FileHeader header) {
        return (header.count(COUNT_FLAGS) & FLAG_NORMALIZED) != 0;
    }

    static String fingerprint(FileHeader header) {
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(header.count(COUNT_FINGERPRINT_HIGH)) + hex.toHexDigits(header.count(COUNT_FINGERPRINT_LOW));
    }

    /**
     * @return the fingerprint as its two header counts, high half first
     * @throws IllegalArgumentException unless {@code fingerprint} is {@value #FINGERPRINT_HEX_DIGITS} hex digits
     */
    static long[] fingerprintCounts(String fingerprint) {
        if (fingerprint == null || fingerprint.length() != FINGERPRINT_HEX_DIGITS
                || !fingerprint.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("fingerprint=" + fingerprint + ": must be " + FINGERPRINT_HEX_DIGITS + " hex digits");
        }
        String lower = fingerprint.toLowerCase(Locale.ROOT);
        return new long[] {HexFormat.fromHexDigitsToLong(lower, 0, 16), HexFormat.fromHexDigitsToLong(lower, 16, 32)};
    }

    /**
     * @throws IllegalArgumentException unless {@code 1 <= dim <= MAX_DIM}
     */
    public static void checkDim(long dim) {
        if (dim < 1 || dim > MAX_DIM) {
            throw new IllegalArgumentException("dim=" + dim + ": must lie in [1, " + MAX_DIM + "]");
        }
    }
}
