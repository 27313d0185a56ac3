package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Prints a store's statistics. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print a graph store's counts, degree statistics, bytes per edge and files, and the embedding stores beside it (checks headers, not checksums).")
final class InfoCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Store directory.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        try (GraphStore store = GraphStore.open(dir)) {
            StoreReport.print(store, System.out);
            EmbeddingReport.print(dir, System.out, false);
        }
        IndexReport.print(dir, System.out, false);
        return 0;
    }
}
