/*
 * PinSage native kernels: the plain C API shared by the CUDA build and the CPU-only build.
 *
 * Conventions
 *  - Every function returns an int status (PN_OK == 0); pn_error_string() names it and
 *    pn_last_error_detail() gives the calling thread's detail of its last failure (e.g. the CUDA error).
 *  - Matrices are dense, row-major, float32; indices are int32. Sizes are rows/cols counts.
 *  - Kernel entry points take DEVICE pointers and a stream; they only enqueue work (asynchronous),
 *    so a launch status reports launch errors, and execution errors surface at the next synchronisation.
 *    A NULL stream means the per-thread default stream of the calling host thread.
 *  - Functions are thread-safe: any host thread may call any entry point; work on one stream is ordered,
 *    work on different streams is not. The optional cuBLAS path serialises its calls internally.
 *  - The CPU-only build (no nvcc) exports the same symbols; every GPU entry point returns PN_ERR_NO_CUDA.
 *  - pn_cpu_* functions are the host reference implementations: same arguments and semantics as the
 *    kernels, but on host pointers, synchronous, available in both builds.
 */
#ifndef PINSAGE_NATIVE_H
#define PINSAGE_NATIVE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PN_API __declspec(dllexport)
#else
#define PN_API __attribute__((visibility("default")))
#endif

/* ---- status codes ---- */
#define PN_OK 0
#define PN_ERR_INVALID_ARGUMENT 1 /* a size, pointer or mode is out of range */
#define PN_ERR_NO_CUDA 2          /* library built without CUDA */
#define PN_ERR_NO_DEVICE 3        /* CUDA build, but no driver or no device */
#define PN_ERR_OUT_OF_MEMORY 4    /* device or pinned host allocation failed */
#define PN_ERR_CUDA 5             /* any other CUDA runtime error (see pn_last_error_detail) */
#define PN_ERR_UNAVAILABLE 6      /* optional component absent (cuBLAS not loadable) */
#define PN_ERR_UNSUPPORTED 7      /* request valid but beyond this device (e.g. too many negatives) */

/* ---- aggregation modes for pn_gather_aggregate_* ---- */
#define PN_AGG_WEIGHTED_MEAN 0 /* out = sum_j (a_j / sum_valid a) * src[idx_j] ; a == NULL -> plain mean */
#define PN_AGG_SUM 1           /* out = sum_j a_j * src[idx_j]                  ; a == NULL -> a_j = 1  */
#define PN_AGG_MAX 2           /* out[d] = max_j a_j * src[idx_j][d], argmax[d] = j (or -1 if none)   */

/* ---- GEMM precision ---- */
#define PN_GEMM_FP32 0 /* exact IEEE fp32 FMA path */
#define PN_GEMM_TF32 1 /* tensor cores with tf32 inputs, fp32 accumulation (sm_80+; else falls back to FP32) */

typedef struct pn_stream_opaque *pn_stream; /* a cudaStream_t */
typedef struct pn_event_opaque *pn_event;   /* a cudaEvent_t  */

typedef struct pn_device_info {
    char name[256];
    int compute_major;
    int compute_minor;
    int sm_count;
    int max_threads_per_block;
    size_t total_global_mem;      /* bytes */
    size_t shared_mem_per_block;  /* bytes */
    int memory_clock_khz;         /* 0 when the driver does not report it */
    int memory_bus_width_bits;    /* 0 when the driver does not report it */
    double peak_memory_bandwidth_gbs; /* 2 * clock * bus width / 8, in 1e9 B/s; 0 when unknown */
    int l2_cache_bytes;
} pn_device_info;

/* ---- errors and build ---- */
PN_API const char *pn_error_string(int status);
PN_API const char *pn_last_error_detail(void);
PN_API int pn_built_with_cuda(void); /* 1 when compiled by nvcc, else 0 */
PN_API const char *pn_version(void);

/* ---- devices ---- */
PN_API int pn_device_count(int *count); /* count = 0 and PN_ERR_NO_DEVICE / PN_ERR_NO_CUDA when none */
PN_API int pn_device_get_info(int device, pn_device_info *info);
PN_API int pn_set_device(int device);   /* binds the calling host thread */
PN_API int pn_device_synchronize(void);

