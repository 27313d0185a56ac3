package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Checks every checksum and invariant of a store. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a graph store fully: manifest, headers, every checksum, offsets, neighbour ranges, id maps, and the checksums of the embedding stores beside it. Exit 0 if sound, 2 with the damaged file named otherwise.")
final class VerifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Store directory.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        try (GraphStore store = GraphStore.open(dir)) {
            store.verify();
            System.out.printf("ok: %s, %d files, %,d bytes verified in %.1f s%n", store.generation().directory(),
                    store.generation().files().size(), store.generation().totalBytes(), (System.nanoTime() - t0) / 1e9);
            EmbeddingReport.print(dir, System.out, true);
        }
        IndexReport.print(dir, System.out, true);
        return 0;
    }
}
