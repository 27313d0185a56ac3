package io.pinsage.engine.cli;

import io.pinsage.csr.ResourceLimits;
import io.pinsage.engine.bench.TrainStepBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Times one PinSage training step (batch 512, T = 50, K = 2, widths 256/256/128 by default) in this engine and,
 * on the same exported minibatch, weights and cores, in the PyTorch peer, which first checks that it computes our
 * loss and gradients; prints both times, the peer's BLAS and the ratio. Without {@code --python} the peer's
 * environment comes from {@code benchmarks/peer/setup.sh} (PyTorch from pip, installed on first use).
 */
@Command(name = "train-step", mixinStandardHelpOptions = true,
        description = "Training-step benchmark: our step vs PyTorch's on the same minibatch and threads; prints the ratio.")
final class BenchTrainStepCommand implements Callable<Integer> {

    @Option(names = "--nodes", description = "node space size, default ${DEFAULT-VALUE}")
    int nodes = 20_000;

    @Option(names = "--batch", description = "pairs per step, default ${DEFAULT-VALUE}")
    int batch = 512;

    @Option(names = "--width", description = "neighbours T, default ${DEFAULT-VALUE}")
    int width = 50;

    @Option(names = "--negatives", description = "shared negatives, default ${DEFAULT-VALUE}")
    int negatives = 500;

    @Option(names = "--threads", description = "threads for both, default: all cores")
    Integer threads;

    @Option(names = "--steps", description = "timed steps, default ${DEFAULT-VALUE}")
    int steps = 5;

    @Option(names = "--python", description = "Python with torch and numpy, default: the one benchmarks/peer/setup.sh prepares")
    String python;

    @Override
    public Integer call() throws Exception {
        int t = threads != null ? ResourceLimits.requireThreads("--threads", threads) : Runtime.getRuntime().availableProcessors();
        TrainStepBenchmark bench = new TrainStepBenchmark(nodes, width, 256, 256, 2, 128, batch, negatives, 42);
        System.out.printf(Locale.ROOT, "minibatch: %d pairs, %d shared negatives, T=%d, K=2, widths 256/256/128; nodes per layer %s%n",
                batch, negatives, width, Arrays.toString(bench.layerSizes()));
        double ours = bench.timeSteps(t, 2, steps);
        System.out.printf(Locale.ROOT, "pinsage  step %.1f ms (median of %d, %d threads)%n", ours, steps, t);
        Path file = Files.createTempFile("pinsage-step", ".bin");
        try {
            bench.export(file, t);
            Path home = Path.of(System.getProperty("pinsage.home", "."));
            String peer = python != null ? python : setUpPeer(home);
            Path script = home.resolve("benchmarks/pytorch/pinsage_step.py");
            Process p = new ProcessBuilder(peer, script.toString(), file.toString(), "--threads", Integer.toString(t), "--steps",
                    Integer.toString(steps)).redirectErrorStream(true).start();
            String result = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("pytorch_step_ms=")) {
                        result = line;
                    } else {
                        System.out.println("pytorch: " + line);
                    }
                }
            }
            int exit = p.waitFor();
            if (exit == 3) {
                throw new IllegalArgumentException("the PyTorch peer (python=" + peer + ") computed another loss or other gradients than ours; see its check line above");
            }
            if (exit != 0 || result == null) {
                throw new IllegalArgumentException("the PyTorch peer failed (python=" + peer + "); does it have torch and numpy?");
            }
            double theirs = Double.parseDouble(result.substring("pytorch_step_ms=".length()).split(" ")[0]);
            System.out.printf(Locale.ROOT, "pytorch  step %.1f ms (%s)%n", theirs, result);
            System.out.printf(Locale.ROOT, "ratio    pytorch / pinsage = %.2f (above 1: ours is faster)%n", theirs / ours);
        } finally {
            Files.deleteIfExists(file);
        }
        return 0;
    }

    /** Runs the peer's setup script (its messages pass through) and returns the Python it prints last. */
    private static String setUpPeer(Path home) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", home.resolve("benchmarks/peer/setup.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                last = line;
            }
        }
        if (p.waitFor() != 0 || last == null) {
            throw new IllegalArgumentException("benchmarks/peer/setup.sh could not prepare PyTorch; pass --python=<python with torch>");
        }
        return last;
    }
}
