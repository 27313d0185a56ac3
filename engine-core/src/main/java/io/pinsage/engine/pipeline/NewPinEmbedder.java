package io.pinsage.engine.pipeline;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.LogDegree;
import io.pinsage.csr.Side;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NewNodeEmbedding;
import io.pinsage.nn.backend.Backend;
import io.pinsage.walk.ImportanceNeighborhoods;
import io.pinsage.walk.NeighborhoodConfig;
import io.pinsage.walk.PixieEngine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Embeds a pin created after the store was embedded, from its content features and the boards it is saved on or the
 * pins it is saved with, with the inductive model a training run wrote
 * ({@code train --dataset synthetic:STORE --id-embeddings off}): a short walk from its boards and pins gives its
 * neighbourhood row, the same kind of row (width T, steps, restart probability) the model directory's stores hold for
 * every pin ({@link ImportanceNeighborhoods#computeForNewNode}), and the model's forward over its computation graph
 * ({@link NewNodeEmbedding}) gives its embedding. Nothing is stored.
 *
 * <p>A model directory trained with uniform neighbourhood rows (the ablation) still gets walk rows for new pins.
 *
 * <p>Threading: not thread-safe; the caller serialises calls and owns {@code backend} for them. Cost per call: the
 * row's walk steps (the model directory's {@code stepsPerNode}) and the forward over up to
 * {@code 1 + T + T² + ... + T^K} nodes. Memory: the mapped neighbourhood stores; nothing per node on the heap.
 */
public final class NewPinEmbedder implements AutoCloseable {

    private final GraphStore store;
    private final MappedNeighborhoods hood;
    private final NewNodeEmbedding model;
    private final ImportanceNeighborhoods walks;
    private final int featureDim;
    private final int outputDim;
    /** Pins of the generation the model was trained on: a row may name only these (they have rows themselves). */
    private final int trainedPins;
    private final int[] rowIds;
    private final float[] rowWeights;

    /**
     * Opens the model directory {@code modelDir} for new pins of {@code store}, which must be the store generation it
     * was trained on or a compaction of it (the same checks as {@code embed}, {@link TrainedStore}).
     *
     * @throws IllegalArgumentException the model has an id-embedding table (naming the training option that trains
     *                                  one without), or was trained on another store or feature width
     * @throws java.nio.file.NoSuchFileException {@code modelDir} holds no finished model
     * @throws IOException a file of the model directory is unreadable or damaged (naming it)
     */
    public static NewPinEmbedder open(GraphStore store, Path modelDir, Backend backend) throws IOException {
        StoreEmbedder.Prepared p = StoreEmbedder.prepare(store, modelDir, backend);
        if (p.model().config().idEmbeddings() != 0 && !p.model().config().sharesIdRows()) {
            throw new IllegalArgumentException(p.modelFile() + " has an id-embedding table of " + p.model().config().idEmbeddings()
                    + " rows and cannot embed a pin it has no row for: train the inductive model with "
                    + "./pinsage train --dataset store:STORE --id-embeddings off (or hashed:N)");
        }
        MappedNeighborhoods hood = ModelNeighborhoods.open(modelDir, p.space(), null);
        try {
            return new NewPinEmbedder(store, hood, new NewNodeEmbedding(p.model(), hood, p.inputs(), p.space().size()),
                    p.model().config().featureDim(), p.model().config().outputDim(), p.space().leftCount());
        } catch (RuntimeException e) {
            hood.close();
            throw e;
        }
    }

    private NewPinEmbedder(GraphStore store, MappedNeighborhoods hood, NewNodeEmbedding model, int featureDim, int outputDim,
                           int trainedPins) {
        this.store = store;
        this.hood = hood;
        this.model = model;
        this.featureDim = featureDim;
        this.outputDim = outputDim;
        this.trainedPins = trainedPins;
        this.walks = walksOver(store.graph());
        NeighborhoodStore pins = hood.store(Side.LEFT);
        this.rowIds = new int[pins.width()];
        this.rowWeights = new float[pins.width()];
    }

    /**
     * The walks {@link #embed(ImportanceNeighborhoods, float[], int[], float[], int)} takes, over {@code graph}: the
     * store's graph or a view of it with the edges added since (a {@link io.pinsage.csr.live.LiveView}, refreshed by
     * the caller before each embedding). One per thread.
     */
    public ImportanceNeighborhoods walksOver(BipartiteGraph graph) {
        NeighborhoodStore pins = hood.store(Side.LEFT);
        return new ImportanceNeighborhoods(graph, new NeighborhoodConfig(Side.LEFT, pins.width(), pins.stepsPerNode(),
                ModelNeighborhoods.ALPHA, PixieEngine.DEFAULT_LANES, pins.seed()));
    }

    /** Pin features the model expects. */
    public int featureDim() {
        return featureDim;
    }

    /** Floats of an embedding. */
    public int outputDim() {
        return outputDim;
    }

    /**
     * The embedding of a new pin with {@code features}, saved on the boards {@code boards[0..count)} (dense ids) with
     * positive weights (1 for a plain save). The walk is seeded by the model directory's seed and the pin count, so
     * the same pin gets the same embedding. The same as {@link #embed(float[], int[], float[], int, int[], float[], int)}
     * saved with no pins.
     *
     * @throws IllegalArgumentException naming the first bad argument: a feature count other than {@link #featureDim},
     *                                  no boards, a board outside the store, a weight that is not finite and positive
     */
    public float[] embed(float[] features, int[] boards, float[] weights, int count) {
        return embed(features, boards, weights, count, new int[0], new float[0], 0);
    }

    /**
     * The embedding of a new pin with {@code features}, saved on the boards {@code boards[0..count)} and beside the
     * pins {@code pins[0..pinCount)} of the store (dense ids; e.g. the pins of the board it was saved to), each with a
     * positive weight. Its neighbourhood row comes from walks that start at its boards and at those pins, shared among
     * all of them by weight ({@link ImportanceNeighborhoods#computeForNewNode(int[], float[], int, int[], float[], int,
     * long, int[], float[])}); its log-degree counts its boards, or one save when only pins are given.
     *
     * @throws IllegalArgumentException naming the first bad argument: a feature count other than {@link #featureDim},
     *                                  neither boards nor pins, a board or pin outside the store, a weight that is not
     *                                  finite and positive
     */
    public float[] embed(float[] features, int[] boards, float[] weights, int count, int[] pins, float[] pinWeights,
                         int pinCount) {
        return embed(walks, features, boards, weights, count, pins, pinWeights, pinCount, count);
    }

    /**
     * {@link #embed(ImportanceNeighborhoods, float[], int[], float[], int, int[], float[], int, int)} over the store's
     * graph.
     */
    public float[] embed(float[] features, int[] boards, float[] weights, int count, int[] pins, float[] pinWeights,
                         int pinCount, int saves) {
        return embed(walks, features, boards, weights, count, pins, pinWeights, pinCount, saves);
    }

    /**
     * {@link #embed(float[], int[], float[], int)} with the walks of {@link #walksOver}, so over the graph they were
     * made for ({@code boards} are that graph's).
     */
    public float[] embed(ImportanceNeighborhoods walks, float[] features, int[] boards, float[] weights, int count) {
        return embed(walks, features, boards, weights, count, new int[0], new float[0], 0, count);
    }

    /**
     * {@link #embed(float[], int[], float[], int, int[], float[], int)} with the walks of {@link #walksOver}, and a
     * log-degree of {@code saves} boards (at least one) rather than {@code count}: for a pin whose starts include
     * those of pins it stands for (a pin saved with a new pin walks from that pin's boards too, yet is saved on its
     * own boards only). The row keeps the pins of the generation the model was trained on, its weights summing to 1
     * again: a pin added since has no row of its own for the model's next layer.
     */
    public float[] embed(ImportanceNeighborhoods walks, float[] features, int[] boards, float[] weights, int count,
                         int[] pins, float[] pinWeights, int pinCount, int saves) {
        if (count < 1 && pinCount < 1) {
            throw new IllegalArgumentException("boards: a new pin needs at least one board or a pin it is saved with, got none");
        }
        int n = walks.computeForNewNode(boards, weights, count, pins, pinWeights, pinCount,
                NeighborhoodConfig.nodeSeed(hood.store(Side.LEFT).seed(), store.graph().nodeCount(Side.LEFT)), rowIds, rowWeights);
        int kept = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (rowIds[i] < trainedPins) {
                rowIds[kept] = rowIds[i];
                rowWeights[kept++] = rowWeights[i];
                sum += rowWeights[i];
            }
        }
        for (int i = 0; kept < n && i < kept; i++) {
            rowWeights[i] = (float) (rowWeights[i] / sum);
        }
        return embedWithRow(features, LogDegree.of(Math.max(1, saves)), Arrays.copyOf(rowIds, kept),
                Arrays.copyOf(rowWeights, kept));
    }

    /**
     * The embedding of a node with {@code features}, {@code logDegree} and the neighbourhood row {@code ids} (dense
     * pin ids) with {@code weights}: what {@link #embed} does once it has walked; for a pin of the store, given its own
     * inputs and stored row, the row {@code embed} wrote for it.
     *
     * @throws IllegalArgumentException as {@link NewNodeEmbedding#embed}
     */
    public float[] embedWithRow(float[] features, float logDegree, int[] ids, float[] weights) {
        return model.embed(features, logDegree, ids, weights, Math.min(ids.length, weights.length));
    }

    /** The neighbourhood rows the model was trained with. */
    public MappedNeighborhoods neighborhoods() {
        return hood;
    }

    /** Unmaps the model directory's neighbourhood stores; the store and the backend stay the caller's. */
    @Override
    public void close() {
        hood.close();
    }
}
