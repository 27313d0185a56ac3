package io.pinsage.engine.pipeline;

import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingFormat;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.engine.train.LayeredInference;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.nn.backend.Backend;
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
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

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
     * @return the published generations, pins' then boards'
     */
    public static List<StoreGeneration> embed(GraphStore store, Path modelDir, Backend backend, long memoryBudgetBytes,
                                              LayeredInference.Listener listener) throws IOException {
        Path root = store.generation().root();
        NodeSpace space = NodeSpace.of(store.graph());
        FeatureMatrix features = store.features(Side.LEFT).orElse(null);
        int featureDim = features == null ? 0 : features.dim();
        ModelProperties.check(modelDir, PinBoardRecommender.FORMAT, PinBoardRecommender.shape(store.graph(), featureDim),
                root.toString());
        ModelNeighborhoods.requireCurrent(modelDir);
        Path modelFile = ModelDirectory.finishedModel(modelDir);
        PinSageModel model = PinSageModel.load(modelFile, backend);
        if (model.config().featureDim() != featureDim) {
            throw new IllegalArgumentException(features == null
                    ? "store " + root + " has no pin features: " + modelFile + " needs featureDim=" + model.config().featureDim()
                    : modelFile + " expects featureDim=" + model.config().featureDim() + ", store " + root
                    + " has pin features of dim " + featureDim);
        }
        ComputationGraphBuilder.NodeInputs inputs = inputs(store, space, features);
        LayeredInference.Job job = new LayeredInference.Job(List.of(
                new LayeredInference.Output(Side.LEFT, EmbeddingStore.defaultRoot(root, Side.LEFT), 0, space.leftCount()),
                new LayeredInference.Output(Side.RIGHT, EmbeddingStore.defaultRoot(root, Side.RIGHT), space.leftCount(),
                        space.rightCount())), root.resolve(WORK), fingerprint(modelFile), memoryBudgetBytes);
        try (MappedNeighborhoods hood = ModelNeighborhoods.open(modelDir, space, null)) {
            return LayeredInference.embedAll(model, hood, inputs, space.size(), job, listener);
        }
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

    /** Layer-0 inputs of the unified space: pins' mapped features, boards' zeros, every node's log-degree. */
    private static ComputationGraphBuilder.NodeInputs inputs(GraphStore store, NodeSpace space, FeatureMatrix features) {
        int dim = features == null ? 0 : features.dim();
        return new ComputationGraphBuilder.NodeInputs() {
            @Override
            public int featureDim() {
                return dim;
            }

            @Override
            public void copyFeatures(int node, float[] dst, int offset) {
                if (node < space.leftCount()) {
                    features.copyRow(node, dst, offset);
                } else {
                    Arrays.fill(dst, offset, offset + dim, 0f);
                }
            }

            @Override
            public float logDegree(int node) {
                return store.logDegree(space.side(node), space.local(node));
            }
        };
    }
}
