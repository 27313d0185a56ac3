package io.pinsage.engine.cli;

import io.pinsage.csr.GeneratorConfig;
import picocli.CommandLine.Option;

/**
 * The size and seed of a generated pin–board graph ({@code --pins --boards --edges --seed}), shared by the commands
 * that generate one. Each command sets its own defaults: {@code @Mixin GraphSizeOptions size = new
 * GraphSizeOptions(pins, boards, edges, seed);} (picocli fills the given instance and shows its values as defaults).
 * Not thread-safe.
 */
final class GraphSizeOptions {

    @Option(names = "--pins", description = "Pins (left nodes), default ${DEFAULT-VALUE}.")
    int pins;

    @Option(names = "--boards", description = "Boards (right nodes), default ${DEFAULT-VALUE}.")
    int boards;

    @Option(names = "--edges", description = "Edges, default ${DEFAULT-VALUE}.")
    long edges;

    @Option(names = "--seed", description = "Random seed, default ${DEFAULT-VALUE}.")
    long seed;

    GraphSizeOptions(int pins, int boards, long edges, long seed) {
        this.pins = pins;
        this.boards = boards;
        this.edges = edges;
        this.seed = seed;
    }

    /** The generator's settings for this size, with its defaults for everything else. */
    GeneratorConfig config() {
        return GeneratorConfig.of(pins, boards, edges, seed);
    }
}
