package io.pinsage.engine.api;

/**
 * One pin of an answer: its external id (the store's id map, or the dense id as text when the store has none) and
 * its score, higher is better. What the score means depends on the call that returned it (boosted visit counts for
 * {@link PinSageEngine#recommend}). Immutable.
 *
 * @param id    the pin's external id
 * @param score its score
 */
public record ScoredPin(String id, float score) {
}
