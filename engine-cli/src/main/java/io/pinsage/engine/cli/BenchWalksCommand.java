package io.pinsage.engine.cli;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PowerLawGraph;
import io.pinsage.engine.bench.WalkBench;
import io.pinsage.walk.TableWalker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code pinsage bench walks}: walk step rate against the random-read rate, Pixie latency and throughput,
 * neighbourhood rate, on a generated power-law graph or on a store.
 */
@Command(name = "walks", mixinStandardHelpOptions = true,
        description = "Uniform walk steps/s vs the machine's random-read rate, Pixie p50/p99 and queries/s, neighbourhoods/s.")
final class BenchWalksCommand implements Callable<Integer> {

    @Option(names = "--store", description = "graph store directory to walk (default: generate a power-law graph on the heap)")
    Path store;

    @Mixin
    ResidencyOption residency;

    @Option(names = "--pins", defaultValue = "7000000", description = "generated pins (default ${DEFAULT-VALUE})")
    int pins;

    @Option(names = "--boards", defaultValue = "3000000", description = "generated boards (default ${DEFAULT-VALUE})")
    int boards;

    @Option(names = "--edges", defaultValue = "200000000", description = "generated edges (default ${DEFAULT-VALUE})")
    long edges;

    @Option(names = "--skew", defaultValue = "2.0", description = "degree skew of the generator, >= 1 (default ${DEFAULT-VALUE})")
    double skew;

    @Option(names = "--lanes", defaultValue = "64", description = "walkers in lockstep per thread (default ${DEFAULT-VALUE})")
    int lanes;

    @Option(names = "--walk-table", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also walk a walk-oriented copy of the adjacency (about 8 bytes per edge more memory; default ${DEFAULT-VALUE})")
    boolean walkTable;

    @Option(names = "--csr", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also measure the CSR engine, its random-read probe and neighbourhoods; --no-csr leaves the memory to the walk table (default ${DEFAULT-VALUE})")
    boolean csr;

    @Option(names = "--table-lanes", defaultValue = "" + TableWalker.DEFAULT_LANES, description = "walkers in lockstep on the walk table (default ${DEFAULT-VALUE})")
    int tableLanes;

    @Option(names = "--seconds", defaultValue = "3", description = "duration of each rate measurement (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--pixie-steps", defaultValue = "100000", description = "Pixie steps N per query (default ${DEFAULT-VALUE})")
    long pixieSteps;

    @Option(names = "--queries", defaultValue = "1000", description = "Pixie queries timed (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--threads", defaultValue = "2", description = "threads for throughput figures (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--neighborhood-nodes", defaultValue = "20000", description = "nodes timed for neighbourhoods (default ${DEFAULT-VALUE})")
    int neighborhoodNodes;

    @Option(names = "--probe-max-gib", defaultValue = "8", description = "cap on the random-read probe's array, GiB (default ${DEFAULT-VALUE})")
    double probeMaxGib;

    @Option(names = "--seed", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        WalkBench.Options options = new WalkBench.Options(lanes, seconds, pixieSteps, queries, threads, neighborhoodNodes,
                (long) (probeMaxGib * (1L << 30)), seed, walkTable, tableLanes, csr);
        if (!csr && !walkTable) {
            throw new IllegalArgumentException("--no-csr with --no-walk-table leaves nothing to measure: keep at least one engine");
        }
        if (store != null) {
            try (GraphStore g = residency.open(store, System.out, Long.MAX_VALUE)) {
                new WalkBench(g.graph(), options, System.out).run();
            }
            return 0;
        }
        long t0 = System.nanoTime();
        BipartiteGraph g = PowerLawGraph.generate(pins, boards, edges, skew, seed);
        System.out.printf("generated      power-law graph (skew %.1f) in %.1f s%n", skew, (System.nanoTime() - t0) / 1e9);
        new WalkBench(g, options, System.out).run();
        return 0;
    }
}
