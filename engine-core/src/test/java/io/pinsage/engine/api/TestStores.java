package io.pinsage.engine.api;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.EdgeListIngest;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IngestOptions;
import io.pinsage.csr.InputFormat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small stores with string ids for the facade's and the server's tests. */
public final class TestStores {

    private TestStores() {
    }

    /**
     * A store under {@code dir}/store with pins {@code pin-0 .. pin-(pins-1)} and boards {@code board-0 .. board-9}:
     * pin i is saved to boards i mod 10 and (i·7 + 3) mod 10, so related pins share boards.
     */
    public static Path pinsAndBoards(Path dir, int pins) throws IOException {
        StringBuilder edges = new StringBuilder();
        for (int i = 0; i < pins; i++) {
            edges.append("pin-").append(i).append("\tboard-").append(i % 10).append('\n');
            edges.append("pin-").append(i).append("\tboard-").append((i * 7 + 3) % 10).append('\n');
        }
        Path input = Files.writeString(dir.resolve("edges.tsv"), edges);
        Path store = dir.resolve("store");
        EdgeListIngest.ingest(List.of(input), store, new IngestOptions(InputFormat.TSV, IdKind.STRING, false, false),
                CsrBuildOptions.defaults().withThreads(1));
        return store;
    }
}
