package io.pinsage.engine.train;

/** The ranking loss over a query's positive and its negatives (scores are dot products of embeddings). */
public enum LossKind {
    /** PinSage's max-margin: mean over negatives n of {@code max(0, s_n − s_pos + Δ)}. */
    MARGIN,
    /** Sampled softmax: {@code −log(exp(s_pos/τ) / (exp(s_pos/τ) + Σ_n exp(s_n/τ)))}. */
    SOFTMAX
}
