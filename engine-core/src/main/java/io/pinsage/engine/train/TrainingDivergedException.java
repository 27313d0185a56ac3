package io.pinsage.engine.train;

/**
 * Training produced a NaN or infinity. The message names the step (global, epoch, batch) and the first tensor
 * found non-finite; the last checkpoint written before that step is left as it was.
 */
public final class TrainingDivergedException extends RuntimeException {

    public TrainingDivergedException(String message) {
        super(message);
    }
}
