package io.pinsage.csr;

/**
 * A node id given as text names no node of a store: it is not in the side's id map, is not a number where the
 * map holds long ids, or (without an id map) is not a dense id below the side's node count. Thrown by
 * {@link GraphStore#denseId} and {@link GraphStore#parseDenseId}; a host answering requests can tell it apart from
 * bad configuration (a plain {@link IllegalArgumentException}) and report "not found". Immutable.
 */
public final class UnknownIdException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final Side side;
    private final String id;
    private final String problem;
    private final int index;

    /**
     * @param side    the side the id was looked up on
     * @param id      the text as given (trimmed)
     * @param problem why it names no node, e.g. {@code not in the store's id map}
     */
    public UnknownIdException(Side side, String id, String problem) {
        this(side, id, problem, -1);
    }

    private UnknownIdException(Side side, String id, String problem, int index) {
        super(side + " id " + id + ": " + problem);
        this.side = side;
        this.id = id;
        this.problem = problem;
        this.index = index;
    }

    /** The same, as the id at {@code index} of a list the caller resolved (so a host can name it without searching). */
    public UnknownIdException at(int index) {
        UnknownIdException e = new UnknownIdException(side, id, problem, index);
        e.setStackTrace(getStackTrace());
        return e;
    }

    public Side side() {
        return side;
    }

    /** The id text as given (trimmed). */
    public String id() {
        return id;
    }

    /** The id's index in the list it came from ({@link #at}), or -1 if it was looked up alone. */
    public int index() {
        return index;
    }

    /** Why the id names no node, without the side and the id. */
    public String problem() {
        return problem;
    }
}
