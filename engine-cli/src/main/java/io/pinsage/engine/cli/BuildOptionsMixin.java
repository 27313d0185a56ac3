package io.pinsage.engine.cli;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.DuplicatePolicy;
import picocli.CommandLine.Option;

/** The CSR build's resource options, shared by every command that builds a graph store. */
final class BuildOptionsMixin {

    @Option(names = "--threads", description = "Worker threads for the sort passes (and the generator, where there is one); default: all cores.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--edges-per-shard", description = "Edges sorted in memory at once per thread; heap is about threads x this x 4 bytes (default: ${DEFAULT-VALUE}).")
    int edgesPerShard = 1 << 27;

    @Option(names = "--bucket-nodes", description = "Left nodes per spill bucket (default: ${DEFAULT-VALUE}).")
    int bucketNodes = 1 << 18;

    @Option(names = "--duplicates", description = "Parallel edges: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    DuplicatePolicy duplicates = DuplicatePolicy.KEEP;

    CsrBuildOptions options() {
        return new CsrBuildOptions(threads, edgesPerShard, bucketNodes, duplicates, false);
    }
}
