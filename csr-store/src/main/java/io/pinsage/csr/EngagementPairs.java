package io.pinsage.csr;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreFileFormat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Held-out engagement pairs (query pin, related pin), memory-mapped ({@link PairsFormat}). O(1) per access,
 * no allocation, thread-safe for reading; valid as long as the arena it was opened with.
 */
public final class EngagementPairs {

    private final MappedStoreFile file;
    private final int count;

    private EngagementPairs(MappedStoreFile file) {
        this.file = file;
        this.count = Math.toIntExact(file.header().count(PairsFormat.COUNT_PAIRS));
    }

    /**
     * Maps {@code path} and checks that every id is a node of {@code graph}'s side of the pairs. Cost: one
     * sequential read of the pairs (8 bytes each).
     *
     * @throws CorruptStoreException naming the file if it is damaged or an id lies outside the side
     */
    public static EngagementPairs open(Path path, BipartiteGraph graph, Arena arena) throws IOException {
        EngagementPairs pairs = new EngagementPairs(MappedStoreFile.open(path, PairsFormat.INSTANCE, arena));
        Side side = Side.values()[(int) pairs.file.header().count(PairsFormat.COUNT_SIDE)];
        int bound = graph.nodeCount(side);
        MemorySegment ids = pairs.file.body();
        for (long i = 0, n = 2L * pairs.count; i < n; i++) {
            int id = ids.getAtIndex(StoreFileFormat.INT, i);
            if (id < 0 || id >= bound) {
                throw new CorruptStoreException(path, (i % 2 == 0 ? "query" : "related") + " id " + id + " of pair "
                        + i / 2 + " lies outside [0, " + bound + ") of side " + side);
            }
        }
        return pairs;
    }

    public int count() {
        return count;
    }

    /** Query pin of pair {@code i}. */
    public int query(int i) {
        return file.body().getAtIndex(StoreFileFormat.INT, 2L * i);
    }

    /** Related pin of pair {@code i}. */
    public int related(int i) {
        return file.body().getAtIndex(StoreFileFormat.INT, 2L * i + 1);
    }
}
