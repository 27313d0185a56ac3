package io.pinsage.engine.bench;

import io.pinsage.nn.model.ComputationGraphBuilder;

import java.util.SplittableRandom;

/**
 * Neighbourhoods of a benchmark's synthetic node space: every node has {@code width} neighbours drawn uniformly (with
 * repeats) from a generator seeded by the node, with equal weights, so that none is stored and every build sees the
 * same rows. Thread-safe; O(width) per row.
 */
final class RandomNeighborhoods implements ComputationGraphBuilder.Neighborhoods {

    private final int nodes;
    private final int width;
    private final long seed;

    RandomNeighborhoods(int nodes, int width, long seed) {
        this.nodes = nodes;
        this.width = width;
        this.seed = seed;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int read(int node, int[] ids, float[] w, int offset) {
        SplittableRandom row = new SplittableRandom(seed ^ (long) node * 0x9E3779B97F4A7C15L);
        for (int s = 0; s < width; s++) {
            ids[offset + s] = row.nextInt(nodes);
            w[offset + s] = 1f / width;
        }
        return width;
    }
}
