package io.pinsage.engine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pinsage.csr.ResourceLimits;
import io.pinsage.engine.train.LocalMiniBatchSource;
import io.pinsage.engine.train.NodeInputs;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.rpc.BatchProducer;
import io.pinsage.rpc.MiniBatchCodec;
import io.pinsage.rpc.RemoteMiniBatchSource;
import io.pinsage.rpc.RemoteSamplers;
import io.pinsage.rpc.RpcConfig;
import io.pinsage.rpc.SamplerServer;
import io.pinsage.rpc.SharedSecret;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The minibatch transport on loopback, against its limits, in one run: the loopback's raw TCP throughput (one
 * sender, one receiver, 1 MiB writes), the codec's encode and decode cost per MB, one thread's build cost per batch,
 * and minibatches/s (and MB/s of their frames) taken by a trainer from sampler threads of its own process, from one
 * remote sampler and from two, all with the same number of build threads in total. The samplers are
 * {@link SamplerServer}s of this process on 127.0.0.1: the bytes cross the loopback's TCP stack and both codecs,
 * and every thread shares the machine's cores, as on one host.
 *
 * <p>The batches: {@code batch} random pairs and {@code negatives} shared negatives over {@code nodes} nodes, each
 * with {@code width} random neighbours and {@code featureDim} random features, K layers; built by engine-core's
 * {@link LocalMiniBatchSource} (in process) and its {@link LocalMiniBatchSource#producer} (samplers).
 *
 * <p>Not thread-safe; each measurement starts and stops its own threads and servers.
 */
public final class RpcBenchmark {

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREAD = ManagementFactory.getThreadMXBean();
    private static final byte[] SECRET = "rpc benchmark secret, loopback only".getBytes(StandardCharsets.UTF_8);
    private static final byte[] FINGERPRINT = "rpc benchmark".getBytes(StandardCharsets.UTF_8);

    private final BatchSchedule schedule;
    private final int layers;
    private final ComputationGraphBuilder.Neighborhoods hood;
    private final NodeInputs inputs;
    private final int[] queries;
    private final int[] positives;
    private final int nodes;
    private final TrainingConfig config;

    /**
     * @param batches batches of the epoch each measurement takes
     * @throws IllegalArgumentException naming the settings when the features cannot fit the heap
     */
    public RpcBenchmark(int nodes, int width, int featureDim, int layers, int batch, int negatives, int batches, long seed) {
        ResourceLimits.requireHeap("nodes=" + nodes + " featureDim=" + featureDim, ResourceLimits.bytes(nodes, 4L * featureDim + 8),
                "ask for fewer nodes or features");
        this.nodes = nodes;
        this.layers = layers;
        this.hood = new RandomNeighborhoods(nodes, width, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] features = new float[Math.multiplyExact(nodes, featureDim)];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rnd.nextGaussian();
        }
        this.inputs = NodeInputs.of(nodes, featureDim, featureDim == 0 ? null : features, null);
        int pairs = Math.multiplyExact(batch, batches);
        queries = new int[pairs];
        positives = new int[pairs];
        for (int i = 0; i < pairs; i++) {
            queries[i] = rnd.nextInt(nodes);
            positives[i] = rnd.nextInt(nodes);
        }
        this.schedule = new BatchSchedule(pairs, batch, seed);
        this.config = new TrainingConfig(1, batch, negatives, false, 0, RankingLossKind.MARGIN, 0.1f, 1f, 1e-3f, 1e-3f, 1f, 1,
                seed, 1, 1, 4, 0, false, 0f);
    }

    /** The minibatches of one epoch. */
    public int batches() {
        return schedule.batches();
    }

    /** Batch 0 of epoch 0 as a sampler sends it (without its layer-0 inputs), built on the calling thread. */
    public MiniBatch sample() throws Exception {
        return producer().build(0, 0);
    }

    private BatchProducer producer() {
        return LocalMiniBatchSource.producer(schedule, layers, hood, inputs, queries, positives, 0, nodes, null, config);
    }

    /** Bytes of a batch's frame: the 16-byte header and its body. */
    public static long frameBytes(MiniBatch batch) {
        return 16 + MiniBatchCodec.bodyLength(batch);
    }

    /** Nodes per layer of a batch, layer 0 first, and its edges per layer from 1. */
    public static String shape(MiniBatch batch) {
        ComputationGraph g = batch.graph();
        StringBuilder b = new StringBuilder("nodes per layer");
        for (int k = 0; k <= g.layers(); k++) {
            b.append(' ').append(g.nodeCount(k));
        }
        b.append(", edges per layer");
        for (int k = 1; k <= g.layers(); k++) {
            b.append(' ').append(g.neighbours(k).length);
        }
        return b.toString();
    }

    /**
     * Mean CPU milliseconds of one thread building a batch as a sampler does (without its inputs), over {@code count}
     * batches after {@code warmup}.
     */
    public double buildMillis(int warmup, int count) throws Exception {
        BatchProducer p = producer();
        for (int i = 0; i < warmup; i++) {
            p.build(0, i % batches());
        }
        long t0 = THREAD.getCurrentThreadCpuTime();
        for (int i = 0; i < count; i++) {
            p.build(0, (warmup + i) % batches());
        }
        return (THREAD.getCurrentThreadCpuTime() - t0) / 1e6 / count;
    }

    /**
     * Encode and decode milliseconds of the calling thread's CPU for {@code batch}: {encode, decode}, means over
     * {@code reps}; decoding includes the gather of the batch's layer-0 inputs, as on a trainer. CPU rather than wall
     * time: on cores shared with other processes a thread's wall time also counts the time it waited for a core.
     */
    public double[] codecMillis(MiniBatch batch, int warmup, int reps) {
        long encode = 0;
        long decode = 0;
        for (int r = 0; r < warmup + reps; r++) {
            long t0 = THREAD.getCurrentThreadCpuTime();
            ByteBuf body = MiniBatchCodec.encode(UnpooledByteBufAllocator.DEFAULT, batch, 0, Integer.MAX_VALUE);
            long t1 = THREAD.getCurrentThreadCpuTime();
            try {
                MiniBatchCodec.decode(body, inputs, nodes);
            } finally {
                body.release();
            }
            long t2 = THREAD.getCurrentThreadCpuTime();
            if (r >= warmup) {
                encode += t1 - t0;
                decode += t2 - t1;
            }
        }
        return new double[] {encode / 1e6 / reps, decode / 1e6 / reps};
    }

    /**
     * Throughput of a run: batches taken per second, MB (10^6 bytes) of their frames per second, and the whole
     * process's CPU milliseconds per batch (every thread: builds, codecs, event loops, the collector), which other
     * processes on the same cores slow down but do not change.
     */
    public record Rate(double batchesPerSecond, double megabytesPerSecond, double cpuMillisPerBatch) {
    }

    /** One epoch taken from {@code threads} sampler threads of this process. */
    public Rate inProcess(int threads) {
        TrainingConfig c = new TrainingConfig(1, config.batchSize(), config.sharedNegatives(), false, 0, config.loss(),
                config.margin(), config.temperature(), config.learningRate(), config.embeddingRate(), config.lrDecay(), 1,
                config.seed(), 1, threads, config.queueCapacity(), 0, false, 0f);
        MiniBatchSource.Factory f = LocalMiniBatchSource.factory(schedule, layers, hood, inputs, queries, positives, 0, nodes,
                null, c);
        long t0 = System.nanoTime();
        long cpu0 = PROCESS.getProcessCpuTime();
        long bytes = 0;
        try (MiniBatchSource source = f.open(0, 0)) {
            for (int i = 0; i < batches(); i++) {
                bytes += frameBytes(source.take(0, i));
            }
        }
        return rate(bytes, System.nanoTime() - t0, PROCESS.getProcessCpuTime() - cpu0);
    }

    /**
     * One epoch taken from {@code samplers} samplers on 127.0.0.1 with {@code threadsEach} build threads each; the
     * connections and the handshake are made before the clock starts.
     */
    public Rate remote(int samplers, int threadsEach, RpcConfig rpc) {
        SharedSecret secret = new SharedSecret(SECRET);
        List<SamplerServer> servers = new ArrayList<>();
        try {
            List<InetSocketAddress> at = new ArrayList<>();
            for (int i = 0; i < samplers; i++) {
                SamplerServer s = new SamplerServer(new InetSocketAddress("127.0.0.1", 0), secret, FINGERPRINT, producer(),
                        threadsEach, rpc).start();
                servers.add(s);
                at.add(s.address());
            }
            try (RemoteSamplers trainer = new RemoteSamplers(at, secret, FINGERPRINT, schedule, inputs, nodes, rpc);
                 RemoteMiniBatchSource source = trainer.open(0, 0)) {
                long t0 = System.nanoTime();
                long cpu0 = PROCESS.getProcessCpuTime();
                long bytes = 0;
                for (int i = 0; i < batches(); i++) {
                    bytes += frameBytes(source.take(0, i));
                }
                return rate(bytes, System.nanoTime() - t0, PROCESS.getProcessCpuTime() - cpu0);
            }
        } finally {
            for (SamplerServer s : servers) {
                s.close();
            }
        }
    }

    private Rate rate(long bytes, long nanos, long cpuNanos) {
        double seconds = nanos / 1e9;
        return new Rate(batches() / seconds, bytes / 1e6 / seconds, cpuNanos / 1e6 / batches());
    }

    /**
     * The most nodes layer {@code k} of a batch of this shape lists: every target's neighbourhood, and theirs, without a
     * node shared (a graph much larger than a batch's reach). Shared nodes only make a real batch smaller.
     */
    public static long nodesBound(int batch, int negatives, int width, int layers, int k) {
        double count = 2.0 * batch + negatives;
        for (int j = layers; j > k; j--) {
            count *= width + 1;
        }
        return (long) count;
    }

    /**
     * The largest frame of a batch of this shape, in bytes ({@link #nodesBound} nodes per layer), as
     * {@link MiniBatchCodec#bodyLength} counts it plus the header.
     */
    public static long frameBytesBound(int batch, int negatives, int width, int layers) {
        double ints = 7 + (layers + 1) + layers + nodesBound(batch, negatives, width, layers, 0) + 2.0 * batch + negatives;
        for (int k = 1; k <= layers; k++) {
            double count = nodesBound(batch, negatives, width, layers, k);
            ints += count + 1 + 2 * count * width;
        }
        return 16 + (long) (4 * ints);
    }

    /**
     * The loopback's TCP throughput in MB/s: one thread writes {@code megabytes} MiB in 1 MiB writes from a direct
     * buffer, another reads them into one.
     */
    public static double loopbackMegabytesPerSecond(int megabytes) throws IOException, InterruptedException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            long total = (long) megabytes << 20;
            long[] received = new long[1];
            Thread reader = Thread.ofPlatform().name("rpc-bench-reader").start(() -> {
                try (SocketChannel in = server.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                    long n = 0;
                    while (n < total) {
                        int r = in.read(buf.clear());
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    received[0] = n;
                } catch (IOException e) {
                    received[0] = -1;
                }
            });
            long t0;
            try (SocketChannel out = SocketChannel.open(server.getLocalAddress())) {
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                t0 = System.nanoTime();
                for (long sent = 0; sent < total; sent += 1 << 20) {
                    buf.clear();
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                }
            }
            reader.join();
            long nanos = System.nanoTime() - t0;
            if (received[0] != total) {
                throw new IOException("the loopback reader got " + received[0] + " of " + total + " bytes");
            }
            return total / 1e6 / (nanos / 1e9);
        }
    }
}
