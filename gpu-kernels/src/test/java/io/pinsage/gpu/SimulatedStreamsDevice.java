package io.pinsage.gpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link Device} that runs the host twins with the ordering freedom of CUDA streams, to test
 * {@link CudaBackend}'s events and waits without a GPU. Every copy, memset and kernel is queued on its stream;
 * one stream runs its work as soon as it is queued, the other (the <em>lazy</em> one) only when something
 * forces it: a wait on one of its events, a synchronisation, or freeing memory. So work the backend forgot to
 * order runs in the wrong order, and a test that reads its results fails:
 * <ul>
 *   <li>lazy copy stream: a kernel issued after an upload without waiting for it reads stale data;</li>
 *   <li>lazy compute stream: an upload into a tensor a queued kernel still reads, without waiting for it,
 *       overwrites the data under that kernel.</li>
 * </ul>
 * The backend creates its compute stream first and its copy stream second. Single-threaded, like the backend.
 */
final class SimulatedStreamsDevice implements Device {

    /** Which of the backend's two streams defers its work. */
    enum Lazy { COMPUTE, COPY }

    private static final class Stream {
        final ArrayDeque<Runnable> pending = new ArrayDeque<>();
        long enqueued;
        long executed;
    }

    private final HostDevice host = new HostDevice();
    private final Map<Long, Stream> streams = new HashMap<>();
    private final Map<Long, long[]> events = new HashMap<>();
    private final Map<Long, Long> eventTimes = new HashMap<>();
    private final long lazyStream;
    private long nextStream = 1;
    private long nextEvent = 1;

    SimulatedStreamsDevice(Lazy lazy) {
        this.lazyStream = lazy == Lazy.COMPUTE ? 1 : 2;
    }

    private void enqueue(long stream, Runnable op) {
        Stream s = streams.get(stream);
        s.pending.add(op);
        s.enqueued++;
        if (stream != lazyStream) {
            drain(s, s.enqueued);
        }
    }

    private static void drain(Stream s, long upTo) {
        while (s.executed < upTo) {
            Runnable op = s.pending.poll();
            s.executed++;
            op.run();
        }
    }

    private void drainAll() {
        for (Stream s : streams.values()) {
            drain(s, s.enqueued);
        }
    }

    /** A kernel's status surfaces when it runs, as an exception (CUDA reports it at the next synchronisation). */
    private void kernel(long stream, java.util.function.IntSupplier call, String name) {
        enqueue(stream, () -> NativeException.check(call.getAsInt(), name));
    }

    /** Events created so far. */
    long eventsCreated() {
        return nextEvent - 1;
    }

    /** Operations queued on {@code stream} and not yet run (stream 1 is the backend's compute stream, 2 its copy stream). */
    long pending(long stream) {
        Stream s = streams.get(stream);
        return s.enqueued - s.executed;
    }

    @Override
    public String name() {
        return "simulated-streams";
    }

    @Override
    public long alloc(long bytes) {
        return host.alloc(bytes);
    }

    @Override
    public void free(long address) {
        drainAll();
        host.free(address);
    }

    @Override
    public long allocPinned(long bytes) {
        return alloc(bytes);
    }

    @Override
    public void freePinned(long address) {
        free(address);
    }

    @Override
    public long createStream() {
        long id = nextStream++;
        streams.put(id, new Stream());
        return id;
    }

    @Override
    public void destroyStream(long stream) {
        Stream s = streams.remove(stream);
        drain(s, s.enqueued);
    }

    @Override
    public long createEvent() {
        return nextEvent++;
    }

    @Override
    public void destroyEvent(long event) {
        events.remove(event);
        eventTimes.remove(event);
    }

    /** The mark is the stream position just after a queued operation that timestamps the event when it runs. */
    @Override
    public void recordEvent(long event, long stream) {
        enqueue(stream, () -> eventTimes.put(event, System.nanoTime()));
        events.put(event, new long[] {stream, streams.get(stream).enqueued});
    }

    @Override
    public boolean eventDone(long event) {
        long[] mark = events.get(event);
        return mark == null || streams.get(mark[0]).executed >= mark[1];
    }

    @Override
    public void synchronizeEvent(long event) {
        long[] mark = events.get(event);
        if (mark != null) {
            drain(streams.get(mark[0]), mark[1]);
        }
    }

