package io.pinsage.engine.cli;

import io.pinsage.csr.ResourceLimits;
import io.pinsage.engine.bench.PipelineBench;
import io.pinsage.engine.util.FileTrees;
import io.pinsage.nn.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code pinsage bench pipeline --edges E}: generate, neighbourhoods, training steps, embedding and per-node recursive
 * evaluation on one generated store, with each stage's time, throughput, peak heap and RSS ({@link PipelineBench}).
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "The PinSage pipeline on a generated store of E edges (E/16 pins, E/100 boards): generate, neighbourhoods, "
                + "train --steps steps, embed every node, then per-node recursive evaluation of a sample; prints each stage's "
                + "wall time, throughput, peak heap and peak RSS, the training step time, embed's speed against the recursive "
                + "evaluation and against the machine's random-read and GEMM rates, and the bytes on disk per node of every file.")
final class BenchPipelineCommand implements Callable<Integer> {

    @Option(names = "--edges", required = true, description = "edges of the generated store (at least "
            + PipelineBench.Options.MIN_EDGES + ")")
    long edges;

    @Option(names = "--steps", defaultValue = "100", description = "training steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--sample", defaultValue = "200", description = "nodes evaluated by per-node recursive evaluation (default ${DEFAULT-VALUE})")
    int sample;

    @Option(names = "--threads", description = "threads; default: all cores")
    Integer threads;

    @Option(names = "--memory-budget", defaultValue = "256", paramLabel = "MiB",
            description = "MiB of heap for one chunk of the embedding run (default ${DEFAULT-VALUE})")
    long memoryBudgetMiB;

    @Option(names = "--width", defaultValue = "10", paramLabel = "T", description = "neighbours per node's row, pins' and "
            + "boards' (default ${DEFAULT-VALUE}, the quickstart's; PinSage's is 50)")
    int width;

    @Option(names = "--compare-edges", defaultValue = "0", paramLabel = "E2", description = "also generate a store of E2 edges "
            + "and time the same training steps on it, for the ratio of step times in one run (default: none)")
    long compareEdges;

    @Option(names = "--read-first", description = "before each training's first step, read the files its minibatches "
            + "gather rows from (features, offsets, neighbourhood rows) once in order, so that the steps are timed from the "
            + "page cache, as in any epoch after the first")
    boolean readFirst;

    @Option(names = "--train-only", description = "stop after the training stages (no embed, no recursive sample)")
    boolean trainOnly;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the generator and the training (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--work", description = "directory for the store and the model, kept (default: a temporary one, deleted "
            + "at the end unless --keep)")
    Path work;

    @Option(names = "--keep", description = "keep the temporary directory")
    boolean keep;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        int t = threads != null ? ResourceLimits.requireThreads("--threads", threads) : Runtime.getRuntime().availableProcessors();
        if (memoryBudgetMiB < 1 || memoryBudgetMiB > 1L << 30) {
            throw new IllegalArgumentException("--memory-budget=" + memoryBudgetMiB + ": expected MiB in [1, 2^30]");
        }
        PipelineBench.Options options = new PipelineBench.Options(edges, steps, sample, t, memoryBudgetMiB << 20, seed, width,
                compareEdges, readFirst, trainOnly);
        Path dir = work != null ? work : Files.createTempDirectory("pinsage-pipeline");
        if (work != null && Files.isDirectory(work)) {
            try (var entries = Files.list(work)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--work=" + work + ": expected a missing or empty directory");
                }
            }
        }
        try (Backend backend = device.open()) {
            new PipelineBench(options, dir, backend, ProgressBar.stages(System.err), System.out).run();
        } finally {
            if (work == null && !keep) {
                FileTrees.delete(dir);
            } else {
                System.out.println("kept " + dir);
            }
        }
        return 0;
    }
}
