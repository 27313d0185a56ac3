package io.pinsage.engine.serve;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decoded query string of one request, read field by field: every problem is a {@link BadRequestException}
 * (status 400) naming the parameter and what was expected. Not thread-safe (one request's).
 */
final class QueryParameters {

    private final Map<String, List<String>> values;

    QueryParameters(Map<String, List<String>> values) {
        this.values = values;
    }

    /** The parameters as decoded, for the log. */
    @Override
    public String toString() {
        return values.toString();
    }

    /** Refuses any parameter outside {@code allowed}: a misspelt option must not be silently ignored. */
    void allowOnly(Set<String> allowed) {
        for (String name : values.keySet()) {
            if (!allowed.contains(name)) {
                throw new BadRequestException(400, name, "unknown parameter " + name + "; expected one of "
                        + allowed.stream().sorted().toList());
            }
        }
    }

    /** The one value of {@code name}, or {@code null} when absent. */
    String optional(String name) {
        List<String> v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() != 1) {
            throw new BadRequestException(400, name, name + " is given " + v.size() + " times; expected once");
        }
        return v.get(0);
    }

    /** The one value of {@code name}, which must be present and not blank. */
    String required(String name) {
        String v = optional(name);
        if (v == null || v.isBlank()) {
            throw new BadRequestException(400, name, "missing parameter " + name);
        }
        return v;
    }

    /** {@code name} as a long in {@code [min, max]}, {@code absent} when missing. */
    long longIn(String name, long absent, long min, long max) {
        String v = optional(name);
        if (v == null) {
            return absent;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted range
        }
        throw new BadRequestException(400, name, name + "=" + v + ": expected an integer in [" + min + ", " + max + "]");
    }

    /** {@code name} as an int in {@code [min, max]}, {@code absent} when missing. */
    int intIn(String name, int absent, int min, int max) {
        return (int) longIn(name, absent, min, max);
    }
}
