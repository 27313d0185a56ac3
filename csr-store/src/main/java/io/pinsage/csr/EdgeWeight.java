package io.pinsage.csr;

/**
 * The one rule for an edge's weight, wherever the edge comes from (an edge file {@code ingest} reads, a file a live
 * server follows, a batch of live edges, the body of {@code POST /v1/edges}), and its one message: a weight is
 * positive and finite. A weight of 0 would be an edge no weighted walk takes, which the store's CSR build refuses, so
 * a compaction could not write it; NaN and the infinities give no share of a walk. Stateless.
 */
public final class EdgeWeight {

    private EdgeWeight() {
    }

    /** Whether {@code weight} is an edge's weight. */
    public static boolean valid(float weight) {
        return weight > 0 && weight < Float.POSITIVE_INFINITY;
    }

    /**
     * Null when {@code weight} is valid, else {@code "NAME WRITTEN must be positive and finite"}.
     *
     * @param name    the field as the caller names it, e.g. {@code weight} or {@code edges[3].weight}
     * @param written the weight as its input wrote it
     */
    public static String check(String name, String written, float weight) {
        return valid(weight) ? null : name + " " + written + " must be positive and finite";
    }

    /** {@code "NAME 'WRITTEN' is not a number"}: the weight field holds something else. */
    public static String notANumber(String name, String written) {
        return name + " '" + written + "' is not a number";
    }
}