/* ---- memory ---- */
PN_API int pn_device_alloc(void **ptr, size_t bytes);
PN_API int pn_device_free(void *ptr);
PN_API int pn_host_alloc_pinned(void **ptr, size_t bytes);
PN_API int pn_host_free_pinned(void *ptr);
PN_API int pn_memcpy_h2d_async(void *dst_device, const void *src_host, size_t bytes, pn_stream stream);
PN_API int pn_memcpy_d2h_async(void *dst_host, const void *src_device, size_t bytes, pn_stream stream);
PN_API int pn_memcpy_d2d_async(void *dst_device, const void *src_device, size_t bytes, pn_stream stream);
PN_API int pn_memset_async(void *dst_device, int byte_value, size_t bytes, pn_stream stream);

/* ---- streams and events ---- */
PN_API int pn_stream_create(pn_stream *stream); /* non-blocking with respect to the legacy stream */
PN_API int pn_stream_destroy(pn_stream stream);
PN_API int pn_stream_synchronize(pn_stream stream);
PN_API int pn_stream_wait_event(pn_stream stream, pn_event event);
PN_API int pn_event_create(pn_event *event); /* timing enabled */
PN_API int pn_event_destroy(pn_event event);
PN_API int pn_event_record(pn_event event, pn_stream stream);
PN_API int pn_event_synchronize(pn_event event);
PN_API int pn_event_query(pn_event event, int *done); /* done = 1 when complete, 0 when pending */
PN_API int pn_event_elapsed_ms(float *ms, pn_event start, pn_event end);

/* ---- kernels (device pointers, asynchronous on stream) ----
 *
 * Gather-aggregate (importance pooling). src: src_rows x dim. idx, alpha: rows x T (alpha may be NULL).
 * Slot j of row i is valid when (counts == NULL || j < counts[i]) and idx[i*T+j] >= 0; invalid slots
 * (-1 padding) contribute nothing; a row without valid slots yields zeros. Indices must be < src_rows:
 * the pn_cpu_* twins reject others with PN_ERR_INVALID_ARGUMENT, the kernels do not check (validate on upload).
 * argmax (rows x dim, int32) is written by MAX mode only and must then be non-NULL; it holds the slot j.
 * Backward ADDS into d_src (src_rows x dim; zero it first) with atomics, so the order of the fp32
 * additions, and hence the last bits, may vary between runs. No gradient flows into alpha.
 */
PN_API int pn_gather_aggregate_fwd(int mode, const float *src, int src_rows, int dim, const int *idx,
                                   const float *alpha, const int *counts, int rows, int T, float *out,
                                   int *argmax, pn_stream stream);
PN_API int pn_gather_aggregate_bwd(int mode, const float *d_out, int src_rows, int dim, const int *idx,
                                   const float *alpha, const int *counts, const int *argmax, int rows, int T,
                                   float *d_src, pn_stream stream);

/* y = max(0, x + bias[col]) for x rows x cols (y may alias x). */
PN_API int pn_bias_relu_fwd(const float *x, const float *bias, int rows, int cols, float *y, pn_stream stream);
/* dx = dy * (y > 0) (dx may alias dy); d_bias[c] = sum_r dx[r,c] (overwritten; may be NULL). */
PN_API int pn_bias_relu_bwd(const float *y, const float *dy, int rows, int cols, float *dx, float *d_bias,
                            pn_stream stream);

/* y = x / sqrt(|x|^2 + eps) per row; inv_norm (rows) receives 1/sqrt(|x|^2 + eps). y may alias x. */
PN_API int pn_l2_normalize_fwd(const float *x, int rows, int cols, float eps, float *y, float *inv_norm,
                               pn_stream stream);
/* dx = inv_norm * (dy - y * <dy, y>) per row. dx may alias dy. */
PN_API int pn_l2_normalize_bwd(const float *y, const float *dy, const float *inv_norm, int rows, int cols,
                               float *dx, pn_stream stream);

