package io.pinsage.nn.backend;

/**
 * The ranking losses a backend computes on rows of scores ({@link Backend#rankingLossRows}), on which the model's
 * sampled loss head is built.
 */
public enum RankingLossKind {
    /**
     * Sampled softmax: {@code −log(exp(q·p/τ) / Σ_{c ∈ {p} ∪ N} exp(q·c/τ))}, the cross-entropy of picking the
     * positive among itself and the negatives, at temperature τ.
     */
    SOFTMAX,
    /** Max-margin: {@code mean_{n ∈ N} max(0, q·n − q·p + Δ)}. */
    MARGIN
}
