package io.pinsage.csr;

import io.pinsage.csr.format.BaseFileFormat;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.StoreFileFormat;

/**
 * Layout of a side's reverse id mapping, dense id to external id ({@code left.ids}, {@code right.ids}),
 * framed by {@link StoreFileFormat}. The forward mapping (external to dense) is the {@link IdMapFormat} table
 * beside it.
 *
 * <pre>
 *  header counts:  [0] ids n   [1] kind (0 LONG, 1 STRING)   [2] side (0 LEFT, 1 RIGHT)   [3] string bytes b   [4] 0
 *
 *  body, kind LONG (b = 0):            body, kind STRING:
 *  +-----------------------------+     +---------------------------------------------+
 *  | external id of node 0 (long)|  0  | start[0] = 0          (long)                |  0
 *  | ...                         |     | ...                                         |
 *  | external id of node n-1     |     | start[n] = b          (long)                |  8n
 *  +-----------------------------+     | UTF-8 bytes of all ids, node 0 first (b)    |  8(n+1)
 *                                      +---------------------------------------------+
 * </pre>
 * The external id of node {@code u} (STRING) is the bytes {@code [start[u], start[u+1])} of the byte area.
 */
public final class IdListFormat extends BaseFileFormat {

    public static final IdListFormat INSTANCE = new IdListFormat();
    public static final String CODEC = "pinsage.ids";
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = VERSION_START;

    public static final int COUNT_IDS = 0;
    public static final int COUNT_KIND = 1;
    public static final int COUNT_SIDE = 2;
    public static final int COUNT_STRING_BYTES = 3;

    public static final int KIND_LONG = 0;
    public static final int KIND_STRING = 1;

    /** Byte offset, within a STRING list's body, of the UTF-8 byte area of a list of {@code ids} ids. */
    public static long stringBytesOffset(long ids) {
        return 8 * (ids + 1);
    }

    private IdListFormat() {
        super(CODEC, VERSION_START, VERSION_CURRENT);
    }

    @Override
    public long bodyLength(FileHeader h) {
        long n = h.count(COUNT_IDS), kind = h.count(COUNT_KIND), b = h.count(COUNT_STRING_BYTES);
        if (n < 0 || n > Integer.MAX_VALUE || b < 0 || (kind != KIND_LONG && kind != KIND_STRING) || (kind == KIND_LONG && b != 0)) {
            throw new IllegalArgumentException("ids=" + n + " kind=" + kind + " stringBytes=" + b);
        }
        return kind == KIND_LONG ? 8 * n : 8 * (n + 1) + b;
    }
}
