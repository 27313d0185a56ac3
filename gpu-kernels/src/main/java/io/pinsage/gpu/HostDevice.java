package io.pinsage.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import static io.pinsage.gpu.PinSageNative.*;

/**
 * {@link Device} on the host: off-heap memory and the synchronous {@code pn_cpu_*} twins of the kernels. Streams
 * are no-ops and an event is the time of its last record (work completes before each call returns). It runs
 * {@link CudaBackend}'s logic where no GPU exists, which checks the bindings' signatures and the backend's layouts against the CPU backend; it is
 * single-threaded and unoptimised, so not a production backend. Requires only the native library (either build).
 *
 * <p>Threading: allocation is synchronised; everything else is as thread-safe as the memory it touches.
 */
class HostDevice implements Device {

    private final Map<Long, Arena> allocations = new HashMap<>();
    /** Each event's last record, in {@link System#nanoTime()}. */
    private final Map<Long, Long> eventTimes = new HashMap<>();
    private long lastEvent;

    @Override
    public String name() {
        return "host-twins";
    }

    @Override
    public synchronized long alloc(long bytes) {
        Arena arena = Arena.ofShared();
        long address = arena.allocate(Math.max(bytes, 1), 64).address();
        allocations.put(address, arena);
        return address;
    }

    @Override
    public synchronized void free(long address) {
        Arena arena = allocations.remove(address);
        if (arena == null) {
            throw new IllegalStateException("free of an address this device did not allocate: 0x"
                    + Long.toHexString(address));
        }
        arena.close();
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
        return 0L;
    }

    @Override
    public void destroyStream(long stream) {
    }

    @Override
    public synchronized long createEvent() {
        long event = ++lastEvent;
        eventTimes.put(event, System.nanoTime());
        return event;
    }

    @Override
    public synchronized void destroyEvent(long event) {
        eventTimes.remove(event);
    }

    /** Work completes before each call returns, so the time of the record is the time the "device" passes it. */
    @Override
    public synchronized void recordEvent(long event, long stream) {
        eventTimes.put(event, System.nanoTime());
    }

    @Override
    public void streamWaitEvent(long stream, long event) {
    }

    @Override
    public void synchronizeStream(long stream) {
    }

    @Override
    public boolean eventDone(long event) {
        return true;
    }

    @Override
    public void synchronizeEvent(long event) {
    }

    @Override
    public synchronized float elapsedMillis(long start, long end) {
        Long from = eventTimes.get(start), to = eventTimes.get(end);
        if (from == null || to == null) {
            throw new IllegalStateException("elapsed time between events " + start + " and " + end
                    + ", one of which this device did not create or has destroyed");
        }
        return (to - from) / 1e6f;
    }

    @Override
    public void copyToDevice(long dst, long srcHost, long bytes, long stream) {
        copy(dst, srcHost, bytes);
    }

    @Override
    public void copyToHost(long dstHost, long src, long bytes, long stream) {
        copy(dstHost, src, bytes);
    }

    @Override
    public void copyOnDevice(long dst, long src, long bytes, long stream) {
        copy(dst, src, bytes);
    }

    @Override
    public void zero(long dst, long bytes, long stream) {
        MemorySegment.ofAddress(dst).reinterpret(bytes).fill((byte) 0);
    }

    private static void copy(long dst, long src, long bytes) {
        MemorySegment.copy(MemorySegment.ofAddress(src).reinterpret(bytes), 0,
                MemorySegment.ofAddress(dst).reinterpret(bytes), 0, bytes);
    }

    @Override
    public int gatherForward(int mode, long src, int srcRows, int dim, long idx, long alpha, int rows, int t,
                             long out, long argmax, long stream) {
        return pn_cpu_gather_aggregate_fwd(mode, src, srcRows, dim, idx, alpha, 0L, rows, t, out, argmax);
    }

    @Override
    public int gatherBackward(int mode, long dOut, int srcRows, int dim, long idx, long alpha, long argmax, int rows,
                              int t, long dSrc, long stream) {
        return pn_cpu_gather_aggregate_bwd(mode, dOut, srcRows, dim, idx, alpha, 0L, argmax, rows, t, dSrc);
    }

    @Override
    public int biasReluForward(long x, long bias, int rows, int cols, long y, long stream) {
        return pn_cpu_bias_relu_fwd(x, bias, rows, cols, y);
    }

    @Override
    public int biasReluBackward(long y, long dy, int rows, int cols, long dx, long stream) {
        return pn_cpu_bias_relu_bwd(y, dy, rows, cols, dx, 0L);
    }

    @Override
    public int l2NormalizeForward(long x, int rows, int cols, float eps, long y, long invNorm, long stream) {
        return pn_cpu_l2_normalize_fwd(x, rows, cols, eps, y, invNorm);
    }

    @Override
    public int l2NormalizeBackward(long y, long dy, long invNorm, int rows, int cols, long dx, long stream) {
        return pn_cpu_l2_normalize_bwd(y, dy, invNorm, rows, cols, dx);
    }

    @Override
    public int sampledLossRows(int kind, float margin, float temperature, boolean inBatch, int b, int s, int h,
                               long hardRows, float gradScale, long scores, long rowLoss, long stream) {
        return pn_cpu_sampled_loss_rows(kind, margin, temperature, inBatch ? 1 : 0, b, s, h, hardRows, gradScale,
                scores, rowLoss);
    }

    @Override
    public int adam(long param, long m, long v, long grad, long n, float lr, float beta1, float beta2, float eps,
                    float weightDecay, int t, long stream) {
        return pn_cpu_adam_update(param, m, v, grad, n, lr, beta1, beta2, eps, weightDecay, t);
    }

    @Override
    public int gemm(GemmEngine engine, boolean transA, boolean transB, int m, int n, int k, float alpha, long a,
                    int lda, long b, int ldb, float beta, long c, int ldc, long stream) {
        return pn_cpu_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
