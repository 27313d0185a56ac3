package io.pinsage.nn.backend;

/**
 * Hyper-parameters of the Adam update (Kingma and Ba), with bias correction and optional decoupled weight
 * decay (AdamW: {@code θ -= lr · weightDecay · θ} before the Adam step).
 *
 * <p>Immutable and thread-safe.
 *
 * @param learningRate step size, {@code > 0}
 * @param beta1 decay of the first moment, in {@code [0, 1)}
 * @param beta2 decay of the second moment, in {@code [0, 1)}
 * @param epsilon added to {@code sqrt(v̂)}, {@code > 0}
 * @param weightDecay decoupled weight decay, {@code >= 0}
 * @throws IllegalArgumentException naming the offending {@code name=value}
 */
public record AdamConfig(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) {

    public AdamConfig {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate=" + learningRate + " (expected a finite value > 0)");
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1=" + beta1 + " (expected 0 <= beta1 < 1)");
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2=" + beta2 + " (expected 0 <= beta2 < 1)");
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon=" + epsilon + " (expected > 0)");
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay=" + weightDecay + " (expected a finite value >= 0)");
        }
    }

    /** The usual defaults ({@code β1 = 0.9, β2 = 0.999, ε = 1e-8}, no weight decay) with the given rate. */
    public static AdamConfig of(float learningRate) {
        return new AdamConfig(learningRate, 0.9f, 0.999f, 1e-8f, 0f);
    }

    /** The same settings with another learning rate, for schedules. */
    public AdamConfig withLearningRate(float rate) {
        return new AdamConfig(rate, beta1, beta2, epsilon, weightDecay);
    }
}
