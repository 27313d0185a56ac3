package io.pinsage.nn.batch;

import java.util.Random;

/**
 * Which training pairs make up each minibatch, and the seed of each batch's own draws (negatives): the rule that
 * makes a run reproducible. Epoch e visits the pairs in a Fisher–Yates shuffle seeded by (seed, e); batch i of an
 * epoch holds positions {@code [from(i), to(i))} of that order and draws from a generator seeded by
 * {@link #batchSeed}(e, i). Both depend only on (seed, e, i), not on which producer builds the batch, when, or in
 * which order batches are asked for.
 *
 * <p>Immutable and thread-safe. {@link #order} costs O(pairs) time and a fresh array of {@code pairs} ints.
 */
public final class BatchSchedule {

    private final int pairs;
    private final int batchSize;
    private final long seed;

    /**
     * @param pairs     number of (query, positive) training pairs, {@code >= 1}
     * @param batchSize pairs per batch, {@code >= 1}; the last batch of an epoch may hold fewer
     * @param seed      the run's seed
     * @throws IllegalArgumentException naming the parameter out of range
     */
    public BatchSchedule(int pairs, int batchSize, long seed) {
        if (pairs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("pairs=" + pairs + " batchSize=" + batchSize + ": must be >= 1");
        }
        this.pairs = pairs;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    public int pairs() {
        return pairs;
    }

    public int batchSize() {
        return batchSize;
    }

    public long seed() {
        return seed;
    }

    /** Batches per epoch: {@code ceil(pairs / batchSize)}. */
    public int batches() {
        return (int) ((pairs + (long) batchSize - 1) / batchSize);
    }

    /** Epoch {@code epoch}'s order of the pairs: position p of the epoch holds pair {@code order(epoch)[p]}. */
    public int[] order(int epoch) {
        int[] order = new int[pairs];
        for (int i = 0; i < pairs; i++) {
            order[i] = i;
        }
        Random rnd = new Random(mix(seed, epoch));
        for (int i = pairs - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** First position (in the epoch's order) of batch {@code index}. */
    public int from(int index) {
        checkIndex(index);
        return index * batchSize;
    }

    /** End (exclusive) of batch {@code index}'s positions. */
    public int to(int index) {
        checkIndex(index);
        return (int) Math.min(pairs, (long) index * batchSize + batchSize);
    }

    /** Seed of batch {@code index} of epoch {@code epoch}'s own random draws. */
    public long batchSeed(int epoch, int index) {
        return mix(mix(seed, epoch), index + 1);
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= batches()) {
            throw new IllegalArgumentException("index=" + index + ": must lie in [0, " + batches() + ")");
        }
    }

    private static long mix(long seed, long a) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
