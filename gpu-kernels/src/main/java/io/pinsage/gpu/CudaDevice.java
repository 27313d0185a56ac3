package io.pinsage.gpu;

import static io.pinsage.gpu.PinSageNative.*;

/**
 * {@link Device} on a CUDA GPU: every call maps to the {@code pn_*} entry point of the same meaning; kernels and
 * copies only enqueue on the given stream. Construct only after {@link CudaRuntime#ensureAvailability()}.
 * Stateless apart from the ordinal; thread-safe as the C API is.
 */
final class CudaDevice implements Device {

    private final int ordinal;
    /** Out-parameters of the C API, each guarded by itself. */
    private final long[] handle = new long[1];
    private final int[] flag = new int[1];
    private final float[] millis = new float[1];

    CudaDevice(int ordinal) {
        this.ordinal = ordinal;
    }

    int ordinal() {
        return ordinal;
    }

    @Override
    public String name() {
        return "cuda:" + ordinal;
    }

    /** Binds the calling thread to this device (the CUDA current device is per host thread). */
    void bindCurrentThread() {
        NativeException.check(pn_set_device(ordinal), "pn_set_device(" + ordinal + ")");
    }

    @Override
    public long alloc(long bytes) {
        synchronized (handle) {
            NativeException.check(pn_device_alloc(handle, bytes), "pn_device_alloc(bytes=" + bytes + ")");
            return handle[0];
        }
    }

    @Override
    public void free(long address) {
        NativeException.check(pn_device_free(address), "pn_device_free");
    }

    @Override
    public long allocPinned(long bytes) {
        synchronized (handle) {
            NativeException.check(pn_host_alloc_pinned(handle, bytes), "pn_host_alloc_pinned(bytes=" + bytes + ")");
            return handle[0];
        }
    }

    @Override
    public void freePinned(long address) {
        NativeException.check(pn_host_free_pinned(address), "pn_host_free_pinned");
    }

    @Override
    public long createStream() {
        synchronized (handle) {
            NativeException.check(pn_stream_create(handle), "pn_stream_create");
            return handle[0];
        }
    }

    @Override
    public void destroyStream(long stream) {
        NativeException.check(pn_stream_destroy(stream), "pn_stream_destroy");
    }

    @Override
    public long createEvent() {
        synchronized (handle) {
            NativeException.check(pn_event_create(handle), "pn_event_create");
            return handle[0];
        }
    }

    @Override
    public void destroyEvent(long event) {
        NativeException.check(pn_event_destroy(event), "pn_event_destroy");
    }

    @Override
    public void recordEvent(long event, long stream) {
        NativeException.check(pn_event_record(event, stream), "pn_event_record");
    }

    @Override
    public void streamWaitEvent(long stream, long event) {
        NativeException.check(pn_stream_wait_event(stream, event), "pn_stream_wait_event");
    }

    @Override
    public boolean eventDone(long event) {
        synchronized (flag) {
            NativeException.check(pn_event_query(event, flag), "pn_event_query");
            return flag[0] != 0;
        }
    }

    @Override
    public void synchronizeEvent(long event) {
        NativeException.check(pn_event_synchronize(event), "pn_event_synchronize");
    }

    @Override
    public float elapsedMillis(long start, long end) {
        synchronized (millis) {
            NativeException.check(pn_event_elapsed_ms(millis, start, end), "pn_event_elapsed_ms");
            return millis[0];
        }
    }

    @Override
    public void synchronizeStream(long stream) {
        NativeException.check(pn_stream_synchronize(stream), "pn_stream_synchronize");
    }

    @Override
    public void copyToDevice(long dst, long srcHost, long bytes, long stream) {
        NativeException.check(pn_memcpy_h2d_async(dst, srcHost, bytes, stream), "pn_memcpy_h2d_async");
    }

    @Override
    public void copyToHost(long dstHost, long src, long bytes, long stream) {
        NativeException.check(pn_memcpy_d2h_async(dstHost, src, bytes, stream), "pn_memcpy_d2h_async");
    }

    @Override
    public void copyOnDevice(long dst, long src, long bytes, long stream) {
        NativeException.check(pn_memcpy_d2d_async(dst, src, bytes, stream), "pn_memcpy_d2d_async");
    }

    @Override
    public void zero(long dst, long bytes, long stream) {
        NativeException.check(pn_memset_async(dst, 0, bytes, stream), "pn_memset_async");
    }

    @Override
    public int gatherForward(int mode, long src, int srcRows, int dim, long idx, long alpha, int rows, int t,
                             long out, long argmax, long stream) {
        return pn_gather_aggregate_fwd(mode, src, srcRows, dim, idx, alpha, 0L, rows, t, out, argmax, stream);
    }

    @Override
    public int gatherBackward(int mode, long dOut, int srcRows, int dim, long idx, long alpha, long argmax, int rows,
                              int t, long dSrc, long stream) {
        return pn_gather_aggregate_bwd(mode, dOut, srcRows, dim, idx, alpha, 0L, argmax, rows, t, dSrc, stream);
    }

    @Override
    public int biasReluForward(long x, long bias, int rows, int cols, long y, long stream) {
        return pn_bias_relu_fwd(x, bias, rows, cols, y, stream);
    }

    @Override
    public int biasReluBackward(long y, long dy, int rows, int cols, long dx, long stream) {
        return pn_bias_relu_bwd(y, dy, rows, cols, dx, 0L, stream);
    }

    @Override
    public int l2NormalizeForward(long x, int rows, int cols, float eps, long y, long invNorm, long stream) {
        return pn_l2_normalize_fwd(x, rows, cols, eps, y, invNorm, stream);
    }

    @Override
    public int l2NormalizeBackward(long y, long dy, long invNorm, int rows, int cols, long dx, long stream) {
        return pn_l2_normalize_bwd(y, dy, invNorm, rows, cols, dx, stream);
    }

    @Override
    public int sampledLossRows(int kind, float margin, float temperature, boolean inBatch, int b, int s, int h,
                               long hardRows, float gradScale, long scores, long rowLoss, long stream) {
        return pn_sampled_loss_rows(kind, margin, temperature, inBatch ? 1 : 0, b, s, h, hardRows, gradScale, scores,
                rowLoss, stream);
    }

    @Override
    public int adam(long param, long m, long v, long grad, long n, float lr, float beta1, float beta2, float eps,
                    float weightDecay, int t, long stream) {
        return pn_adam_update(param, m, v, grad, n, lr, beta1, beta2, eps, weightDecay, t, stream);
    }

    @Override
    public int gemm(GemmEngine engine, boolean transA, boolean transB, int m, int n, int k, float alpha, long a,
                    int lda, long b, int ldb, float beta, long c, int ldc, long stream) {
        int ta = transA ? 1 : 0;
        int tb = transB ? 1 : 0;
        return engine.cublas()
                ? pn_cublas_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, engine.precision(), stream)
                : pn_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, engine.precision(), stream);
    }
}
