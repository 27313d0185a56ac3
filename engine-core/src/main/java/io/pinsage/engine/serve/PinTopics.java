package io.pinsage.engine.serve;

/**
 * The latent topics of a synthetic store's pins, as {@code ./pinsage generate} draws them, so that answers and the page
 * can label each pin with its topic: pin {@code p} (dense id) has topic {@code p % topics}, and the topic pairs
 * {@code (2i, 2i+1)} for {@code i < confusablePairs} have nearly the same feature centroid, so content alone
 * confuses them and only the graph tells them apart. A store of real pins has no topics: {@link #NONE}. Immutable.
 *
 * @param topics          topics of the generated store; 0 for none
 * @param confusablePairs leading topic pairs whose features nearly coincide, in {@code [0, topics/2]}
 */
public record PinTopics(int topics, int confusablePairs) {

    /** No topics: answers carry ids and scores only. */
    public static final PinTopics NONE = new PinTopics(0, 0);

    public PinTopics {
        if (topics < 0) {
            throw new IllegalArgumentException("topics=" + topics + ": must be >= 0");
        }
        if (confusablePairs < 0 || 2L * confusablePairs > topics) {
            throw new IllegalArgumentException("confusablePairs=" + confusablePairs + ": must be in [0, topics/2="
                    + topics / 2 + "]");
        }
    }

    /** Whether pins have topics to show. */
    public boolean known() {
        return topics > 0;
    }

    /** The topic of the pin with dense id {@code pin}; only when {@link #known()}. */
    public int topicOf(int pin) {
        return pin % topics;
    }

    /** Whether {@code topic} is one of a confusable pair. */
    public boolean confusable(int topic) {
        return topic < 2 * confusablePairs;
    }
}
