package io.pinsage.engine.pipeline;

import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingFormat;
import io.pinsage.csr.embedding.EmbeddingPair;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.engine.train.LayeredInference;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.engine.train.StoreNodeInputs;
import io.pinsage.engine.util.StageProgress;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Embeds every pin and every board of a pin–board store with the model a training run wrote into a model directory,
 * into the store's embedding stores ({@link EmbeddingStore#defaultRoot}: {@code embeddings.left} for pins,
 * {@code embeddings.right} for boards), by {@link LayeredInference}. Boards are embedded as the model embeds them in
 * training: one node space of pins then boards, each board through its own neighbourhood row of the model directory
 * (its pins), with log-degree and no content features.
 *
 * <p>Inputs are read where they lie: pin features from the store's mapped feature matrix, log-degrees from the
 * graph's offsets, neighbourhood rows from the model directory's mapped stores (checked against their checksums
 * first); nothing per node is copied to the heap. The run's scratch files live in {@code embeddings.work} under the
 * store's root, so a killed run resumes there.
 *
 * <p>Threading: the caller's thread, which must own {@code backend}. Errors (the published embedding stores stay as
 * they were): {@link IllegalArgumentException} naming the model directory and the counts that differ for a model of
 * another store or feature width, or naming the store for a store without the pin features the model needs;
 * {@link io.pinsage.csr.format.CorruptStoreException} naming the file for a damaged neighbourhood store;
 * {@link java.nio.file.NoSuchFileException} for a directory without a finished model; {@link IOException} naming
 * the file when the disk fills up.
 */
public final class StoreEmbedder {

    /** The work directory under the graph store's root. */
    public static final String WORK = "embeddings.work";

    private StoreEmbedder() {
    }

    /**
     * @param progress where each stage of the run reports ({@link LayeredInference#embedAll})
     * @return the published generations, pins' then boards'
     */
    public static List<StoreGeneration> embed(GraphStore store, Path modelDir, Backend backend, long memoryBudgetBytes,
                                              StageProgress progress) throws IOException {
        Path root = store.generation().root();
        Prepared p = prepare(store, modelDir, backend);
        NodeSpace space = p.space();
        LayeredInference.Job job = new LayeredInference.Job(List.of(
                new LayeredInference.Output(Side.LEFT, EmbeddingStore.defaultRoot(root, Side.LEFT), 0, space.leftCount()),
                new LayeredInference.Output(Side.RIGHT, EmbeddingStore.defaultRoot(root, Side.RIGHT), space.leftCount(),
                        space.rightCount())), root.resolve(WORK), fingerprint(p.modelFile()), memoryBudgetBytes);
        EmbeddingPair.recordLegacy(root);
        List<StoreGeneration> published;
        try (MappedNeighborhoods hood = ModelNeighborhoods.open(modelDir, space, null)) {
            published = LayeredInference.embedAll(p.model(), hood, p.inputs(), space.size(), job, progress);
        }
        // last, so that readers take the two stores as one run only once both are published
        EmbeddingPair.record(root, job.fingerprint(), published.get(0).name(), published.get(1).name());
        return published;
    }

    /** What {@link #recursiveSample} measured. */
    public record RecursiveSample(int nodes, double seconds, double maxAbsDifference) {
        public double nodesPerSecond() {
            return nodes / seconds;
        }
    }

    /**
     * Evaluates {@code sample} nodes drawn uniformly (seeded) from the node space one at a time, each by the model's
     * forward over its own K-hop computation graph (per-node recursive evaluation, the cost {@link #embed} avoids),
     * and compares each with the row the embedding stores hold for it.
     *
     * @return the time of the evaluations alone and the largest absolute difference from the stores' rows
     * @throws io.pinsage.csr.format.CorruptStoreException if the embedding stores are missing or were written by
     *                                                     another model
     */
    public static RecursiveSample recursiveSample(GraphStore store, Path modelDir, Backend backend, int sample, long seed)
            throws IOException {
        if (sample < 1) {
            throw new IllegalArgumentException("sample=" + sample + ": must be >= 1");
        }
        Path root = store.generation().root();
        Prepared p = prepare(store, modelDir, backend);
        String print = fingerprint(p.modelFile());
        NodeSpace space = p.space();
        int out = p.model().config().outputDim();
        float[] row = new float[out];
        SplittableRandom random = new SplittableRandom(seed);
        double maxDiff = 0;
        long nanos = 0;
        try (MappedNeighborhoods hood = ModelNeighborhoods.open(modelDir, space, null);
             EmbeddingStore pins = EmbeddingPair.open(root, Side.LEFT, false);
             EmbeddingStore boards = EmbeddingPair.open(root, Side.RIGHT, false)) {
            for (EmbeddingStore e : List.of(pins, boards)) {
                if (!e.modelFingerprint().equals(print)) {
                    throw new CorruptStoreException(e.path(), "written by model " + e.modelFingerprint() + ", not by "
                            + p.modelFile() + " (" + print + "): run embed first");
                }
            }
            ComputationGraphBuilder graphs = new ComputationGraphBuilder(p.model().config().layers(), hood, p.inputs());
            for (int i = 0; i < sample; i++) {
                int u = random.nextInt(space.size());
                long t0 = System.nanoTime();
                float[] alone = Tensors.toArray(p.model().forward(graphs.build(new int[] {u}, 1)));
                nanos += System.nanoTime() - t0;
                (space.side(u) == Side.LEFT ? pins : boards).read(space.local(u), row, 0);
                for (int c = 0; c < out; c++) {
                    maxDiff = Math.max(maxDiff, Math.abs(alone[c] - row[c]));
                }
            }
        }
        return new RecursiveSample(sample, nanos / 1e9, maxDiff);
    }

    record Prepared(NodeSpace space, Path modelFile, PinSageModel model, ComputationGraphBuilder.NodeInputs inputs) {
    }

    /**
     * The checks of the model directory against the store, the model and the store's inputs, over the node space of
     * the generation the model was trained on ({@link TrainedStore}: the store's, or a prefix of a descendant's).
     */
    static Prepared prepare(GraphStore store, Path modelDir, Backend backend) throws IOException {
        Path root = store.generation().root();
        FeatureMatrix features = store.features(Side.LEFT).orElse(null);
        int featureDim = features == null ? 0 : features.dim();
        NodeSpace space = TrainedStore.space(modelDir, store, featureDim);
        ModelNeighborhoods.requireCurrent(modelDir);
        Path modelFile = ModelDirectory.finishedModel(modelDir);
        PinSageModel model = PinSageModel.load(modelFile, backend);
        if (model.config().featureDim() != featureDim) {
            throw new IllegalArgumentException(features == null
                    ? "store " + root + " has no pin features: " + modelFile + " needs featureDim=" + model.config().featureDim()
                    : modelFile + " expects featureDim=" + model.config().featureDim() + ", store " + root
                    + " has pin features of dim " + featureDim);
        }
        return new Prepared(space, modelFile, model, StoreNodeInputs.of(store));
    }

    /**
     * The fingerprint an embedding store records for the model in {@code modelFile}: the first
     * {@value EmbeddingFormat#FINGERPRINT_HEX_DIGITS} hex digits of the SHA-256 of its bytes. One read of the file.
     */
    public static String fingerprint(Path modelFile) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(modelFile), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest(), 0, EmbeddingFormat.FINGERPRINT_HEX_DIGITS / 2);
    }
}
