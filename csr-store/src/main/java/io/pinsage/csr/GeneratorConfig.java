package io.pinsage.csr;

/**
 * Parameters of the synthetic pin–board graph ({@link PinBoardGenerator}). Immutable.
 *
 * @param pins            left nodes
 * @param boards          right nodes; each board gets at least one edge, so {@code edges >= boards}
 * @param edges           edges, exactly
 * @param seed            everything generated is a function of this seed (and the other parameters) only
 * @param topics          latent topics; pin {@code p} belongs to topic {@code p % topics}
 * @param topicFocus      probability that a board's edge goes to a pin of the board's own topic; otherwise the
 *                        pin's topic is uniform
 * @param confusableTopicPairs number of topic pairs (2i, 2i+1) whose feature centroids nearly coincide
 * @param featureDim      pin feature dimension; 0 writes no features
 * @param featureNoise    expected length of the Gaussian noise vector added to a pin's topic's unit-length centroid
 *                        (per-coordinate standard deviation {@code featureNoise / sqrt(featureDim)})
 * @param heldOutPairs    engagement pairs (query pin, related pin) written apart from the graph, at most {@code pins}
 * @param diverseBoards   fraction of boards that are catch-alls: every edge of theirs goes to a pin of a uniformly
 *                        drawn topic (what Pixie's pruning drops); 0 for none
 */
public record GeneratorConfig(int pins, int boards, long edges, long seed, int topics, double topicFocus,
                              int confusableTopicPairs, int featureDim, double featureNoise, int heldOutPairs,
                              double diverseBoards) {

    public GeneratorConfig {
        if (pins < 1 || boards < 1) {
            throw new IllegalArgumentException("pins=" + pins + " boards=" + boards + ": must be >= 1");
        }
        if (edges < boards) {
            throw new IllegalArgumentException("edges=" + edges + ": must be >= boards=" + boards + " (every board holds a pin)");
        }
        if (topics < 1 || topics > pins) {
            throw new IllegalArgumentException("topics=" + topics + ": must be in [1, pins=" + pins + "]");
        }
        if (!(topicFocus >= 0 && topicFocus <= 1)) {
            throw new IllegalArgumentException("topicFocus=" + topicFocus + ": must be in [0, 1]");
        }
        if (!(diverseBoards >= 0 && diverseBoards <= 1)) {
            throw new IllegalArgumentException("diverseBoards=" + diverseBoards + ": must be in [0, 1]");
        }
        if (confusableTopicPairs < 0 || 2 * confusableTopicPairs > topics) {
            throw new IllegalArgumentException("confusableTopicPairs=" + confusableTopicPairs + ": must be in [0, topics/2]");
        }
        if (featureDim < 0 || featureDim > 4096 || !(featureNoise >= 0) || heldOutPairs < 0) {
            throw new IllegalArgumentException("featureDim=" + featureDim + " featureNoise=" + featureNoise
                    + " heldOutPairs=" + heldOutPairs + ": need dim in [0, 4096], noise >= 0, pairs >= 0");
        }
        if (heldOutPairs > pins) {
            // the pairs file and every evaluation over it grow with the count; more queries than pins add nothing
            throw new IllegalArgumentException("heldOutPairs=" + heldOutPairs + ": must be <= pins=" + pins);
        }
    }

    /**
     * Sensible defaults around the given sizes: 64 topics (fewer for tiny graphs), focus 0.9, a quarter of the topics in
     * confusable pairs, 16-dim features, no catch-all boards.
     */
    public static GeneratorConfig of(int pins, int boards, long edges, long seed) {
        int topics = Math.min(64, pins);
        return new GeneratorConfig(pins, boards, edges, seed, topics, 0.9, topics / 8, 16, 0.35,
                (int) Math.min(10_000, Math.max(1, pins / 10)), 0);
    }

    public GeneratorConfig withFeatureDim(int dim) {
        return new GeneratorConfig(pins, boards, edges, seed, topics, topicFocus, confusableTopicPairs, dim, featureNoise, heldOutPairs, diverseBoards);
    }

    public GeneratorConfig withTopics(int t, int confusablePairs) {
        return new GeneratorConfig(pins, boards, edges, seed, t, topicFocus, confusablePairs, featureDim, featureNoise, heldOutPairs, diverseBoards);
    }

    public GeneratorConfig withHeldOutPairs(int pairs) {
        return new GeneratorConfig(pins, boards, edges, seed, topics, topicFocus, confusableTopicPairs, featureDim, featureNoise, pairs, diverseBoards);
    }

    public GeneratorConfig withDiverseBoards(double fraction) {
        return new GeneratorConfig(pins, boards, edges, seed, topics, topicFocus, confusableTopicPairs, featureDim, featureNoise,
                heldOutPairs, fraction);
    }
}
