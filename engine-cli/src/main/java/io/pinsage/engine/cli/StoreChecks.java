package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.ResidencyPolicy;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The checksum reads that commands deriving data from a store run before the work, so that a damaged body never
 * becomes a derived store or a model that looks sound. Opening a store checks only its structure (headers,
 * lengths, offsets; see {@code MappedCsrGraph}); these read every byte once, sequentially, and print one line
 * saying what was read and how long it took. Stateless.
 */
final class StoreChecks {

    private StoreChecks() {
    }

    /**
     * Verifies the graph files: every checksum and neighbour id ({@code MappedCsrGraph.verify}).
     *
     * @throws io.pinsage.csr.format.CorruptStoreException naming the first damaged file
     */
    static void verifyGraph(GraphStore store, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        store.graph().verify();
        print(out, "the graph's checksums and neighbour ids", ResidencyPolicy.adjacencyBytes(store.generation().files()), t0);
    }

    /**
     * Verifies every file of the store ({@link GraphStore#verify()}).
     *
     * @throws io.pinsage.csr.format.CorruptStoreException naming the first damaged file
     */
    static void verifyAll(GraphStore store, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        store.verify();
        print(out, "every checksum of the store", store.generation().totalBytes(), t0);
    }

    private static void print(PrintStream out, String what, long bytes, long t0) {
        out.printf(Locale.ROOT, "verified: %s, %.1f MiB in %.2f s%n", what, bytes / 1048576.0, (System.nanoTime() - t0) / 1e9);
    }
}
