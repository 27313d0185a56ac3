package io.pinsage.engine.eval;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

/**
 * The popularity baseline: every user gets the items with the most training interactions (ties to the lower
 * id). A floor any learned model must clear. Immutable; thread-safe.
 */
public final class PopularityItemScorer implements ItemScorer {

    private final float[] degree;

    /** @param graph training graph with items on {@code itemSide} */
    public PopularityItemScorer(BipartiteGraph graph, Side itemSide) {
        degree = new float[graph.nodeCount(itemSide)];
        for (int i = 0; i < degree.length; i++) {
            degree[i] = graph.degree(itemSide, i);
        }
    }

    @Override
    public int itemCount() {
        return degree.length;
    }

    @Override
    public int preferredItemChunk() {
        return degree.length;
    }

    @Override
    public void score(int[] users, int userCount, int itemFrom, int itemTo, float[] out) {
        int width = itemTo - itemFrom;
        for (int r = 0; r < userCount; r++) {
            System.arraycopy(degree, itemFrom, out, r * width, width);
        }
    }
}