    @Override
    public float elapsedMillis(long start, long end) {
        if (!eventDone(start) || !eventDone(end)) {
            throw new IllegalStateException("elapsed time of events not yet passed: " + start + ", " + end);
        }
        return (eventTimes.get(end) - eventTimes.get(start)) / 1e6f;
    }

    @Override
    public void streamWaitEvent(long stream, long event) {
        long[] mark = events.get(event);
        Stream source = streams.get(mark[0]);
        long position = mark[1];
        enqueue(stream, () -> drain(source, position));
    }

    @Override
    public void synchronizeStream(long stream) {
        Stream s = streams.get(stream);
        drain(s, s.enqueued);
    }

    @Override
    public void copyToDevice(long dst, long srcHost, long bytes, long stream) {
        enqueue(stream, () -> host.copyToDevice(dst, srcHost, bytes, 0));
    }

    @Override
    public void copyToHost(long dstHost, long src, long bytes, long stream) {
        enqueue(stream, () -> host.copyToHost(dstHost, src, bytes, 0));
    }

    @Override
    public void copyOnDevice(long dst, long src, long bytes, long stream) {
        enqueue(stream, () -> host.copyOnDevice(dst, src, bytes, 0));
    }

    @Override
    public void zero(long dst, long bytes, long stream) {
        enqueue(stream, () -> host.zero(dst, bytes, 0));
    }

    @Override
    public int gatherForward(int mode, long src, int srcRows, int dim, long idx, long alpha, int rows, int t,
                             long out, long argmax, long stream) {
        kernel(stream, () -> host.gatherForward(mode, src, srcRows, dim, idx, alpha, rows, t, out, argmax, 0),
                "gatherForward");
        return PinSageNative.PN_OK;
    }

    @Override
    public int gatherBackward(int mode, long dOut, int srcRows, int dim, long idx, long alpha, long argmax, int rows,
                              int t, long dSrc, long stream) {
        kernel(stream, () -> host.gatherBackward(mode, dOut, srcRows, dim, idx, alpha, argmax, rows, t, dSrc, 0),
                "gatherBackward");
        return PinSageNative.PN_OK;
    }

    @Override
    public int biasReluForward(long x, long bias, int rows, int cols, long y, long stream) {
        kernel(stream, () -> host.biasReluForward(x, bias, rows, cols, y, 0), "biasReluForward");
        return PinSageNative.PN_OK;
    }

    @Override
    public int biasReluBackward(long y, long dy, int rows, int cols, long dx, long stream) {
        kernel(stream, () -> host.biasReluBackward(y, dy, rows, cols, dx, 0), "biasReluBackward");
        return PinSageNative.PN_OK;
    }

    @Override
    public int l2NormalizeForward(long x, int rows, int cols, float eps, long y, long invNorm, long stream) {
        kernel(stream, () -> host.l2NormalizeForward(x, rows, cols, eps, y, invNorm, 0), "l2NormalizeForward");
        return PinSageNative.PN_OK;
    }

    @Override
    public int l2NormalizeBackward(long y, long dy, long invNorm, int rows, int cols, long dx, long stream) {
        kernel(stream, () -> host.l2NormalizeBackward(y, dy, invNorm, rows, cols, dx, 0), "l2NormalizeBackward");
        return PinSageNative.PN_OK;
    }

    @Override
    public int sampledLossRows(int kind, float margin, float temperature, boolean inBatch, int b, int s, int h,
                               long hardRows, float gradScale, long scores, long rowLoss, long stream) {
        kernel(stream, () -> host.sampledLossRows(kind, margin, temperature, inBatch, b, s, h, hardRows, gradScale,
                scores, rowLoss, 0), "sampledLossRows");
        return PinSageNative.PN_OK;
    }

    @Override
    public int adam(long param, long m, long v, long grad, long n, float lr, float beta1, float beta2, float eps,
                    float weightDecay, int t, long stream) {
        kernel(stream, () -> host.adam(param, m, v, grad, n, lr, beta1, beta2, eps, weightDecay, t, 0), "adam");
        return PinSageNative.PN_OK;
    }

    @Override
    public int gemm(GemmEngine engine, boolean transA, boolean transB, int m, int n, int k, float alpha, long a,
                    int lda, long b, int ldb, float beta, long c, int ldc, long stream) {
        kernel(stream, () -> host.gemm(engine, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0),
                "gemm");
        return PinSageNative.PN_OK;
    }
}