/*
 * Sampled ranking loss on a score matrix, in place (the loss head of training: scores = queries x candidates).
 * scores is B x C, C = B + S + B*H, columns [positives (B) | shared negatives (S) | hard negatives (B*H,
 * query-major)]. Query i's positive is column i; its negatives are columns [first, B + S) other than i
 * (first = 0 when in_batch != 0, else B) and column B + S + i*H + k for each k < H with hard_rows[i*H + k] >= 0
 * (hard_rows may be NULL when H == 0). kind PN_LOSS_MARGIN: l_i = mean over its negatives of
 * max(0, s_neg - s_pos + margin). PN_LOSS_SOFTMAX: l_i = -log of the softmax at the positive over
 * {positive, negatives} of s / temperature (computed in double). Writes l_i to row_loss[i] and overwrites
 * row i with grad_scale * d l_i / d scores (zero in columns outside the positive and its negatives). A NaN
 * among a query's scores makes its loss NaN; a query without negatives gets loss 0 and a zero row.
 * One block per query; run-to-run deterministic.
 */
#define PN_LOSS_MARGIN 0
#define PN_LOSS_SOFTMAX 1
PN_API int pn_sampled_loss_rows(int kind, float margin, float temperature, int in_batch, int B, int S, int H,
                                const int *hard_rows, float grad_scale, float *scores, float *row_loss,
                                pn_stream stream);

/* Adam with bias correction for step t >= 1 and decoupled weight decay (AdamW; 0 disables). */
PN_API int pn_adam_update(float *param, float *m, float *v, const float *grad, size_t n, float lr, float beta1,
                          float beta2, float eps, float weight_decay, int t, pn_stream stream);

/*
 * C = alpha * op(A) * op(B) + beta * C, row-major: op(A) is m x k, op(B) is k x n, C is m x n with leading
 * dimensions (row strides) lda, ldb, ldc. trans_* != 0 means the stored matrix is the transpose (A stored
 * k x m). beta == 0 ignores C's old contents (NaN safe). precision: PN_GEMM_FP32 or PN_GEMM_TF32.
 */
PN_API int pn_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A, int lda,
                    const float *B, int ldb, float beta, float *C, int ldc, int precision, pn_stream stream);

/* cuBLAS, loaded on first use with dlopen; PN_ERR_UNAVAILABLE when the library is absent. Same contract
 * as pn_sgemm (TF32 selects cuBLAS's tf32 tensor-op math mode). */
PN_API int pn_cublas_available(void); /* 1 when loadable, else 0 */
PN_API int pn_cublas_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A, int lda,
                           const float *B, int ldb, float beta, float *C, int ldc, int precision,
                           pn_stream stream);

/* ---- host reference implementations (host pointers, synchronous, both builds) ---- */
PN_API int pn_cpu_gather_aggregate_fwd(int mode, const float *src, int src_rows, int dim, const int *idx,
                                       const float *alpha, const int *counts, int rows, int T, float *out,
                                       int *argmax);
PN_API int pn_cpu_gather_aggregate_bwd(int mode, const float *d_out, int src_rows, int dim, const int *idx,
                                       const float *alpha, const int *counts, const int *argmax, int rows,
                                       int T, float *d_src);
PN_API int pn_cpu_bias_relu_fwd(const float *x, const float *bias, int rows, int cols, float *y);
PN_API int pn_cpu_bias_relu_bwd(const float *y, const float *dy, int rows, int cols, float *dx, float *d_bias);
PN_API int pn_cpu_l2_normalize_fwd(const float *x, int rows, int cols, float eps, float *y, float *inv_norm);
PN_API int pn_cpu_l2_normalize_bwd(const float *y, const float *dy, const float *inv_norm, int rows, int cols,
                                   float *dx);
PN_API int pn_cpu_sampled_loss_rows(int kind, float margin, float temperature, int in_batch, int B, int S, int H,
                                    const int *hard_rows, float grad_scale, float *scores, float *row_loss);
PN_API int pn_cpu_adam_update(float *param, float *m, float *v, const float *grad, size_t n, float lr,
                              float beta1, float beta2, float eps, float weight_decay, int t);
PN_API int pn_cpu_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A, int lda,
                        const float *B, int ldb, float beta, float *C, int ldc);

#ifdef __cplusplus
}
#endif

#endif
