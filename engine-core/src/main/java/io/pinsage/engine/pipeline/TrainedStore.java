package io.pinsage.engine.pipeline;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.StoreLineage;
import io.pinsage.engine.train.NodeSpace;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Which part of a store a pin-board model may embed. A model is bound to the store generation it was trained on: its
 * neighbourhood rows name that generation's nodes, and an id-embedding table has a row per node. A compaction writes
 * a new generation that keeps every node under its dense id and adds nodes and edges after them, recording the
 * generation it came from ({@link StoreLineage}); such a descendant is accepted when its lineage names the fingerprint
 * the model recorded ({@link ModelProperties#STORE_FINGERPRINT}) with the counts the model recorded, its node counts
 * only grew, and its pin features are as wide. The model then works over the trained generation's node space, a
 * prefix of the store's: {@code embed} writes the pins and boards it was trained on, and pins added since are the
 * inductive model's new pins ({@link NewPinEmbedder}); a model with an id table has no row for them.
 *
 * <p>Stateless. Cost: reading {@code model.properties} and, when the shapes differ, the store's lineage file and
 * fingerprint (a few small reads per store file).
 */
final class TrainedStore {

    private TrainedStore() {
    }

    /**
     * The node space of the generation the model in {@code modelDir} was trained on, within {@code store}: the store's
     * own when the shapes agree, else the trained generation's when {@code store} descends from it.
     *
     * @throws IllegalArgumentException naming the model directory, the generation it was trained on and the store (its
     *                                  fingerprint and counts) when the store is neither that generation's shape nor a
     *                                  descendant of it, or has pin features of another width
     * @throws java.nio.file.NoSuchFileException {@code modelDir} is not a model directory
     */
    static NodeSpace space(Path modelDir, GraphStore store, int featureDim) throws IOException {
        Map<String, String> now = PinBoardRecommender.shape(store.graph(), featureDim);
        String root = store.generation().root().toString();
        try {
            ModelProperties.check(modelDir, PinBoardRecommender.FORMAT, now, root);
            return NodeSpace.of(store.graph());
        } catch (IllegalArgumentException differs) {
            Optional<String> print = ModelProperties.recorded(modelDir, ModelProperties.STORE_FINGERPRINT);
            if (print.isEmpty() || !PinBoardRecommender.FORMAT.equals(ModelProperties.recorded(modelDir, "format").orElse(""))) {
                throw differs;
            }
            int pins = count(modelDir, "pins");
            int boards = count(modelDir, "boards");
            long edges = Long.parseLong(ModelProperties.recorded(modelDir, "edges").orElse("-1"));
            StoreLineage.Ancestor trained = new StoreLineage.Ancestor(print.get(), pins, boards, edges);
            if (store.graph().nodeCount(Side.LEFT) == pins && store.graph().nodeCount(Side.RIGHT) == boards
                    && store.graph().edgeCount() == edges) {
                throw differs; // the trained generation's counts: what differs is named by the shape check
            }
            boolean descends = StoreLineage.read(store.generation()).contains(trained)
                    && store.graph().nodeCount(Side.LEFT) >= pins && store.graph().nodeCount(Side.RIGHT) >= boards;
            if (!descends) {
                throw new IllegalArgumentException("model " + modelDir + " was trained on store generation " + trained
                        + "; store " + root + " (" + StoreLineage.fingerprint(store.generation()) + " pins="
                        + store.graph().nodeCount(Side.LEFT) + " boards=" + store.graph().nodeCount(Side.RIGHT) + " edges="
                        + store.graph().edgeCount() + ") is neither that generation nor a compaction of it: train a model"
                        + " on this store");
            }
            String width = ModelProperties.recorded(modelDir, "featureDim").orElse("");
            if (!width.equals(Integer.toString(featureDim))) {
                throw new IllegalArgumentException("model " + modelDir + " was trained with featureDim=" + width + ", store "
                        + root + " (a compaction of the generation it was trained on) has featureDim=" + featureDim);
            }
            return new NodeSpace(pins, boards);
        }
    }

    private static int count(Path modelDir, String key) throws IOException {
        return Integer.parseInt(ModelProperties.recorded(modelDir, key).orElse("-1"));
    }
}
