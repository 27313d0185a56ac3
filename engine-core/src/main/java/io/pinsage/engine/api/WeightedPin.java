package io.pinsage.engine.api;

import java.util.Objects;

/**
 * A query pin of {@link PinSageEngine#recommend}: its external id and its weight (positive and finite; checked by the
 * call). Immutable.
 *
 * @param id     the pin's external id (a dense id as text when the store has no id map)
 * @param weight its share of the walk budget relative to the other query pins
 */
public record WeightedPin(String id, float weight) {

    public WeightedPin {
        Objects.requireNonNull(id, "id");
    }
}
