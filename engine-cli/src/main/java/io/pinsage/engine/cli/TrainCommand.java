package io.pinsage.engine.cli;

import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.pipeline.LightGcnRecommender;
import io.pinsage.engine.pipeline.RecommenderOptions;
import io.pinsage.engine.train.BatchSupply;
import io.pinsage.engine.train.RemoteBatchSupply;
import io.pinsage.nn.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Trains a PinSage model on a dataset and writes a model directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train PinSage on a dataset (lightgcn:DIR with train.txt/test.txt, or store:DIR, a pin-board store with pin "
                + "features and held-out pairs such as generate writes; synthetic:DIR is another name for it) and "
                + "write MODEL_DIR; resumes from MODEL_DIR/checkpoint/ when present. On a store it also prints the "
                + "comparison with content-only and Pixie (of the options, only --epochs, --threads, --hard-band, --id-embeddings and --ablations apply "
                + "there). Defaults are the recommended settings. With --samplers, sampler processes build the minibatches.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    DeviceOption device;

    @Option(names = "--dataset", required = true, description = "KIND:PATH, e.g. lightgcn:../shared/datasets/gowalla")
    String dataset;

    @Option(names = "--out", required = true, description = "model directory to write")
    Path out;

    @Option(names = "--threads", description = "threads for neighbourhoods, sampling and evaluation; default: all cores")
    Integer threads;

    @Option(names = "--ablations", description = "store:DIR only: also train the uniform-neighbourhood and no-hard-negative ablations")
    boolean ablations;

    @Option(names = "--hard-band", paramLabel = "FROM-TO", description = "store:DIR only: PPR ranks of the hard negatives; "
            + "default 2000-5000, scaled down on graphs with fewer than 40 pins per rank of its end")
    String hardBand;

    /** Whether a pin–board model learns a row per node; without, it embeds pins added after training. */
    enum IdEmbeddings { on, off }

    @Option(names = "--id-embeddings", paramLabel = "on|off", description = "store:DIR only: off (default) trains the "
            + "inductive model (pin features and log-degree only), which can embed a pin added after training "
            + "(PinSageEngine.embedNewPin, POST /v1/pins); on also learns an id-embedding row per pin and board")
    IdEmbeddings idEmbeddings = IdEmbeddings.off;

    @Mixin
    TrainingOptions training;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws Exception {
        DatasetSpec spec = DatasetSpec.parse(dataset);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        RecommenderOptions o = training.recommender(t);
        if (spec.isStore()) {
            sampling.requireLocal("synthetic:DIR datasets train with sampler threads of this process");
            try (Backend backend = device.open()) {
                SyntheticComparison.run(spec.path(), out, SyntheticComparison.options(t, training.epochs, hardBand)
                        .withIdEmbeddings(idEmbeddings == IdEmbeddings.on), ablations, true,
                        backend, System.out, System.err);
            }
            return 0;
        }
        LightGcnDataset data = LightGcnDataset.load(spec.path());
        LightGcnRecommender.Result r;
        try (RemoteBatchSupply remote = sampling.supply(); Backend backend = device.open()) {
            r = LightGcnRecommender.train(data, out, o, backend, ConsoleProgress.withPlots(System.err),
                    remote != null ? remote : BatchSupply.LOCAL);
        }
        if (r.alreadyTrained()) {
            System.out.printf(Locale.ROOT, "already trained (%d epochs); best validation recall@20=%.4f; model in %s%n", r.epochs(),
                    r.validation(), out);
        } else {
            System.out.printf(Locale.ROOT, "trained %d epochs in %.1f s; best validation recall@20=%.4f; trainer waiting %.1f%%;"
                    + " device idle %.1f%%; model in %s%n",
                    r.epochs(), r.seconds(), r.validation(), 100 * r.waitFraction(), 100 * r.deviceIdleFraction(), out);
        }
        return 0;
    }
}
