package io.pinsage.engine.cli;

import io.pinsage.engine.pipeline.HardNegativeBand;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.pipeline.RecommenderOptions;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.walk.NeighborhoodKind;
import picocli.CommandLine.Option;

import java.util.ListResourceBundle;
import java.util.ResourceBundle;

/**
 * The model, neighbourhood and training options of {@code train}, shared with {@code sampler}: a sampler given the
 * trainer's options builds the trainer's batches (the run's fingerprint checks that they agree). Add with
 * {@code @Mixin TrainingOptions training;}; the command's spec needs {@link #helpDefaults} as its resource bundle for
 * {@code --help} to show the defaults. Not thread-safe (picocli fills it before the command runs).
 */
final class TrainingOptions {

    @Option(names = "--epochs", description = "most epochs (default: until validation stops improving, at most "
            + "${bundle:default.epochs} on lightgcn data; ${bundle:default.epochs.synthetic} on synthetic data)")
    Integer epochs;

    @Option(names = "--dim", description = "embedding and layer width (default: ${bundle:default.dim})")
    Integer dim;

    @Option(names = "--layers", description = "CONVOLVE layers K; 0: none, each node embedded from its own id embedding "
            + "and log-degree through G1 and G2 (matrix factorisation with the same loss; no neighbourhoods are built); "
            + "lightgcn:DIR only (default: ${bundle:default.layers})")
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
            + "(default: ${bundle:default.in-batch-negatives}; true with --popularity-correction true)")
    Boolean inBatch;

    @Option(names = "--popularity-correction", arity = "1", description = "whether the softmax is corrected for how often each "
            + "item is drawn as a candidate (its in-batch draws follow popularity; turns in-batch negatives on) "
            + "(default: ${bundle:default.popularity-correction}; lightgcn:DIR datasets)")
    Boolean popularityCorrection;

    @Option(names = "--leave-positives-out", arity = "1", description = "whether a user's pool of its own items leaves "
            + "out the item it is scored against in a training pair (lightgcn:DIR data; default: "
            + "${bundle:default.leave-positives-out})")
    Boolean leavePositivesOut;

    @Option(names = "--user-ids", arity = "1", description = "whether each user learns an id embedding of its own; false: "
            + "users share one row and are described by the items they pool over (lightgcn:DIR data; default: "
            + "${bundle:default.user-ids} where users pool over their items, true with --layers 0 or --user-items 0)")
    Boolean userIds;

    @Option(names = "--weight-decay", description = "decoupled weight decay of Adam (AdamW) on the weights and on the id "
            + "embeddings a step updates; lightgcn:DIR data (default: ${bundle:default.weight-decay})")
    Float weightDecay;

    @Option(names = "--lr", description = "Adam learning rate (weights and id embeddings) (default: ${bundle:default.lr})")
    Float lr;

    @Option(names = "--patience", description = "epochs without validation gain before stopping (default: ${bundle:default.patience})")
    Integer patience;

    @Option(names = "--seed", description = "random seed (default: ${bundle:default.seed})")
    Long seed;

    @Option(names = "--hard-negatives", paramLabel = "N", description = "lightgcn:DIR only: up to N hard negatives per "
            + "user, 0 to ${bundle:default.max-hard-negatives}: the curriculum draws none in the first epoch and one more "
            + "in each later one, items from the user's --hard-band (default: ${bundle:default.hard-negatives})")
    Integer hardNegatives;

    /** Help text of {@code --hard-band}, shared by the commands that declare it. */
    static final String HARD_BAND_HELP = "PPR ranks of the hard negatives: of the pins a pin's walks visit (store:DIR), or "
            + "of the items a user's walks visit, its own items left out (lightgcn:DIR); default 2000-5000, scaled down "
            + "so that its end is at most 1/40 of the pins or items (200,000 pins: 2000-5000; Gowalla's 40,981 items: "
            + "410-1024)";

    /**
     * {@code text} as a band ranked with {@code stepsPerRank} steps per rank.
     *
     * @throws IllegalArgumentException naming {@code --hard-band} unless {@code text} is {@code FROM-TO} with
     *                                  {@code 0 <= FROM < TO}
     */
    static HardNegativeBand hardBand(String text, int stepsPerRank) {
        try {
            return HardNegativeBand.parse(text, stepsPerRank);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--hard-band: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses {@code --hard-negatives} and {@code --popularity-correction} for a pin-board store, whose runs keep the
     * curriculum and negatives of the recommended settings.
     *
     * @throws IllegalArgumentException naming the option if it was given
     */
    void requireNoHardNegatives() {
        if (hardNegatives != null) {
            throw new IllegalArgumentException("--hard-negatives=" + hardNegatives + ": for lightgcn:DIR datasets; a store "
                    + "trains with the curriculum of the recommended settings");
        }
        if (popularityCorrection != null) {
            throw new IllegalArgumentException("--popularity-correction=" + popularityCorrection + ": for lightgcn:DIR "
                    + "datasets; a store trains with the negatives of the recommended settings");
        }
    }

    /**
     * The recommended settings with the options given in their place.
     *
     * @param threads  threads of the host-side work (neighbourhoods, evaluation, a sampler's builds)
     * @param hardBand the command's {@code --hard-band}, or null for the default
     * @throws IllegalArgumentException naming the option out of range
     */
    RecommenderOptions recommender(int threads, String hardBand) {
        if (dim != null && (dim < 1 || dim > PinSageConfig.MAX_DIM)) {
            throw new IllegalArgumentException("--dim=" + dim + ": must lie in [1, " + PinSageConfig.MAX_DIM
                    + "] (each layer holds dim x 2*dim weights)");
        }
        if (hardNegatives != null && (hardNegatives < 0 || hardNegatives > RecommenderOptions.MAX_HARD_NEGATIVES)) {
            throw new IllegalArgumentException("--hard-negatives=" + hardNegatives + ": must lie in [0, "
                    + RecommenderOptions.MAX_HARD_NEGATIVES + "] (the members of a user's band kept for the draws)");
        }
        RecommenderOptions d = RecommenderOptions.defaults(threads);
        TrainingConfig c = d.training();
        HardNegativeBand band = hardBand == null ? d.hardBand() : hardBand(hardBand, d.hardBand().stepsPerRank());
        TrainingConfig tc = new TrainingConfig(or(epochs, c.epochs()), or(batch, c.batchSize()), or(negatives, c.sharedNegatives()),
                or(inBatch, Boolean.TRUE.equals(popularityCorrection) || c.inBatchNegatives()), or(hardNegatives, c.maxHardNegatives()), or(loss, c.loss()), or(margin, c.margin()), or(temperature, c.temperature()),
                or(lr, c.learningRate()), or(embeddingLr, or(lr, c.embeddingRate())), c.lrDecay(), or(patience, c.patience()), or(seed, c.seed()), threads,
                c.samplerThreads(), c.queueCapacity(), c.checkpointEvery(), or(leavePositivesOut, c.leavePositivesOut()),
                or(weightDecay, c.weightDecay()));
        int k = or(layers, d.layers());
        int pooled = or(userItems, d.userItems());
        // users without rows are described by the items they pool over: with none to pool over, the default gives
        // them rows (matrix factorisation for K = 0) rather than refusing the run
        boolean ownRows = userIds != null ? userIds : d.userIds() || k == 0 || pooled == 0;
        return new RecommenderOptions(or(dim, d.embedDim()), or(dim, d.dim()), k, or(width, d.width()),
                or(steps, d.stepsPerNode()), or(neighborhoods, d.neighborhoods()), pooled, band, d.validationUsers(), tc,
                ownRows, or(popularityCorrection, d.popularityCorrection()));
    }

    /**
     * Refuses {@code --layers 0} for a pin–board store, whose model keeps PinSage's two CONVOLVE layers (the option is
     * not read there): without them its inductive model would be the content-only baseline the comparison already
     * prints.
     *
     * @throws IllegalArgumentException naming {@code --layers}
     */
    void requireConvolveOnStore() {
        if (layers != null && layers == 0) {
            throw new IllegalArgumentException("--layers=0: a model without CONVOLVE layers trains on lightgcn:DIR data "
                    + "only; store:DIR trains PinSage's two layers");
        }
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
                {"default.popularity-correction", d.popularityCorrection()},
                {"default.leave-positives-out", c.leavePositivesOut()},
                {"default.weight-decay", c.weightDecay()},
                {"default.user-ids", d.userIds()},
                {"default.lr", c.learningRate()},
                {"default.patience", c.patience()},
                {"default.seed", c.seed()},
                {"default.hard-negatives", c.maxHardNegatives()},
                {"default.max-hard-negatives", RecommenderOptions.MAX_HARD_NEGATIVES},
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
