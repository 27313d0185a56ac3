package io.pinsage.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Device} that measures how long the device spends executing the work issued on one stream while timing
 * is on: each kernel, memset, device-to-device or device-to-host copy on that stream is bracketed by a pair of
 * timing events, and the busy time is the sum of the pairs' elapsed times. Gaps between operations, where the
 * stream waits for the host to issue more, are therefore not counted, which is what an idle fraction needs.
 *
 * <p>The device timestamps an event when the stream reaches it, so a pair measures its operation's execution (a
 * start event issued while the stream is busy is reached when the previous operation ends). Nothing waits while
 * timing: pairs are queued, collected in issue order when {@link #collect()} finds their end events passed, and
 * returned to a free list, so the number of events in use settles at what the stream has in flight. Only
 * {@link #busyNanos()} waits, for the pairs still pending.
 *
 * <p>Everything else is forwarded unchanged. Not thread-safe: driven by its backend's owning thread.
 */
final class KernelTimingDevice implements Device {

    private final Device inner;
    private long timedStream;
    private boolean timing;
    private long busyNanos;
    /** Pairs not in use: starts and ends, stacked. */
    private long[] freeStarts = new long[64];
    private long[] freeEnds = new long[64];
    private int free;
    /** Pairs issued and not yet collected: a ring in issue order. */
    private long[] pendingStarts = new long[64];
    private long[] pendingEnds = new long[64];
    private int head;
    private int pending;
    private String[] pendingLabels = new String[64];
    /** The pair of the operation being issued, between {@link #start} and {@link #end}, and its label. */
    private long openStart;
    private long openEnd;
    private String openLabel;
    /** Count and nanoseconds per operation label, or null when the breakdown is off. */
    private final Map<String, long[]> breakdown;

    /**
     * @param breakdown also keep count and time per operation (kernels, GEMMs per shape, copies), for
     *                  {@link #breakdown()}; costs a string per timed operation
     */
    KernelTimingDevice(Device inner, boolean breakdown) {
        this.inner = inner;
        this.breakdown = breakdown ? new HashMap<>() : null;
    }

    /**
     * The timed operations by label, most time first, as text lines ({@code label count total-ms mean-us}), or an
     * empty list when the breakdown is off. Waits for pending operations.
     */
    List<String> breakdown() {
        busyNanos();
        if (breakdown == null) {
            return List.of();
        }
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(breakdown.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, long[]> r : rows) {
            long count = r.getValue()[0], nanos = r.getValue()[1];
            lines.add(String.format(Locale.ROOT, "%-40s %9d %10.1f ms %9.1f us", r.getKey(), count, nanos / 1e6,
                    nanos / 1e3 / count));
        }
        return lines;
    }

    /** The stream whose work is timed (the backend's compute stream); set once, before timing starts. */
    void timeStream(long stream) {
        timedStream = stream;
    }

    /** Times the timed stream's operations from now until {@code on} is false. */
    void setTiming(boolean on) {
        timing = on;
    }

    /** Adds the pairs whose operations have completed to the busy time, oldest first, without waiting. */
    void collect() {
        while (pending > 0 && inner.eventDone(pendingEnds[head])) {
            retireOldest();
        }
    }

    /** Busy time of every operation timed so far, in nanoseconds; waits for those still running. */
    long busyNanos() {
        while (pending > 0) {
            inner.synchronizeEvent(pendingEnds[head]);
            retireOldest();
        }
        return busyNanos;
    }

    /** Destroys every event; pending pairs are waited for first. */
    void freeEvents() {
        busyNanos();
        for (int i = 0; i < free; i++) {
            inner.destroyEvent(freeStarts[i]);
            inner.destroyEvent(freeEnds[i]);
        }
        free = 0;
    }

    private void retireOldest() {
        long start = pendingStarts[head], end = pendingEnds[head];
        long nanos = Math.round(inner.elapsedMillis(start, end) * 1e6);
        busyNanos += nanos;
        if (breakdown != null) {
            long[] row = breakdown.computeIfAbsent(pendingLabels[head], k -> new long[2]);
            row[0]++;
            row[1] += nanos;
        }
        head = (head + 1) % pendingStarts.length;
        pending--;
        if (free == freeStarts.length) {
            freeStarts = java.util.Arrays.copyOf(freeStarts, free * 2);
            freeEnds = java.util.Arrays.copyOf(freeEnds, free * 2);
        }
        freeStarts[free] = start;
        freeEnds[free] = end;
        free++;
    }

    private boolean timed(long stream) {
        return timing && stream == timedStream;
    }

    /**
     * Records a pair's start event on {@code stream} when its work is being timed; {@link #end} records the end
     * and queues the pair.
     *
     * @return whether the operation is timed
     */
    private boolean start(long stream, String label) {
        if (!timed(stream)) {
            return false;
        }
        openLabel = label;
        if (free > 0) {
            free--;
            openStart = freeStarts[free];
            openEnd = freeEnds[free];
        } else {
            openStart = inner.createEvent();
            openEnd = inner.createEvent();
        }
        inner.recordEvent(openStart, stream);
        return true;
    }

    private void end(boolean timed, long stream) {
        if (!timed) {
            return;
        }
        inner.recordEvent(openEnd, stream);
        if (pending == pendingStarts.length) {
            long[] s = new long[pending * 2], e = new long[pending * 2];
            String[] l = new String[pending * 2];
            for (int i = 0; i < pending; i++) {
                s[i] = pendingStarts[(head + i) % pending];
                e[i] = pendingEnds[(head + i) % pending];
                l[i] = pendingLabels[(head + i) % pending];
            }
            pendingStarts = s;
            pendingEnds = e;
            pendingLabels = l;
            head = 0;
        }
        int tail = (head + pending) % pendingStarts.length;
        pendingStarts[tail] = openStart;
        pendingEnds[tail] = openEnd;
        pendingLabels[tail] = openLabel;
        pending++;
    }

    // ------------------------------------------------------------------ forwarded

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public long alloc(long bytes) {
        return inner.alloc(bytes);
    }

    @Override
    public void free(long address) {
        inner.free(address);
    }

    @Override
    public long allocPinned(long bytes) {
        return inner.allocPinned(bytes);
    }

    @Override
    public void freePinned(long address) {
        inner.freePinned(address);
    }

    @Override
    public long createStream() {
        return inner.createStream();
    }

    @Override
    public void destroyStream(long stream) {
        inner.destroyStream(stream);
    }

    @Override
    public long createEvent() {
        return inner.createEvent();
    }

    @Override
    public void destroyEvent(long event) {
        inner.destroyEvent(event);
    }

    @Override
    public void recordEvent(long event, long stream) {
        inner.recordEvent(event, stream);
    }

    @Override
    public void streamWaitEvent(long stream, long event) {
        inner.streamWaitEvent(stream, event);
    }

    @Override
    public boolean eventDone(long event) {
        return inner.eventDone(event);
    }

    @Override
    public void synchronizeEvent(long event) {
        inner.synchronizeEvent(event);
    }

    @Override
    public float elapsedMillis(long start, long end) {
        return inner.elapsedMillis(start, end);
    }

    @Override
    public void synchronizeStream(long stream) {
        inner.synchronizeStream(stream);
    }

    @Override
    public void copyToDevice(long dst, long srcHost, long bytes, long stream) {
        boolean timed = start(stream, "copy host-to-device");
        inner.copyToDevice(dst, srcHost, bytes, stream);
        end(timed, stream);
    }

    @Override
    public void copyToHost(long dstHost, long src, long bytes, long stream) {
        boolean timed = start(stream, "copy device-to-host");
        inner.copyToHost(dstHost, src, bytes, stream);
        end(timed, stream);
    }

    @Override
    public void copyOnDevice(long dst, long src, long bytes, long stream) {
        boolean timed = start(stream, "copy device-to-device");
        inner.copyOnDevice(dst, src, bytes, stream);
        end(timed, stream);
    }

    @Override
    public void zero(long dst, long bytes, long stream) {
        boolean timed = start(stream, "memset");
        inner.zero(dst, bytes, stream);
        end(timed, stream);
    }

    @Override
    public int gatherForward(int mode, long src, int srcRows, int dim, long idx, long alpha, int rows, int t, long out,
                             long argmax, long stream) {
        boolean timed = start(stream, "gather-aggregate forward");
        int status = inner.gatherForward(mode, src, srcRows, dim, idx, alpha, rows, t, out, argmax, stream);
        end(timed, stream);
        return status;
    }

    @Override
    public int gatherBackward(int mode, long dOut, int srcRows, int dim, long idx, long alpha, long argmax, int rows, int t,
                              long dSrc, long stream) {
        boolean timed = start(stream, "gather-aggregate backward");
        int status = inner.gatherBackward(mode, dOut, srcRows, dim, idx, alpha, argmax, rows, t, dSrc, stream);
        end(timed, stream);
        return status;
    }

    @Override
    public int biasReluForward(long x, long bias, int rows, int cols, long y, long stream) {
        boolean timed = start(stream, "bias+relu forward");
        int status = inner.biasReluForward(x, bias, rows, cols, y, stream);
        end(timed, stream);
        return status;
    }

    @Override
    public int biasReluBackward(long y, long dy, int rows, int cols, long dx, long stream) {
        boolean timed = start(stream, "bias+relu backward");
        int status = inner.biasReluBackward(y, dy, rows, cols, dx, stream);
        end(timed, stream);
        return status;
    }

    @Override
    public int l2NormalizeForward(long x, int rows, int cols, float eps, long y, long invNorm, long stream) {
        boolean timed = start(stream, "l2-normalize forward");
        int status = inner.l2NormalizeForward(x, rows, cols, eps, y, invNorm, stream);
        end(timed, stream);
        return status;
    }

    @Override
    public int l2NormalizeBackward(long y, long dy, long invNorm, int rows, int cols, long dx, long stream) {
        boolean timed = start(stream, "l2-normalize backward");
        int status = inner.l2NormalizeBackward(y, dy, invNorm, rows, cols, dx, stream);
        end(timed, stream);
        return status;
    }

    @Override
    public int sampledLossRows(int kind, float margin, float temperature, boolean inBatch, int b, int s, int h,
                               long hardRows, float gradScale, long scores, long rowLoss, long stream) {
        boolean timed = start(stream, "ranking-loss rows");
        int status = inner.sampledLossRows(kind, margin, temperature, inBatch, b, s, h, hardRows, gradScale, scores,
                rowLoss, stream);
        end(timed, stream);
        return status;
    }

    @Override
    public int adam(long param, long m, long v, long grad, long n, float lr, float beta1, float beta2, float eps,
                    float weightDecay, int t, long stream) {
        boolean timed = start(stream, "adam");
        int status = inner.adam(param, m, v, grad, n, lr, beta1, beta2, eps, weightDecay, t, stream);
        end(timed, stream);
        return status;
    }

    @Override
    public int gemm(GemmEngine engine, boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                    long b, int ldb, float beta, long c, int ldc, long stream) {
        boolean timed = start(stream, breakdown == null ? null : gemmLabel(engine, transA, transB, m, n, k));
        int status = inner.gemm(engine, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, stream);
        end(timed, stream);
        return status;
    }

    private static String gemmLabel(GemmEngine engine, boolean transA, boolean transB, int m, int n, int k) {
        return "gemm " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k + " " + engine;
    }
}
