package io.pinsage.engine.train;

import java.util.SplittableRandom;

/**
 * Source of hard negatives for a query: nodes that are related to it, but less than its positives are (for
 * PinSage, nodes at personalised-PageRank ranks 2000–5000 of the query). Must be thread-safe: several sampler
 * threads draw at once, each with its own random generator.
 */
@FunctionalInterface
public interface HardNegatives {

    /** A hard negative for {@code query} (unified node id), or {@code -1} when the query has none. */
    int sample(int query, SplittableRandom rnd);
}
