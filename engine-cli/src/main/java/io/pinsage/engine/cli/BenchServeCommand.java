package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Residency;
import io.pinsage.csr.live.LogSync;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.bench.FreshnessBench;
import io.pinsage.engine.bench.ServeBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code pinsage bench serve DIR}: the server's queries/s and p50/p99 against the same calls in-process; with
 * {@code --freshness N}, instead, the time from posting a new pin's edges to that pin in a recommendation.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "/v1/related and /v1/recommend over HTTP on loopback vs the same calls in-process: queries/s, p50, p99;"
                + " or, with --freshness N, from POST /v1/edges of a new pin to the pin in /v1/recommend (and, with --model, in"
                + " /v1/related), N times.")
final class BenchServeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store directory (related pins need its index)")
    Path dir;

    @Mixin
    ResidencyOption residency;

    @Option(names = "--seconds", defaultValue = "4", description = "duration of each measurement (three pairs in-process and"
            + " over HTTP per endpoint), after a third of it of warm-up (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--callers", defaultValue = "2", description = "concurrent callers: threads in-process, connections over"
            + " HTTP (default ${DEFAULT-VALUE})")
    int callers;

    @Option(names = "--workers", description = "the server's query threads (default: the processors)")
    Integer workers;

    @Option(names = "--k", defaultValue = "10", description = "pins per answer (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--steps", defaultValue = "100000", description = "Pixie walk steps per recommendation (default ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--query-pins", defaultValue = "1000", description = "distinct query pins, asked in turn (default ${DEFAULT-VALUE})")
    int queryPins;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the query pins and walks (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--freshness", paramLabel = "N", description = "measure freshness instead, N rounds: the store served with"
            + " live edges, logged beside it (one fsync per batch) and the log removed afterwards; a new pin of few boards ranks"
            + " low in a large store, so ask for a large --k (default: none, the throughput comparison runs)")
    Integer freshness;

    @Option(names = "--model", paramLabel = "MODEL_DIR", description = "with --freshness: an inductive model (trained with"
            + " --id-embeddings off), so the new pins are embedded and /v1/related is timed too (default: none, /v1/recommend only)")
    Path model;

    @Override
    public Integer call() throws Exception {
        if (freshness != null) {
            return freshness();
        }
        ServeBench.Options options = new ServeBench.Options(seconds, callers,
                workers == null ? Runtime.getRuntime().availableProcessors() : workers, k, steps, queryPins, seed);
        try (PinSageEngine engine = PinSageEngine.open(dir, EngineOptions.builder().residency(residency.asked()).build())) {
            System.out.println(ServeCommand.residencyLine(engine));
            new ServeBench(engine, options, System.out).run();
        }
        return 0;
    }

    private int freshness() throws Exception {
        FreshnessBench.Options options = new FreshnessBench.Options(freshness,
                workers == null ? Runtime.getRuntime().availableProcessors() : workers, k, steps, seed, Duration.ofSeconds(10));
        Path log = dir.resolve("bench-freshness-" + ProcessHandle.current().pid() + ".log");
        EngineOptions.Builder b = EngineOptions.builder().residency(residency.asked()).liveEdges(log, LogSync.eachBatch());
        if (model != null) {
            b.model(model);
        }
        try (PinSageEngine engine = PinSageEngine.open(dir, b.build());
             GraphStore store = GraphStore.open(dir, Residency.MAPPED)) {
            System.out.println(ServeCommand.residencyLine(engine) + "; live edges logged to " + log + ", one fsync per batch");
            new FreshnessBench(engine, store, options, System.out).run();
        } finally {
            Files.deleteIfExists(log);
        }
        return 0;
    }
}
