package io.pinsage.nn.model;

/**
 * The ranking losses of {@link SampledRankingLoss}.
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
