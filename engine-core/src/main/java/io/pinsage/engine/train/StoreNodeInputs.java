package io.pinsage.engine.train;

import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;

import java.util.Arrays;

/**
 * The layer-0 inputs of a pin–board store's node space ({@link NodeSpace}: pins, then boards), read where they lie:
 * a pin's content features from the store's mapped feature matrix, a board's as zeros (boards have none), and every
 * node's {@code log(1 + degree)} from the graph's offsets ({@link GraphStore#logDegree}). Nothing per node is held
 * on the heap, so it serves a store of any size; what training and inference over a store both read.
 *
 * <p>Thread-safe (reads of mapped memory); valid while the store is open. Cost: one row copy per
 * {@link #copyFeatures}, two offset reads per {@link #logDegree}. Features are not checked here: the store's
 * feature file is checksummed, and a non-finite input is named by the trainer's first non-finite activation.
 */
public final class StoreNodeInputs implements NodeInputs {

    private final GraphStore store;
    private final NodeSpace space;
    private final FeatureMatrix features;
    private final int featureDim;

    /**
     * @param withFeatures whether the pins' content features are an input; the store must then have them
     * @throws IllegalArgumentException naming the store if {@code withFeatures} and it has no pin features
     */
    public StoreNodeInputs(GraphStore store, boolean withFeatures) {
        this.store = store;
        this.space = NodeSpace.of(store.graph());
        this.features = withFeatures ? store.features(Side.LEFT).orElseThrow(() -> new IllegalArgumentException(
                "store " + store.generation().root() + " has no pin features: PinSage's content input is missing")) : null;
        this.featureDim = features == null ? 0 : features.dim();
    }

    /** The store's inputs, with its pin features where it has them (none otherwise). */
    public static StoreNodeInputs of(GraphStore store) {
        return new StoreNodeInputs(store, store.features(Side.LEFT).isPresent());
    }

    /** The node space the rows are indexed by. */
    public NodeSpace space() {
        return space;
    }

    @Override
    public int nodeCount() {
        return space.size();
    }

    @Override
    public boolean hasLogDegree() {
        return true;
    }

    @Override
    public int featureDim() {
        return featureDim;
    }

    @Override
    public void copyFeatures(int node, float[] dst, int offset) {
        if (featureDim == 0) {
            return;
        }
        if (node < space.leftCount()) {
            features.copyRow(node, dst, offset);
        } else {
            Arrays.fill(dst, offset, offset + featureDim, 0f);
        }
    }

    @Override
    public float logDegree(int node) {
        return store.logDegree(space.side(node), space.local(node));
    }
}
