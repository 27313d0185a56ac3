package io.pinsage.nn.backend;

/**
 * A tensor holds NaN or an infinity where finite values were required: bad data (features) or a diverged
 * training step. The message names the tensor, and the caller's context (for example the step).
 */
public final class NonFiniteValueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NonFiniteValueException(String message) {
        super(message);
    }
}
