package io.pinsage.nn.backend;

/** The element-wise function {@link Backend#biasActivation} applies after adding the bias. */
public enum Activation {
    /** Identity. */
    NONE,
    /** {@code max(0, x)}; its derivative at 0 is taken as 0. */
    RELU
}
