package io.pinsage.engine.util;

import java.util.Map;
import java.util.Objects;

/**
 * The entries in which two descriptions of the same thing differ (string maps such as a model's configuration or
 * a dataset's shape), each side written {@code key=value key=value}, so that an error names only what differs
 * instead of printing both descriptions whole. Immutable.
 *
 * @param was the differing entries of the first description (for example what a checkpoint was written with)
 * @param is  the same keys' entries in the second (what this run has)
 */
public record Differences(String was, String is) {

    /**
     * Compares {@code was} and {@code is} over the keys of {@code is}, in its iteration order; a key {@code was}
     * lacks shows as {@code key=(none)}. Cost: one lookup per key.
     */
    public static Differences between(Map<String, String> was, Map<String, String> is) {
        StringBuilder w = new StringBuilder();
        StringBuilder i = new StringBuilder();
        for (Map.Entry<String, String> e : is.entrySet()) {
            String old = was.get(e.getKey());
            if (!Objects.equals(old, e.getValue())) {
                w.append(w.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(old == null ? "(none)" : old);
                i.append(i.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return new Differences(w.toString(), i.toString());
    }

    /** Whether the two descriptions agree on every compared key. */
    public boolean none() {
        return is.isEmpty();
    }
}
