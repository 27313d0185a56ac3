package io.pinsage.engine.cli;

import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.pipeline.LightGcnRecommender;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.pipeline.RecommenderOptions;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.walk.NeighborhoodKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ListResourceBundle;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.Callable;

/** Trains a PinSage model on a dataset and writes a model directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train PinSage on a dataset (lightgcn:DIR with train.txt/test.txt, or synthetic:STORE_DIR from generate) and "
                + "write MODEL_DIR; resumes from MODEL_DIR/checkpoint/ when present. On synthetic data it also prints the "
                + "comparison with content-only and Pixie (of the options, only --epochs, --threads, --hard-band and --ablations apply "
                + "there). Defaults are the recommended settings.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    DeviceOption device;

    @Option(names = "--dataset", required = true, description = "KIND:PATH, e.g. lightgcn:../shared/datasets/gowalla")
    String dataset;

    @Option(names = "--out", required = true, description = "model directory to write")
    Path out;

    @Option(names = "--epochs", description = "most epochs (default: until validation stops improving, at most "
            + "${bundle:default.epochs} on lightgcn data; ${bundle:default.epochs.synthetic} on synthetic data)")
    Integer epochs;

    @Option(names = "--threads", description = "threads for neighbourhoods, sampling and evaluation; default: all cores")
    Integer threads;

    @Option(names = "--dim", description = "embedding and layer width (default: ${bundle:default.dim})")
    Integer dim;

    @Option(names = "--layers", description = "CONVOLVE layers K (default: ${bundle:default.layers})")
    Integer layers;

    @Option(names = "--width", description = "neighbourhood size T (default: ${bundle:default.width})")
    Integer width;

    @Option(names = "--walk-steps", description = "walk steps per node for the neighbourhoods (default: ${bundle:default.walk-steps})")
    Integer steps;

    @Option(names = {"--neighborhoods", "--neighbourhoods"}, description = "WALK (importance), UNIFORM (ablation) or "
            + "ADJACENT (own neighbours) rows for every node (default: ${bundle:default.neighborhoods}); --neighborhoods "
            + "is the name, --neighbourhoods an older spelling that still works")
    NeighborhoodKind neighborhoods;

    @Option(names = "--user-items", description = "users pool over up to this many of their own items; 0: over related users (walks) "
            + "(default: ${bundle:default.user-items})")
    Integer userItems;

    @Option(names = "--embedding-lr", description = "Adam learning rate of the id embeddings (default: ${bundle:default.embedding-lr}, or --lr when given)")
    Float embeddingLr;

    @Option(names = "--loss", description = "SOFTMAX or MARGIN (default: ${bundle:default.loss})")
    RankingLossKind loss;

    @Option(names = "--margin", description = "margin of the MARGIN loss (default: ${bundle:default.margin})")
    Float margin;

    @Option(names = "--temperature", description = "temperature of the SOFTMAX loss (default: ${bundle:default.temperature})")
    Float temperature;

    @Option(names = "--batch", description = "pairs per minibatch (default: ${bundle:default.batch})")
    Integer batch;

    @Option(names = "--negatives", description = "random negatives shared by a minibatch (default: ${bundle:default.negatives})")
    Integer negatives;

    @Option(names = "--in-batch-negatives", arity = "1", description = "whether the other pairs' positives are negatives too "
            + "(default: ${bundle:default.in-batch-negatives})")
    Boolean inBatch;

    @Option(names = "--lr", description = "Adam learning rate (weights and id embeddings) (default: ${bundle:default.lr})")
    Float lr;

    @Option(names = "--patience", description = "epochs without validation gain before stopping (default: ${bundle:default.patience})")
    Integer patience;

    @Option(names = "--ablations", description = "synthetic:DIR only: also train the uniform-neighbourhood and no-hard-negative ablations")
    boolean ablations;

    @Option(names = "--hard-band", paramLabel = "FROM-TO", description = "synthetic:DIR only: PPR ranks of the hard negatives; "
            + "default 2000-5000, scaled down on graphs with fewer than 40 pins per rank of its end")
    String hardBand;

    @Option(names = "--seed", description = "random seed (default: ${bundle:default.seed})")
    Long seed;

    @Override
    public Integer call() throws Exception {
        if (dim != null && (dim < 1 || dim > PinSageConfig.MAX_DIM)) {
            throw new IllegalArgumentException("--dim=" + dim + ": must lie in [1, " + PinSageConfig.MAX_DIM
                    + "] (each layer holds dim x 2*dim weights)");
        }
        DatasetSpec spec = DatasetSpec.parse(dataset);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        RecommenderOptions d = RecommenderOptions.defaults(t);
        TrainingConfig c = d.training();
        TrainingConfig tc = new TrainingConfig(or(epochs, c.epochs()), or(batch, c.batchSize()), or(negatives, c.sharedNegatives()),
                or(inBatch, c.inBatchNegatives()), c.maxHardNegatives(), or(loss, c.loss()), or(margin, c.margin()), or(temperature, c.temperature()),
                or(lr, c.learningRate()), or(embeddingLr, or(lr, c.embeddingRate())), c.lrDecay(), or(patience, c.patience()), or(seed, c.seed()), t,
                c.samplerThreads(), c.queueCapacity(), c.checkpointEvery());
        RecommenderOptions o = new RecommenderOptions(or(dim, d.embedDim()), or(dim, d.dim()), or(layers, d.layers()),
                or(width, d.width()), or(steps, d.stepsPerNode()), or(neighborhoods, d.neighborhoods()),
                or(userItems, d.userItems()), d.validationUsers(), tc);
        if (spec.kind().equals("synthetic")) {
            try (Backend backend = device.open()) {
                SyntheticComparison.run(spec.path(), out, SyntheticComparison.options(t, epochs, hardBand), ablations, true, backend,
                        System.out, System.err);
            }
            return 0;
        }
        LightGcnDataset data = LightGcnDataset.load(spec.path());
        LightGcnRecommender.Result r;
        try (Backend backend = device.open()) {
            r = LightGcnRecommender.train(data, out, o, backend, ConsoleProgress.withPlots(System.err));
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

    /**
     * The values {@code --help} shows as defaults ({@code ${bundle:default.NAME}} in the descriptions): those
     * {@link #call} falls back to, read from the recommended settings rather than repeated as constants.
     */
    static ResourceBundle helpDefaults() {
        RecommenderOptions d = RecommenderOptions.defaults(1);
        TrainingConfig c = d.training();
        Object[][] values = {
                {"default.epochs", c.epochs()},
                {"default.epochs.synthetic", PinBoardRecommender.Options.defaults(1).training().epochs()},
                {"default.dim", d.dim()},
                {"default.layers", d.layers()},
                {"default.width", d.width()},
                {"default.walk-steps", d.stepsPerNode()},
                {"default.neighborhoods", d.neighborhoods()},
                {"default.user-items", d.userItems()},
                {"default.embedding-lr", c.embeddingRate()},
                {"default.loss", c.loss()},
                {"default.margin", c.margin()},
                {"default.temperature", c.temperature()},
                {"default.batch", c.batchSize()},
                {"default.negatives", c.sharedNegatives()},
                {"default.in-batch-negatives", c.inBatchNegatives()},
                {"default.lr", c.learningRate()},
                {"default.patience", c.patience()},
                {"default.seed", c.seed()},
        };
        for (Object[] v : values) {
            v[1] = String.valueOf(v[1]); // a bundle's strings are read with getString
        }
        return new ListResourceBundle() {
            @Override
            protected Object[][] getContents() {
                return values;
            }
        };
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
