package io.pinsage.gpu;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP bindings to {@code native/include/pinsage_native.h}, one static method per C function with the same
 * name and argument order. The JNI glue is generated and compiled by the {@code javacpp} Maven plugin; it and
 * {@code libpinsage_native.so} are packed into this module's jar under {@code io/pinsage/gpu/linux-x86_64/}.
 *
 * <p>Pointers travel as raw addresses ({@code long}, cast to the C type by the glue) so that a call allocates
 * nothing: device pointers from {@link #pn_device_alloc}, host pointers from off-heap memory. Streams and events
 * are the opaque handles the create functions write. Every function returns a status ({@link #PN_OK} or a
 * {@code PN_ERR_*} code; {@link NativeException#check} turns it into an exception).
 *
 * <p>Loading: the class loads its libraries in its static initializer, which throws {@link UnsatisfiedLinkError}
 * when the platform has no packaged build; call {@link CudaRuntime#nativeLibraryCause()} first instead of touching
 * this class where that must not throw. Thread-safe as the C API is (any thread may call anything).
 *
 * <p>Not for direct use by algorithms: {@link CudaBackend} owns device memory and streams.
 */
@Platform(include = "pinsage_native.h", link = "pinsage_native")
public final class PinSageNative {

    static {
        Loader.load();
    }

    private PinSageNative() {
    }

    public static final int PN_OK = 0;
    public static final int PN_ERR_INVALID_ARGUMENT = 1;
    public static final int PN_ERR_NO_CUDA = 2;
    public static final int PN_ERR_NO_DEVICE = 3;
    public static final int PN_ERR_OUT_OF_MEMORY = 4;
    public static final int PN_ERR_CUDA = 5;
    public static final int PN_ERR_UNAVAILABLE = 6;
    public static final int PN_ERR_UNSUPPORTED = 7;

    public static final int PN_AGG_WEIGHTED_MEAN = 0;
    public static final int PN_AGG_SUM = 1;
    public static final int PN_AGG_MAX = 2;

    public static final int PN_LOSS_MARGIN = 0;
    public static final int PN_LOSS_SOFTMAX = 1;

    public static final int PN_GEMM_FP32 = 0;
    public static final int PN_GEMM_TF32 = 1;

    /** {@code pn_device_info}: what the driver reports about one device. Allocated off-heap; close it. */
    @Name("pn_device_info")
    public static final class DeviceInfo extends Pointer {
        static {
            Loader.load();
        }

        public DeviceInfo() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        @Cast("const char*")
        public native BytePointer name();

        @MemberGetter
        public native int compute_major();

        @MemberGetter
        public native int compute_minor();

        @MemberGetter
        public native int sm_count();

        @MemberGetter
        public native int max_threads_per_block();

        @MemberGetter
        @Cast("size_t")
        public native long total_global_mem();

        @MemberGetter
        @Cast("size_t")
        public native long shared_mem_per_block();

        @MemberGetter
        public native int memory_clock_khz();

        @MemberGetter
        public native int memory_bus_width_bits();

        @MemberGetter
        public native double peak_memory_bandwidth_gbs();

        @MemberGetter
        public native int l2_cache_bytes();
    }

    // ---- errors and build

    @Cast("const char*")
    public static native BytePointer pn_error_string(int status);

    @Cast("const char*")
    public static native BytePointer pn_last_error_detail();

    public static native int pn_built_with_cuda();

    @Cast("const char*")
    public static native BytePointer pn_version();

    // ---- devices

    public static native int pn_device_count(int[] count);

    public static native int pn_device_get_info(int device, DeviceInfo info);

    public static native int pn_set_device(int device);

    public static native int pn_device_synchronize();

    // ---- memory

    public static native int pn_device_alloc(@Cast("void**") long[] ptr, @Cast("size_t") long bytes);

    public static native int pn_device_free(@Cast("void*") long ptr);

    public static native int pn_host_alloc_pinned(@Cast("void**") long[] ptr, @Cast("size_t") long bytes);

    public static native int pn_host_free_pinned(@Cast("void*") long ptr);

    public static native int pn_memcpy_h2d_async(@Cast("void*") long dstDevice, @Cast("const void*") long srcHost,
                                                 @Cast("size_t") long bytes, @Cast("pn_stream") long stream);

    public static native int pn_memcpy_d2h_async(@Cast("void*") long dstHost, @Cast("const void*") long srcDevice,
                                                 @Cast("size_t") long bytes, @Cast("pn_stream") long stream);

    public static native int pn_memcpy_d2d_async(@Cast("void*") long dstDevice, @Cast("const void*") long srcDevice,
                                                 @Cast("size_t") long bytes, @Cast("pn_stream") long stream);

    public static native int pn_memset_async(@Cast("void*") long dstDevice, int byteValue, @Cast("size_t") long bytes,
                                             @Cast("pn_stream") long stream);

    // ---- streams and events

    public static native int pn_stream_create(@Cast("pn_stream*") long[] stream);

    public static native int pn_stream_destroy(@Cast("pn_stream") long stream);

    public static native int pn_stream_synchronize(@Cast("pn_stream") long stream);

    public static native int pn_stream_wait_event(@Cast("pn_stream") long stream, @Cast("pn_event") long event);

    public static native int pn_event_create(@Cast("pn_event*") long[] event);

    public static native int pn_event_destroy(@Cast("pn_event") long event);

    public static native int pn_event_record(@Cast("pn_event") long event, @Cast("pn_stream") long stream);

    public static native int pn_event_synchronize(@Cast("pn_event") long event);

    public static native int pn_event_query(@Cast("pn_event") long event, int[] done);

    public static native int pn_event_elapsed_ms(float[] ms, @Cast("pn_event") long start, @Cast("pn_event") long end);

    // ---- kernels (device pointers, asynchronous on stream)

    public static native int pn_gather_aggregate_fwd(int mode, @Cast("const float*") long src, int srcRows, int dim,
                                                     @Cast("const int*") long idx, @Cast("const float*") long alpha,
                                                     @Cast("const int*") long counts, int rows, int t,
                                                     @Cast("float*") long out, @Cast("int*") long argmax,
                                                     @Cast("pn_stream") long stream);

    public static native int pn_gather_aggregate_bwd(int mode, @Cast("const float*") long dOut, int srcRows, int dim,
                                                     @Cast("const int*") long idx, @Cast("const float*") long alpha,
                                                     @Cast("const int*") long counts, @Cast("const int*") long argmax,
                                                     int rows, int t, @Cast("float*") long dSrc,
                                                     @Cast("pn_stream") long stream);

    public static native int pn_bias_relu_fwd(@Cast("const float*") long x, @Cast("const float*") long bias, int rows,
                                              int cols, @Cast("float*") long y, @Cast("pn_stream") long stream);

    public static native int pn_bias_relu_bwd(@Cast("const float*") long y, @Cast("const float*") long dy, int rows,
                                              int cols, @Cast("float*") long dx, @Cast("float*") long dBias,
                                              @Cast("pn_stream") long stream);

    public static native int pn_l2_normalize_fwd(@Cast("const float*") long x, int rows, int cols, float eps,
                                                 @Cast("float*") long y, @Cast("float*") long invNorm,
                                                 @Cast("pn_stream") long stream);

    public static native int pn_l2_normalize_bwd(@Cast("const float*") long y, @Cast("const float*") long dy,
                                                 @Cast("const float*") long invNorm, int rows, int cols,
                                                 @Cast("float*") long dx, @Cast("pn_stream") long stream);

    public static native int pn_sampled_loss_rows(int kind, float margin, float temperature, int inBatch, int b, int s,
                                                  int h, @Cast("const int*") long hardRows, float gradScale,
                                                  @Cast("float*") long scores, @Cast("float*") long rowLoss,
                                                  @Cast("pn_stream") long stream);

    public static native int pn_adam_update(@Cast("float*") long param, @Cast("float*") long m, @Cast("float*") long v,
                                            @Cast("const float*") long grad, @Cast("size_t") long n, float lr,
                                            float beta1, float beta2, float eps, float weightDecay, int t,
                                            @Cast("pn_stream") long stream);

    public static native int pn_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                                      @Cast("const float*") long a, int lda, @Cast("const float*") long b, int ldb,
                                      float beta, @Cast("float*") long c, int ldc, int precision,
                                      @Cast("pn_stream") long stream);

    public static native int pn_cublas_available();

    public static native int pn_cublas_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                                             @Cast("const float*") long a, int lda, @Cast("const float*") long b,
                                             int ldb, float beta, @Cast("float*") long c, int ldc, int precision,
                                             @Cast("pn_stream") long stream);

    // ---- host reference implementations (host pointers, synchronous, both builds)

    public static native int pn_cpu_gather_aggregate_fwd(int mode, @Cast("const float*") long src, int srcRows,
                                                         int dim, @Cast("const int*") long idx,
                                                         @Cast("const float*") long alpha,
                                                         @Cast("const int*") long counts, int rows, int t,
                                                         @Cast("float*") long out, @Cast("int*") long argmax);

    public static native int pn_cpu_gather_aggregate_bwd(int mode, @Cast("const float*") long dOut, int srcRows,
                                                         int dim, @Cast("const int*") long idx,
                                                         @Cast("const float*") long alpha,
                                                         @Cast("const int*") long counts,
                                                         @Cast("const int*") long argmax, int rows, int t,
                                                         @Cast("float*") long dSrc);

    public static native int pn_cpu_bias_relu_fwd(@Cast("const float*") long x, @Cast("const float*") long bias,
                                                  int rows, int cols, @Cast("float*") long y);

    public static native int pn_cpu_bias_relu_bwd(@Cast("const float*") long y, @Cast("const float*") long dy,
                                                  int rows, int cols, @Cast("float*") long dx,
                                                  @Cast("float*") long dBias);

    public static native int pn_cpu_l2_normalize_fwd(@Cast("const float*") long x, int rows, int cols, float eps,
                                                     @Cast("float*") long y, @Cast("float*") long invNorm);

    public static native int pn_cpu_l2_normalize_bwd(@Cast("const float*") long y, @Cast("const float*") long dy,
                                                     @Cast("const float*") long invNorm, int rows, int cols,
                                                     @Cast("float*") long dx);

    public static native int pn_cpu_sampled_loss_rows(int kind, float margin, float temperature, int inBatch, int b,
                                                      int s, int h, @Cast("const int*") long hardRows,
                                                      float gradScale, @Cast("float*") long scores,
                                                      @Cast("float*") long rowLoss);

    public static native int pn_cpu_adam_update(@Cast("float*") long param, @Cast("float*") long m,
                                                @Cast("float*") long v, @Cast("const float*") long grad,
                                                @Cast("size_t") long n, float lr, float beta1, float beta2, float eps,
                                                float weightDecay, int t);

    public static native int pn_cpu_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                                          @Cast("const float*") long a, int lda, @Cast("const float*") long b,
                                          int ldb, float beta, @Cast("float*") long c, int ldc);
}
