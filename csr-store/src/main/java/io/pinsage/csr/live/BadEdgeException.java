package io.pinsage.csr.live;

/**
 * An edge of a batch given to {@link LiveGraph#append} was refused: the message names the edge's index in its batch,
 * the field, the text or value given and what was expected. Nothing of a batch with a bad edge is applied or logged.
 * Distinct from {@link IllegalArgumentException} (bad configuration) and from a full graph
 * ({@link LiveGraph.Limits}, an {@link IllegalStateException}).
 */
public final class BadEdgeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int edge;

    BadEdgeException(int edge, String problem) {
        super("edge " + edge + ": " + problem);
        this.edge = edge;
    }

    /** Index of the refused edge in its batch (0-based). */
    public int edge() {
        return edge;
    }
}
