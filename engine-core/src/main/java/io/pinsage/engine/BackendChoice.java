package io.pinsage.engine;

import io.pinsage.nn.backend.Backend;

import java.util.Objects;

/**
 * The backend {@link Backends#select(String)} opened and why it is that one, for a host to log or show as it
 * pleases. Immutable; the holder owns {@link #backend()} and closes it.
 *
 * @param backend the opened backend
 * @param reason  a human-readable reason, e.g. {@code --device auto: CUDA unavailable: ...}
 */
public record BackendChoice(Backend backend, String reason) {

    public BackendChoice {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(reason, "reason");
    }

    /** One line for a log: {@code backend: <name> (<reason>)}. */
    public String describe() {
        return "backend: " + backend.name() + " (" + reason + ")";
    }
}
