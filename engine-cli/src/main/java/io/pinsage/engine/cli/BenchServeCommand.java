package io.pinsage.engine.cli;

import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.bench.ServeBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pinsage bench serve DIR}: the server's queries/s and p50/p99 against the same calls in-process. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "/v1/related and /v1/recommend over HTTP on loopback vs the same calls in-process: queries/s, p50, p99.")
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

    @Override
    public Integer call() throws Exception {
        ServeBench.Options options = new ServeBench.Options(seconds, callers,
                workers == null ? Runtime.getRuntime().availableProcessors() : workers, k, steps, queryPins, seed);
        try (PinSageEngine engine = PinSageEngine.open(dir, EngineOptions.builder().residency(residency.asked()).build())) {
            System.out.println(ServeCommand.residencyLine(engine));
            new ServeBench(engine, options, System.out).run();
        }
        return 0;
    }
}
