package io.pinsage.csr;

import io.pinsage.csr.format.BaseFileFormat;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.StoreFileFormat;

/**
 * Layout of held-out engagement pairs ({@code engagement.pairs}): pairs of left nodes (query pin, related
 * pin) that users engaged with together, kept out of the graph for training and evaluation. Framed by
 * {@link StoreFileFormat}.
 *
 * <pre>
 *  header counts:  [0] pairs p   [1] side of both ids (0 LEFT)   [2..4] 0
 *
 *  body:
 *  +-----------------------------------------------+
 *  |  query[0] (int)   related[0] (int)            |  0
 *  |  ...                                          |
 *  |  query[p-1]       related[p-1]                |  8(p-1)
 *  +-----------------------------------------------+
 * </pre>
 */
public final class PairsFormat extends BaseFileFormat {

    public static final PairsFormat INSTANCE = new PairsFormat();
    public static final String CODEC = "pinsage.pairs";
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = VERSION_START;

    public static final int COUNT_PAIRS = 0;
    public static final int COUNT_SIDE = 1;

    private PairsFormat() {
        super(CODEC, VERSION_START, VERSION_CURRENT);
    }

    @Override
    public long bodyLength(FileHeader h) {
        if (h.count(COUNT_PAIRS) < 0 || h.count(COUNT_SIDE) < 0 || h.count(COUNT_SIDE) > 1) {
            throw new IllegalArgumentException("pairs=" + h.count(COUNT_PAIRS) + " side=" + h.count(COUNT_SIDE));
        }
        return 8 * h.count(COUNT_PAIRS);
    }
}
