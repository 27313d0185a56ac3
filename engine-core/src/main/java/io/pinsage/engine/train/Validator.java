package io.pinsage.engine.train;

import io.pinsage.nn.model.PinSageModel;

/**
 * Scores the model being trained on a validation split; higher is better (for example recall@20). Called on the
 * trainer's thread between epochs, so it may use the model's backend (typically through {@link Inference}); may
 * use threads of its own for the ranking.
 */
@FunctionalInterface
public interface Validator {
    double score(PinSageModel model);
}
