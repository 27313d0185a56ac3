package io.pinsage.engine.cli;

import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.pipeline.LightGcnRecommender;
import io.pinsage.engine.pipeline.PinBoardRecommender;
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
                + "comparison with content-only and Pixie (of the options, only --epochs, --threads, --hard-band, --id-embeddings, --ablations "
                + "and the sampler options apply there; --hard-negatives is refused). Defaults are the recommended settings. With --samplers, sampler "
                + "processes build the minibatches.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    DeviceOption device;

    @Option(names = "--dataset", required = true, description = "KIND:PATH, e.g. lightgcn:../shared/datasets/gowalla")
    String dataset;

    @Option(names = "--out", required = true, description = "model directory to write")
    Path out;

    @Option(names = "--threads", description = "threads for neighbourhoods, sampling and evaluation; default: all cores")
    Integer threads;

    @Option(names = "--ablations", description = "store:DIR only: also train the uniform-neighbourhood and no-hard-negative "
            + "ablations (not with --samplers/--local-samplers)")
    boolean ablations;

    @Option(names = "--hard-band", paramLabel = "FROM-TO", description = TrainingOptions.HARD_BAND_HELP)
    String hardBand;

    @Option(names = "--id-embeddings", paramLabel = "on|off|hashed:N", description = "store:DIR only: off (default) trains the "
            + "inductive model (pin features and log-degree only), which can embed a pin added after training "
            + "(PinSageEngine.embedNewPin, POST /v1/pins); on also learns an id-embedding row per pin and board (memory "
            + "grows with the store); hashed:N learns a table of N rows that ids hash into (fixed memory; a pin added "
            + "after training hashes to a row too)")
    String idEmbeddings = "off";

    @Option(names = "--keep-epochs", description = "lightgcn:DIR only: also keep every epoch's model as "
            + "MODEL_DIR/epochs/epoch-NNN.bin, for evaluate --per-epoch; off by default, as each file is the whole model: "
            + "4 x (items + users) x --dim bytes for the id table plus the weights, e.g. 18.2 MB per epoch on Gowalla "
            + "at the default width; a resumed run keeps the epochs it trains from then on")
    boolean keepEpochs;

    /** The options with the id table {@code --id-embeddings} asks for. */
    static PinBoardRecommender.Options withIdEmbeddings(PinBoardRecommender.Options o, String value) {
        if (value.equals("off") || value.equals("on")) {
            return o.withIdEmbeddings(value.equals("on"));
        }
        // the table's floats must fit one tensor
        long most = (Integer.MAX_VALUE - 64L) / PinBoardRecommender.Options.ID_EMBED_DIM;
        long rows = -1;
        if (value.startsWith("hashed:") && value.length() > "hashed:".length() && value.length() < "hashed:".length() + 12) {
            String digits = value.substring("hashed:".length());
            rows = digits.chars().allMatch(Character::isDigit) ? Long.parseLong(digits) : -1;
        }
        if (rows < 1 || rows > most) {
            throw new IllegalArgumentException("--id-embeddings=" + value + ": expected on, off or hashed:N, a table of N rows, "
                    + "1 <= N <= " + most);
        }
        return o.withHashedIdEmbeddings((int) rows);
    }

    @Mixin
    TrainingOptions training;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws Exception {
        DatasetSpec spec = DatasetSpec.parse(dataset);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        RecommenderOptions o = training.recommender(t, hardBand);
        if (spec.isStore()) {
            training.requireNoHardNegatives();
            training.requireConvolveOnStore();
            if (keepEpochs) {
                throw new IllegalArgumentException("--keep-epochs: lightgcn:DIR datasets only; a store:DIR run keeps its "
                        + "final model (model.bin) alone");
            }
            PinBoardRecommender.Options options = withIdEmbeddings(SyntheticComparison.options(t, training.epochs, hardBand),
                    idEmbeddings);
            try (RemoteBatchSupply remote = sampling.supply(); Backend backend = device.open()) {
                if (remote != null && ablations) {
                    throw new IllegalArgumentException("--ablations: the ablations train other neighbourhoods and "
                            + "negatives than the samplers serve; train them without --samplers/--local-samplers");
                }
                SyntheticComparison.run(spec.path(), out, options, ablations, true, backend,
                        remote != null ? remote : BatchSupply.LOCAL, System.out, System.err);
            }
            return 0;
        }
        LightGcnDataset data = LightGcnDataset.load(spec.path());
        LightGcnRecommender.Result r;
        try (RemoteBatchSupply remote = sampling.supply(); Backend backend = device.open()) {
            r = LightGcnRecommender.train(data, out, o, backend, ConsoleProgress.withPlots(System.err),
                    remote != null ? remote : BatchSupply.LOCAL, keepEpochs);
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
