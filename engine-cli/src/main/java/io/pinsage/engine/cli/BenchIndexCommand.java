package io.pinsage.engine.cli;

import io.pinsage.csr.Residency;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.bench.IndexBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pinsage bench index DIR}: the index's recall and queries/s against the exact scan, in one run. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "The nearest-neighbour index against the exact SIMD scan on the same query pins: recall@k, queries/s, p50, p99.")
final class BenchIndexCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store directory with embeddings and their index")
    Path dir;

    @Option(names = "--queries", defaultValue = "1000", description = "query pins (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--k", defaultValue = "10", description = "neighbours per query (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the query pins (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        IndexBench.Options options = new IndexBench.Options(queries, k, seed);
        // the graph is not walked: mapping it costs nothing
        try (PinSageEngine engine = PinSageEngine.open(dir, EngineOptions.builder().residency(Residency.MAPPED).walkTable(false).build())) {
            new IndexBench(engine, options, System.out).run();
        }
        return 0;
    }
}
