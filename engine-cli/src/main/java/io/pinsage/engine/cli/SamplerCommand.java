package io.pinsage.engine.cli;

import io.netty.handler.ssl.SslContext;
import io.pinsage.csr.GraphStore;
import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.pipeline.LightGcnRecommender;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.train.RunFingerprint;
import io.pinsage.engine.train.TrainingBatches;
import io.pinsage.rpc.RpcConfig;
import io.pinsage.rpc.SamplerServer;
import io.pinsage.rpc.SharedSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Serves a training run's minibatches to trainers ({@code train --samplers}) until the process is stopped: builds
 * the neighbourhoods from the dataset into its work directory (or maps them from a previous start, or, for a
 * pin–board store, from the store's own neighbourhood stores when they match), listens, and builds each batch a
 * trainer asks for (a store's hard negatives included). Prints {@code listening on HOST:PORT} on stdout once it listens; admissions,
 * refusals and lost trainers go to stderr.
 */
@Command(name = "sampler", mixinStandardHelpOptions = true,
        description = "Build minibatches for trainers on other machines (train --samplers HOST:PORT,...) until stopped. "
                + "Give it the trainer's --dataset and training options: trainer and sampler compare a fingerprint of "
                + "data and settings before any batch moves, and name what differs.")
final class SamplerCommand implements Callable<Integer> {

    @Option(names = "--dataset", paramLabel = "KIND:PATH", description = "the trainer's dataset: lightgcn:DIR, or "
            + "store:DIR (synthetic:DIR), a pin-board store (default: the first parameter)")
    String dataset;

    @Parameters(arity = "0..1", paramLabel = "DATASET", description = "the trainer's dataset, as --dataset")
    String datasetParameter;

    @Option(names = "--hard-band", paramLabel = "FROM-TO", description = "the trainer's --hard-band (default: train's, "
            + "2000-5000 scaled to the pins or items)")
    String hardBand;

    @Option(names = "--id-embeddings", paramLabel = "on|off|hashed:N", description = "store:DIR only: the trainer's "
            + "--id-embeddings (default: ${DEFAULT-VALUE})")
    String idEmbeddings = "off";

    @Option(names = "--work", required = true, paramLabel = "DIR", description = "directory for the training graph and "
            + "neighbourhood stores: built at the first start, mapped again at the next")
    Path work;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "where to listen; port 0 "
            + "picks a free one")
    String listen;

    @Option(names = "--secret-file", required = true, paramLabel = "FILE", description = "the secret the trainers hold "
            + "too (at least 16 bytes)")
    Path secretFile;

    @Option(names = "--threads", description = "build threads; default: all cores")
    Integer threads;

    @Option(names = "--max-frame-mb", paramLabel = "MB", defaultValue = "256", description = "largest frame taken from a "
            + "trainer, in MiB, at most 2047 (default: ${DEFAULT-VALUE})")
    int maxFrameMb;

    @Option(names = "--prefetch", paramLabel = "N", description = "the most batches of one trainer built (or held built) "
            + "at once, its further requests waiting their turn; in [1, 1024] (default: ${DEFAULT-VALUE}, as many as the "
            + "trainer's --prefetch credits allow)")
    int prefetch = RpcConfig.MAX_PREFETCH;

    @Mixin
    TlsOptions tls = new TlsOptions();

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() throws Exception {
        if ((dataset == null) == (datasetParameter == null)) {
            throw new IllegalArgumentException("--dataset: give the trainer's dataset once, as --dataset KIND:PATH or as "
                    + "the first parameter");
        }
        DatasetSpec spec = DatasetSpec.parse(dataset != null ? dataset : datasetParameter);
        if (!spec.kind().equals("lightgcn") && !spec.isStore()) {
            throw new IllegalArgumentException("--dataset=" + spec.kind() + ":" + spec.path() + ": a sampler serves "
                    + "lightgcn:DIR and store:DIR datasets");
        }
        if (!spec.isStore() && !idEmbeddings.equals("off")) {
            throw new IllegalArgumentException("--id-embeddings: for store:DIR datasets");
        }
        if (spec.isStore()) {
            training.requireConvolveOnStore();
        }
        SharedSecret secret = SamplingOptions.secret(secretFile);
        RpcConfig rpc = SamplingOptions.rpcConfig(maxFrameMb, prefetch);
        SslContext context = tls.server();
        if (listen.contains(",")) {
            throw new IllegalArgumentException("--listen=" + listen + ": one HOST:PORT");
        }
        InetSocketAddress at = SamplingOptions.addresses("--listen", listen).getFirst();
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (spec.isStore()) {
            training.requireNoHardNegatives();
            PinBoardRecommender.Options options = TrainCommand.withIdEmbeddings(
                    SyntheticComparison.options(t, training.epochs, hardBand), idEmbeddings);
            try (GraphStore store = GraphStore.open(spec.path())) {
                StoreChecks.verifyAll(store, System.err);
                try (TrainingBatches batches = PinBoardRecommender.samplerBatches(store, options, work,
                        ProgressBar.stages(System.err))) {
                    serve(batches, at, secret, t, rpc, context);
                }
            }
            return 0;
        }
        LightGcnDataset data = LightGcnDataset.load(spec.path());
        try (TrainingBatches batches = LightGcnRecommender.samplerBatches(data, work,
                training.recommender(t, hardBand))) {
            serve(batches, at, secret, t, rpc, context);
        }
        return 0;
    }

    /** Serves {@code batches} at {@code at} until the process is stopped. */
    private void serve(TrainingBatches batches, InetSocketAddress at, SharedSecret secret, int t, RpcConfig rpc,
                       SslContext context) throws InterruptedException {
        RunFingerprint fingerprint = batches.fingerprint();
        SamplerServer server = new SamplerServer(at, secret, fingerprint.bytes(), fingerprint.summary(),
                batches.producer(), t, rpc, context);
        try {
            server.start();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("--listen=" + listen + ": " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // A stopped sampler closes its connections first: its trainers reassign its batches at once.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pinsage-sampler-stop"));
        System.err.println("fingerprint " + fingerprint.summary());
        InetSocketAddress bound = server.address();
        String host = bound.getHostString();
        System.out.println("listening on " + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort());
        System.out.flush();
        stopped.await();
    }
}
