package io.pinsage.csr;

import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreFileFormat;

import java.io.IOException;
import java.lang.foreign.Arena;
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

    public static EngagementPairs open(Path path, Arena arena) throws IOException {
        return new EngagementPairs(MappedStoreFile.open(path, PairsFormat.INSTANCE, arena));
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
