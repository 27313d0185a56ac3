package io.pinsage.engine.cli;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingPair;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.StoreDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The lines {@code info} and {@code verify} print for the embedding stores beside a graph store
 * ({@link EmbeddingStore#defaultRoot}), one per side that has one: rows, width, the model's fingerprint, whether rows
 * are normalised, the generation. Stateless.
 */
final class EmbeddingReport {

    private EmbeddingReport() {
    }

    /**
     * @param verify also check each store's checksum (one read of its file)
     * @throws io.pinsage.csr.format.CorruptStoreException naming the file of a damaged store, or both stores' files
     *                                                     where they are not of one embed run
     */
    static void print(Path graphRoot, PrintStream out, boolean verify) throws IOException {
        for (Side side : Side.values()) {
            Path root = EmbeddingStore.defaultRoot(graphRoot, side);
            if (!StoreDirectory.isPublished(root)) {
                continue;
            }
            try (EmbeddingStore s = EmbeddingPair.open(graphRoot, side, verify)) {
                out.printf(Locale.ROOT, "%-16s %,d rows x %d float32 (%s), model %s, %snormalised, %,d bytes%s: %s%n",
                        root.getFileName(), s.nodeCount(), s.dim(), side, s.modelFingerprint(), s.normalized() ? "" : "not ",
                        s.vectors().byteSize(), verify ? " verified" : "", s.path().getParent());
            }
        }
    }
}
