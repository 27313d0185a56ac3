package io.pinsage.nn.train;

/**
 * A training step met a NaN or infinity; the message names the first tensor found non-finite (or the loss). Thrown
 * before the optimiser ran, so the parameters are those from before the step.
 */
public final class NonFiniteValueException extends RuntimeException {

    public NonFiniteValueException(String message) {
        super(message);
    }
}
