package io.pinsage.engine.cli;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingPair;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.engine.ann.AnnIndex;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** The nearest-neighbour index's line of {@code info} and {@code verify}: nothing when the store has no index. */
final class IndexReport {

    private IndexReport() {
    }

    /**
     * Opens the index of {@code dir}'s pin embeddings, if one is published, and prints its size; with {@code verify}
     * its graph's checksum is checked too.
     *
     * @throws CorruptStoreException the index is damaged, lacks its embeddings, or was built from other embeddings
     */
    static void print(Path dir, PrintStream out, boolean verify) throws IOException {
        Path root = AnnIndex.defaultRoot(dir, Side.LEFT);
        if (!StoreDirectory.isPublished(root)) {
            return;
        }
        Path embeddingRoot = EmbeddingStore.defaultRoot(dir, Side.LEFT);
        if (!StoreDirectory.isPublished(embeddingRoot)) {
            throw new CorruptStoreException(root, "an index without the embeddings it was built from (" + embeddingRoot + ")");
        }
        StoreGeneration g = StoreDirectory.openCurrent(root);
        try (EmbeddingStore embeddings = EmbeddingPair.open(dir, Side.LEFT, false);
             AnnIndex index = AnnIndex.open(root, embeddings, verify)) {
            out.printf("%sindex: %,d pins, degree %d, by dot product, %,d bytes in %s%n", verify ? "ok: " : "", index.size(),
                    index.maxDegree(), g.totalBytes(), g.directory());
        }
    }
}
