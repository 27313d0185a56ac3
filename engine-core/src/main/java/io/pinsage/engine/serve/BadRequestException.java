package io.pinsage.engine.serve;

/**
 * A request the server refuses with a 4xx status: the HTTP status, the query parameter at fault (or {@code null}
 * when none is) and what was expected. Immutable.
 */
final class BadRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String parameter;

    BadRequestException(int status, String parameter, String message) {
        super(message);
        this.status = status;
        this.parameter = parameter;
    }

    int status() {
        return status;
    }

    /** The parameter at fault, or {@code null}. */
    String parameter() {
        return parameter;
    }
}
