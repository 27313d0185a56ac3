package io.pinsage.engine.pipeline;

import io.pinsage.csr.neighborhood.NeighborhoodFormat;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.walk.NeighborhoodKind;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a PinSage user–item recommender: the network's widths, the neighbourhoods and the training.
 *
 * @param embedDim        id-embedding width (the input for data without content features)
 * @param dim             width of h⁰, of every CONVOLVE layer, of G1 and of the output
 * @param layers          CONVOLVE layers K; 0 embeds each node from its id embedding and log-degree alone (through G1
 *                        and G2: matrix factorisation trained with the same loss), pooling over no neighbourhood
 * @param width           neighbourhood size T
 * @param stepsPerNode    walk steps (or uniform draws) per node when building neighbourhoods
 * @param neighborhoods   the kind of rows of every node: importance (walk) or uniform neighbourhoods, or own neighbours
 * @param userItems       when positive, users pool over up to this many of their own items
 *                        ({@link NeighborhoodKind#ADJACENT} rows) instead of over rows of {@code neighborhoods}
 * @param hardBand        the item ranks a user's hard negatives are drawn from when {@code training} asks for some
 *                        ({@link TrainingConfig#maxHardNegatives}); data with fewer than 40 items per rank of its end
 *                        uses it {@linkplain HardNegativeBand#scaledTo scaled down}
 * @param validationUsers users holding out one training item each for early stopping
 * @param training        the optimisation settings
 * @param userIds         whether each user has an id-embedding row of its own; without, users share one row and are
 *                        described by the items they pool over (which cannot memorise a user's training pairs)
 * @param popularityCorrection whether the softmax is corrected for how often each item is drawn as a candidate
 *                        (needs the softmax loss with in-batch negatives, whose draws follow the items' popularity)
 */
public record RecommenderOptions(int embedDim, int dim, int layers, int width, int stepsPerNode, NeighborhoodKind neighborhoods,
                                 int userItems, HardNegativeBand hardBand,
                                 int validationUsers, TrainingConfig training, boolean userIds,
                                 boolean popularityCorrection) {

    /** Settings without the popularity correction. */
    public RecommenderOptions(int embedDim, int dim, int layers, int width, int stepsPerNode, NeighborhoodKind neighborhoods,
                              int userItems, HardNegativeBand hardBand, int validationUsers, TrainingConfig training,
                              boolean userIds) {
        this(embedDim, dim, layers, width, stepsPerNode, neighborhoods, userItems, hardBand, validationUsers, training,
                userIds, false);
    }

    /** Settings whose users have id rows of their own ({@code userIds = true}). */
    public RecommenderOptions(int embedDim, int dim, int layers, int width, int stepsPerNode, NeighborhoodKind neighborhoods,
                              int userItems, HardNegativeBand hardBand, int validationUsers, TrainingConfig training) {
        this(embedDim, dim, layers, width, stepsPerNode, neighborhoods, userItems, hardBand, validationUsers, training, true);
    }

    /**
     * The settings that decide what a training run computes, for its model directory to record and compare before
     * it resumes: the training's {@link TrainingConfig#recipe} and the neighbourhoods, the users' item pools, the
     * hard-negative band and the validation split (the model's shape is compared on its own).
     */
    public Map<String, String> recipe() {
        Map<String, String> r = new LinkedHashMap<>(training.recipe());
        r.put("neighborhoods", neighborhoods.name());
        r.put("width", Integer.toString(width));
        r.put("stepsPerNode", Integer.toString(stepsPerNode));
        r.put("userItems", Integer.toString(userItems));
        r.put("hardBand", hardBand.from() + "-" + hardBand.to() + "/" + hardBand.stepsPerRank());
        r.put("validationUsers", Integer.toString(validationUsers));
        r.put("popularityCorrection", Boolean.toString(popularityCorrection));
        return r;
    }

    /** These settings with users given id rows of their own, or all sharing one. */
    public RecommenderOptions withUserIds(boolean own) {
        return new RecommenderOptions(embedDim, dim, layers, width, stepsPerNode, neighborhoods, userItems, hardBand,
                validationUsers, training, own, popularityCorrection);
    }

    /**
     * These settings with the softmax corrected, or not, for how often each item is drawn as a candidate
     * ({@link LightGcnRecommender#candidateCounts}): in-batch negatives are the other pairs' positives, drawn by
     * popularity, and would otherwise push popular items down.
     */
    public RecommenderOptions withPopularityCorrection(boolean on) {
        return new RecommenderOptions(embedDim, dim, layers, width, stepsPerNode, neighborhoods, userItems, hardBand,
                validationUsers, training, userIds, on);
    }


    /** The most hard negatives per query: the members of its band kept for the draws. */
    public static final int MAX_HARD_NEGATIVES = HardNegativeCache.KEPT;

    /**
     * A user's default band: PinSage's ranks 2000–5000, scaled to the items as the pin–board band is to the pins
     * (Gowalla's 40,981 items: ranks 410–1024), ranked with 8 walk steps per rank, twice the pins' 4, because about
     * half of a user's walk steps pass its own items, which are left out (on Gowalla 8 fill 99.7% of the band, 4 fill
     * 97%, measured over 200 users; about 0.7 ms per user over a walk table).
     */
    public static final HardNegativeBand USER_BAND = new HardNegativeBand(2000, 5000, 8);

    /**
     * The settings recommended for implicit-feedback user–item data such as Gowalla (no content features):
     * 64-wide id embeddings and layers, one CONVOLVE layer (items over T = 10 walk neighbours); users have no id row
     * of their own and pool over up to 200 of their items, each training pair's user leaving out the item it is
     * scored against (a user row cannot memorise its pairs, so faster rates do not overfit); sampled softmax over
     * 1,500 uniform negatives shared by the batch with τ = 0.1 (in-batch negatives off: they push popular items
     * down, and recall on such data rewards them), batch 512, Adam at 3e-3 (weights) and 1e-2 (id embeddings),
     * learning rates halved on a validation plateau, at most 20 epochs, stopping after 3 epochs without gain on
     * 5,000 validation users; no hard negatives ({@link #USER_BAND} when asked for).
     */
    public static RecommenderOptions defaults(int threads) {
        return new RecommenderOptions(64, 64, 1, 10, 200, NeighborhoodKind.WALK, 200, USER_BAND, 5000,
                new TrainingConfig(20, 512, 1500, false, 0, RankingLossKind.SOFTMAX, 0.1f, 0.1f, 3e-3f, 1e-2f, 0.5f, 3, 1,
                        threads, 1, 4, 0, true, 0f), false);
    }

    /** @throws IllegalArgumentException naming the first field out of range, or a null {@code hardBand} */
    public RecommenderOptions {
        Objects.requireNonNull(hardBand, "hardBand");
        if (training.maxHardNegatives() > MAX_HARD_NEGATIVES) {
            throw new IllegalArgumentException("maxHardNegatives=" + training.maxHardNegatives() + ": must lie in [0, "
                    + MAX_HARD_NEGATIVES + "] (the members of a band kept for the draws)");
        }
        // rows are at most a neighbourhood store's width
        if (userItems < 0 || userItems > NeighborhoodFormat.MAX_WIDTH) {
            throw new IllegalArgumentException("userItems=" + userItems + ": must lie in [0, " + NeighborhoodFormat.MAX_WIDTH
                    + "]");
        }
        if (width > NeighborhoodFormat.MAX_WIDTH) {
            throw new IllegalArgumentException("width=" + width + ": must lie in [1, " + NeighborhoodFormat.MAX_WIDTH + "]");
        }
        if (layers < 0) {
            throw new IllegalArgumentException("layers=" + layers + ": must be >= 0 (0: no CONVOLVE layer)");
        }
        if (!userIds && (layers == 0 || userItems == 0)) {
            // a user's only own input would be the shared row and its degree: users pooling over nothing, or over
            // users who have no rows either, could not be told apart
            throw new IllegalArgumentException("userIds=false layers=" + layers + " userItems=" + userItems
                    + ": users without id rows are described by the items they pool over, which needs layers >= 1 and"
                    + " userItems >= 1");
        }
        if (popularityCorrection && (training.loss() != RankingLossKind.SOFTMAX || !training.inBatchNegatives())) {
            throw new IllegalArgumentException("popularityCorrection=true loss=" + training.loss() + " inBatchNegatives="
                    + training.inBatchNegatives() + ": the correction is for the SOFTMAX loss with in-batch negatives");
        }
        if (embedDim < 1 || dim < 1 || width < 1 || stepsPerNode < 1 || validationUsers < 1) {
            throw new IllegalArgumentException("embedDim=" + embedDim + " dim=" + dim + " width=" + width
                    + " stepsPerNode=" + stepsPerNode + " validationUsers=" + validationUsers + ": all must be >= 1");
        }
    }
}
