package io.pinsage.gpu;

/**
 * Where {@link CudaBackend} runs its work: memory, copies, streams, events and the kernels, in the shape of the
 * native C API (raw addresses, stream handles, int status). Two implementations: {@link CudaDevice} (a GPU,
 * asynchronous on streams) and {@link HostDevice} (the host twins on off-heap memory, synchronous), so the
 * backend's own logic (layouts, staging, pooling, argument mapping) runs and is tested on any machine.
 *
 * <p>Kernel methods return the status of the native call; memory and stream methods throw {@link NativeException}.
 * Threading: as the C API, any thread; the backend calls from its owning thread.
 */
interface Device {

    String name();

    long alloc(long bytes);

    void free(long address);

    long allocPinned(long bytes);

    void freePinned(long address);

    long createStream();

    void destroyStream(long stream);

    long createEvent();

    void destroyEvent(long event);

    void recordEvent(long event, long stream);

    void streamWaitEvent(long stream, long event);

    /** Whether the device has passed {@code event}'s last record (true for an event never recorded). */
    boolean eventDone(long event);

    /** Waits until the device has passed {@code event}'s last record. */
    void synchronizeEvent(long event);

    /** Device time from {@code start} to {@code end}, both recorded and complete, in milliseconds. */
    float elapsedMillis(long start, long end);

    void synchronizeStream(long stream);

    void copyToDevice(long dst, long srcHost, long bytes, long stream);

    void copyToHost(long dstHost, long src, long bytes, long stream);

    void copyOnDevice(long dst, long src, long bytes, long stream);

    void zero(long dst, long bytes, long stream);

    int gatherForward(int mode, long src, int srcRows, int dim, long idx, long alpha, int rows, int t, long out,
                      long argmax, long stream);

    int gatherBackward(int mode, long dOut, int srcRows, int dim, long idx, long alpha, long argmax, int rows, int t,
                       long dSrc, long stream);

    int biasReluForward(long x, long bias, int rows, int cols, long y, long stream);

    int biasReluBackward(long y, long dy, int rows, int cols, long dx, long stream);

    int l2NormalizeForward(long x, int rows, int cols, float eps, long y, long invNorm, long stream);

    int l2NormalizeBackward(long y, long dy, long invNorm, int rows, int cols, long dx, long stream);

    /** The sampled ranking loss on a score matrix, in place ({@code pn_sampled_loss_rows}). */
    int sampledLossRows(int kind, float margin, float temperature, boolean inBatch, int b, int s, int h, long hardRows,
                        float gradScale, long scores, long rowLoss, long stream);

    int adam(long param, long m, long v, long grad, long n, float lr, float beta1, float beta2, float eps,
             float weightDecay, int t, long stream);

    /** Row-major SGEMM; {@code engine} picks the kernel where the device has several. */
    int gemm(GemmEngine engine, boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
             long b, int ldb, float beta, long c, int ldc, long stream);
}
