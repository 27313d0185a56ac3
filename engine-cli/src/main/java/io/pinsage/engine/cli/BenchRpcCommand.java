package io.pinsage.engine.cli;

import io.pinsage.engine.bench.RpcBenchmark;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.rpc.RpcConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Minibatches over loopback TCP ({@link RpcBenchmark}): the loopback's raw throughput, the codec's cost per MB, the
 * build cost per batch, and batches/s and CPU per batch from sampler threads of this process vs one and two samplers on
 * 127.0.0.1, all in one run, after untimed warm-up rounds of the same; then the frame of the paper's batch shape,
 * bounded.
 */
@Command(name = "rpc", mixinStandardHelpOptions = true,
        description = "Minibatch transport benchmark on loopback: batches/s and MB/s in process vs one and two samplers, "
                + "against the loopback's TCP throughput and the codec's cost, measured in the same run.")
final class BenchRpcCommand implements Callable<Integer> {

    @Option(names = "--nodes", description = "node space size, default ${DEFAULT-VALUE}")
    int nodes = 1_000_000;

    @Option(names = "--batch", description = "pairs per batch, default ${DEFAULT-VALUE}")
    int batch = 512;

    @Option(names = "--negatives", description = "shared negatives, default ${DEFAULT-VALUE}")
    int negatives = 500;

    @Option(names = "--width", description = "neighbours T, default ${DEFAULT-VALUE}")
    int width = 10;

    @Option(names = "--layers", description = "layers K, default ${DEFAULT-VALUE}")
    int layers = 2;

    @Option(names = "--features", description = "features per node, default ${DEFAULT-VALUE}")
    int features = 64;

    @Option(names = "--batches", description = "batches per measurement, default ${DEFAULT-VALUE}")
    int batches = 40;

    @Option(names = "--threads", description = "build threads in all, default ${DEFAULT-VALUE}")
    int threads = 2;

    @Option(names = "--loopback-mb", description = "MiB sent to measure the loopback, default ${DEFAULT-VALUE}")
    int loopbackMb = 2048;

    @Option(names = "--max-frame-mb", description = "largest frame taken, in MiB, default ${DEFAULT-VALUE}")
    int maxFrameMb = 256;

    @Option(names = "--prefetch", description = "credits the trainer grants each sampler, default ${DEFAULT-VALUE}")
    int prefetch = RpcConfig.DEFAULTS.prefetch();

    @Option(names = "--rounds", description = "rounds of the three measurements; all but the last are untimed warm-up "
            + "(the first round also compiles the transport's code), default ${DEFAULT-VALUE}")
    int rounds = 2;

    @Override
    public Integer call() throws Exception {
        for (int[] v : new int[][] {{nodes, 1}, {batch, 1}, {negatives, 0}, {width, 1}, {layers, 1}, {features, 0},
                {batches, 1}, {threads, 1}, {loopbackMb, 1}, {rounds, 1}}) {
            if (v[0] < v[1]) {
                throw new IllegalArgumentException("--nodes, --batch, --width, --layers, --batches, --threads, "
                        + "--loopback-mb and --rounds must be >= 1, --negatives and --features >= 0; got " + v[0]);
            }
        }
        RpcConfig rpc = SamplingOptions.rpcConfig(maxFrameMb, prefetch);
        RpcBenchmark bench = new RpcBenchmark(nodes, width, features, layers, batch, negatives, batches, 42);
        MiniBatch sample = bench.sample();
        double frameMb = RpcBenchmark.frameBytes(sample) / 1e6;
        System.out.printf(Locale.ROOT, "minibatch: %d pairs, %d shared negatives, T=%d, K=%d, %d features over %d nodes; "
                + "%s; frame %.2f MB%n", batch, negatives, width, layers, features, nodes, RpcBenchmark.shape(sample), frameMb);
        double loopback = RpcBenchmark.loopbackMegabytesPerSecond(loopbackMb);
        System.out.printf(Locale.ROOT, "loopback TCP: %.0f MB/s (%d MiB, one connection, 1 MiB writes)%n", loopback, loopbackMb);
        double[] codec = bench.codecMillis(sample, 20, 10);
        System.out.printf(Locale.ROOT, "codec, CPU of one thread: encode %.2f ms per batch (%.2f ms/MB of frame), decode "
                + "and gather the inputs %.2f ms per batch%n", codec[0], codec[0] / frameMb, codec[1]);
        double build = bench.buildMillis(3, 10);
        System.out.printf(Locale.ROOT, "build as a sampler (no inputs): %.1f CPU ms per batch on one thread (%.0f MB/s of "
                + "frames)%n", build, frameMb / (build / 1e3));
        int each = Math.max(1, threads / 2);
        for (int r = 1; r < rounds; r++) {
            bench.inProcess(threads);
            bench.remote(1, threads, rpc);
            bench.remote(2, each, rpc);
        }
        RpcBenchmark.Rate local = bench.inProcess(threads);
        print("in process, " + threads + " threads", local, local, loopback);
        print("1 sampler x " + threads + " threads", bench.remote(1, threads, rpc), local, loopback);
        print("2 samplers x " + each + " threads", bench.remote(2, each, rpc), local, loopback);
        long paper = RpcBenchmark.frameBytesBound(512, 500, 50, 2);
        long gathered = RpcBenchmark.nodesBound(512, 500, 50, 2, 0) * 4 * (256 + 1);
        System.out.printf(Locale.ROOT, "the paper's shape (512 pairs, 500 negatives, T=50, K=2, 256 features): a frame of at "
                + "most %.2f GB when no node is shared (%s; --max-frame-mb allows %d MiB), and %.2f GB of inputs the "
                + "trainer gathers%n", paper / 1e9, paper > Integer.MAX_VALUE ? "beyond a frame's 2 GiB"
                : "within a frame's 2 GiB", maxFrameMb, gathered / 1e9);
        return 0;
    }

    private static void print(String what, RpcBenchmark.Rate r, RpcBenchmark.Rate local, double loopback) {
        System.out.printf(Locale.ROOT, "%-28s %8.1f batches/s %8.0f MB/s %7.1f CPU ms/batch  (%.2fx in process, %.2fx its "
                        + "CPU, %.0f%% of loopback)%n", what + ":", r.batchesPerSecond(), r.megabytesPerSecond(),
                r.cpuMillisPerBatch(), r.batchesPerSecond() / local.batchesPerSecond(),
                r.cpuMillisPerBatch() / local.cpuMillisPerBatch(), 100 * r.megabytesPerSecond() / loopback);
    }
}
