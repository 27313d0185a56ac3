package io.pinsage.engine.train;

/**
 * Scores the current parameters on a validation split; higher is better (for example recall@20). Called on the
 * trainer's thread between epochs; may use its own threads.
 */
@FunctionalInterface
public interface Validator {
    double score(ModelParams params);
}
