package io.pinsage.engine.train;

import io.pinsage.csr.ResourceLimits;
import io.pinsage.nn.backend.RankingLossKind;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a PinSage model is trained.
 *
 * @param epochs              most epochs to run
 * @param batchSize           (query, positive) pairs per step
 * @param sharedNegatives     random negatives shared by every query of a batch
 * @param inBatchNegatives    whether the other queries' positives also count as negatives
 * @param maxHardNegatives    cap on hard negatives per query; epoch e (1-based) uses {@code min(e − 1, cap)}
 * @param loss                the ranking loss
 * @param margin              Δ of the max-margin loss
 * @param temperature         τ of the softmax loss
 * @param learningRate        Adam learning rate of the dense weights
 * @param embeddingRate       Adam learning rate of the id embeddings
 * @param lrDecay             learning rates are multiplied by this when the validation metric fails to improve
 * @param patience            stop after this many epochs without improvement (early stopping)
 * @param seed                seeds everything: shuffles, negatives, initial weights
 * @param threads             threads of the host-side work around training (neighbourhoods, hard negatives,
 *                            evaluation); the model computes on its backend, which has its own
 * @param samplerThreads      minibatch builder threads
 * @param queueCapacity       built minibatches waiting per sampler thread (bounded queue)
 * @param checkpointEvery     also checkpoint every this many batches within an epoch (0: at epoch ends only)
 * @param leavePositivesOut   whether a query's neighbourhood row leaves out the positives it is paired with in the
 *                            batch: where a query pools over its own interactions (users over their items), the
 *                            positive would otherwise sit in the pool it is scored against, and the model would learn
 *                            to recognise items the user already holds instead of predicting new ones
 * @param weightDecay         decoupled weight decay of Adam (AdamW), on the dense weights and on the id-embedding rows
 *                            a step updates; 0 for none
 */
public record TrainingConfig(int epochs, int batchSize, int sharedNegatives, boolean inBatchNegatives, int maxHardNegatives,
                             RankingLossKind loss, float margin, float temperature, float learningRate, float embeddingRate,
                             float lrDecay, int patience, long seed, int threads, int samplerThreads, int queueCapacity,
                             int checkpointEvery, boolean leavePositivesOut, float weightDecay) {

    /** @throws IllegalArgumentException naming the first field out of range */
    public TrainingConfig {
        atLeast("epochs", epochs, 1);
        atLeast("batchSize", batchSize, 1);
        atLeast("sharedNegatives", sharedNegatives, 0);
        atLeast("maxHardNegatives", maxHardNegatives, 0);
        atLeast("patience", patience, 1);
        ResourceLimits.requireThreads("threads", threads);
        atLeast("samplerThreads", samplerThreads, 1);
        atLeast("queueCapacity", queueCapacity, 1);
        atLeast("checkpointEvery", checkpointEvery, 0);
        if (!(learningRate > 0) || !(embeddingRate > 0)) {
            throw new IllegalArgumentException("learningRate=" + learningRate + " embeddingRate=" + embeddingRate + ": must be > 0");
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw new IllegalArgumentException("lrDecay=" + lrDecay + ": must lie in (0, 1]");
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay=" + weightDecay + ": must be finite and >= 0");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature=" + temperature + ": must be > 0");
        }
        if (sharedNegatives == 0 && !inBatchNegatives && maxHardNegatives == 0) {
            throw new IllegalArgumentException("sharedNegatives=0 inBatchNegatives=false maxHardNegatives=0: no negatives at all");
        }
    }

    /** This configuration with another epoch cap. */
    public TrainingConfig withEpochs(int cap) {
        return new TrainingConfig(cap, batchSize, sharedNegatives, inBatchNegatives, maxHardNegatives, loss, margin, temperature,
                learningRate, embeddingRate, lrDecay, patience, seed, threads, samplerThreads, queueCapacity, checkpointEvery,
                leavePositivesOut, weightDecay);
    }

    /** This configuration with positives left out of (or kept in) their queries' neighbourhood rows. */
    public TrainingConfig withLeavePositivesOut(boolean leave) {
        return new TrainingConfig(epochs, batchSize, sharedNegatives, inBatchNegatives, maxHardNegatives, loss, margin,
                temperature, learningRate, embeddingRate, lrDecay, patience, seed, threads, samplerThreads, queueCapacity,
                checkpointEvery, leave,
                weightDecay);
    }

    /** This configuration with another decoupled weight decay (0: none). */
    public TrainingConfig withWeightDecay(float decay) {
        return new TrainingConfig(epochs, batchSize, sharedNegatives, inBatchNegatives, maxHardNegatives, loss, margin,
                temperature, learningRate, embeddingRate, lrDecay, patience, seed, threads, samplerThreads, queueCapacity,
                checkpointEvery, leavePositivesOut, decay);
    }

    /** This configuration with another cap on the curriculum's hard negatives per query (0: none). */
    public TrainingConfig withMaxHardNegatives(int cap) {
        return new TrainingConfig(epochs, batchSize, sharedNegatives, inBatchNegatives, cap, loss, margin, temperature,
                learningRate, embeddingRate, lrDecay, patience, seed, threads, samplerThreads, queueCapacity, checkpointEvery,
                leavePositivesOut, weightDecay);
    }

    /**
     * The settings that decide what a run's epochs compute, by field name, for a model directory to record and to
     * compare before it resumes: every field but the ones a later run may change and still continue the same training
     * ({@code epochs} and {@code patience}, which only move the end) and the ones that only set how the work is spread
     * ({@code threads}, {@code samplerThreads}, {@code queueCapacity}, {@code checkpointEvery}).
     */
    public Map<String, String> recipe() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("batchSize", Integer.toString(batchSize));
        r.put("sharedNegatives", Integer.toString(sharedNegatives));
        r.put("inBatchNegatives", Boolean.toString(inBatchNegatives));
        r.put("maxHardNegatives", Integer.toString(maxHardNegatives));
        r.put("loss", loss.name());
        r.put("margin", Float.toString(margin));
        r.put("temperature", Float.toString(temperature));
        r.put("learningRate", Float.toString(learningRate));
        r.put("embeddingRate", Float.toString(embeddingRate));
        r.put("lrDecay", Float.toString(lrDecay));
        r.put("seed", Long.toString(seed));
        r.put("leavePositivesOut", Boolean.toString(leavePositivesOut));
        r.put("weightDecay", Float.toString(weightDecay));
        return r;
    }

    private static void atLeast(String name, int v, int min) {
        if (v < min) {
            throw new IllegalArgumentException(name + "=" + v + ": must be >= " + min);
        }
    }

    /** Hard negatives per query in epoch {@code epoch} (0-based): the curriculum adds one per epoch after the first. */
    public int hardNegativesIn(int epoch) {
        return Math.min(epoch, maxHardNegatives);
    }
}
