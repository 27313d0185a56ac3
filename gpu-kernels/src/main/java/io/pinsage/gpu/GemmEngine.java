package io.pinsage.gpu;

/**
 * Which matrix multiply {@link CudaBackend#gemm} runs. The PinSage kernels are always present; cuBLAS only where
 * the GPU host has it (loaded on first use, checked when the backend opens).
 */
public enum GemmEngine {
    /** Our tiled FP32 kernel: exact IEEE FMA, the default (the conformance tolerances assume FP32). */
    PINSAGE_FP32,
    /** Our tensor-core kernel with TF32 inputs and FP32 accumulation (sm_80+; about 1e-3 relative error). */
    PINSAGE_TF32,
    /** cuBLAS SGEMM in FP32. */
    CUBLAS_FP32,
    /** cuBLAS SGEMM with TF32 tensor-op math. */
    CUBLAS_TF32;

    /** System property choosing the engine of {@link CudaBackend#open()}: {@code -Dpinsage.cuda.gemm=cublas_tf32}. */
    public static final String PROPERTY = "pinsage.cuda.gemm";

    /**
     * The engine named by {@link #PROPERTY} (case-insensitive), {@link #PINSAGE_FP32} when unset.
     *
     * @throws IllegalArgumentException {@code pinsage.cuda.gemm=...} naming the accepted values
     */
    public static GemmEngine fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return PINSAGE_FP32;
        }
        try {
            return valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + "=" + value + " (expected one of "
                    + java.util.Arrays.toString(values()).toLowerCase(java.util.Locale.ROOT) + ")", e);
        }
    }

    boolean cublas() {
        return this == CUBLAS_FP32 || this == CUBLAS_TF32;
    }

    int precision() {
        return this == PINSAGE_TF32 || this == CUBLAS_TF32 ? PinSageNative.PN_GEMM_TF32 : PinSageNative.PN_GEMM_FP32;
    }
}
