package io.pinsage.csr.live;

import java.time.Duration;

/**
 * When a {@link LiveGraph}'s write-ahead log is forced to the device, which is when a batch is acknowledged.
 *
 * <ul>
 *   <li>{@link #eachBatch()}: {@link LiveGraph#append} fsyncs its record before applying the batch; an acknowledged
 *       batch is also durable before any reader can see it. One fsync per batch (milliseconds on most disks).</li>
 *   <li>{@link #groupCommit(Duration)}: a background thread fsyncs what was written every period;
 *       {@link LiveGraph#awaitDurable} (and {@link LiveGraph#add}) returns once an fsync covers the batch, within
 *       about one period. A batch may be visible to queries up to a period before it is acknowledged; an acknowledged
 *       one is never lost.</li>
 * </ul>
 * Either way an acknowledged batch survives a crash of the process or of the machine.
 *
 * @param periodMillis 0 for {@link #eachBatch()}, otherwise the group commit period
 */
public record LogSync(long periodMillis) {

    /** Longest group commit period accepted. */
    public static final long MAX_PERIOD_MILLIS = 10_000;

    /** @throws IllegalArgumentException if the period is negative or above {@link #MAX_PERIOD_MILLIS} */
    public LogSync {
        if (periodMillis < 0 || periodMillis > MAX_PERIOD_MILLIS) {
            throw new IllegalArgumentException("periodMillis=" + periodMillis + ": must lie in [0, " + MAX_PERIOD_MILLIS + "]");
        }
    }

    /** One fsync per batch, before it is applied. */
    public static LogSync eachBatch() {
        return new LogSync(0);
    }

    /** One fsync every {@code period} (at least 1 ms) covering every batch written since the last. */
    public static LogSync groupCommit(Duration period) {
        return new LogSync(Math.max(1, period.toMillis()));
    }

    /** Whether batches share fsyncs. */
    public boolean grouped() {
        return periodMillis > 0;
    }
}
