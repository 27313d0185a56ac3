/*
 * The GPU half of the API for builds without nvcc: every entry point exists (so bindings link the same
 * symbols everywhere) and reports PN_ERR_NO_CUDA.
 */
#include "pinsage_native.h"
#include "pn_internal.h"

#define PN_NO_CUDA(name) pn_fail(PN_ERR_NO_CUDA, "%s: library built without CUDA (nvcc absent at build time)", name)

int pn_built_with_cuda(void) { return 0; }
int pn_device_count(int *count) {
    if (count != NULL) *count = 0;
    return PN_NO_CUDA("pn_device_count");
}
int pn_device_get_info(int device, pn_device_info *info) { (void)device; (void)info; return PN_NO_CUDA("pn_device_get_info"); }
int pn_set_device(int device) { (void)device; return PN_NO_CUDA("pn_set_device"); }
int pn_device_synchronize(void) { return PN_NO_CUDA("pn_device_synchronize"); }
int pn_device_alloc(void **ptr, size_t bytes) { (void)ptr; (void)bytes; return PN_NO_CUDA("pn_device_alloc"); }
int pn_device_free(void *ptr) { (void)ptr; return PN_NO_CUDA("pn_device_free"); }
int pn_host_alloc_pinned(void **ptr, size_t bytes) { (void)ptr; (void)bytes; return PN_NO_CUDA("pn_host_alloc_pinned"); }
int pn_host_free_pinned(void *ptr) { (void)ptr; return PN_NO_CUDA("pn_host_free_pinned"); }
int pn_memcpy_h2d_async(void *d, const void *s, size_t b, pn_stream st) { (void)d; (void)s; (void)b; (void)st; return PN_NO_CUDA("pn_memcpy_h2d_async"); }
int pn_memcpy_d2h_async(void *d, const void *s, size_t b, pn_stream st) { (void)d; (void)s; (void)b; (void)st; return PN_NO_CUDA("pn_memcpy_d2h_async"); }
int pn_memcpy_d2d_async(void *d, const void *s, size_t b, pn_stream st) { (void)d; (void)s; (void)b; (void)st; return PN_NO_CUDA("pn_memcpy_d2d_async"); }
int pn_memset_async(void *d, int v, size_t b, pn_stream st) { (void)d; (void)v; (void)b; (void)st; return PN_NO_CUDA("pn_memset_async"); }
int pn_stream_create(pn_stream *s) { (void)s; return PN_NO_CUDA("pn_stream_create"); }
int pn_stream_destroy(pn_stream s) { (void)s; return PN_NO_CUDA("pn_stream_destroy"); }
int pn_stream_synchronize(pn_stream s) { (void)s; return PN_NO_CUDA("pn_stream_synchronize"); }
int pn_stream_wait_event(pn_stream s, pn_event e) { (void)s; (void)e; return PN_NO_CUDA("pn_stream_wait_event"); }
int pn_event_create(pn_event *e) { (void)e; return PN_NO_CUDA("pn_event_create"); }
int pn_event_destroy(pn_event e) { (void)e; return PN_NO_CUDA("pn_event_destroy"); }
int pn_event_record(pn_event e, pn_stream s) { (void)e; (void)s; return PN_NO_CUDA("pn_event_record"); }
int pn_event_synchronize(pn_event e) { (void)e; return PN_NO_CUDA("pn_event_synchronize"); }
int pn_event_query(pn_event e, int *done) { (void)e; (void)done; return PN_NO_CUDA("pn_event_query"); }
int pn_event_elapsed_ms(float *ms, pn_event a, pn_event b) { (void)ms; (void)a; (void)b; return PN_NO_CUDA("pn_event_elapsed_ms"); }

int pn_gather_aggregate_fwd(int mode, const float *src, int src_rows, int dim, const int *idx, const float *alpha,
                            const int *counts, int rows, int T, float *out, int *argmax, pn_stream stream) {
    (void)mode; (void)src; (void)src_rows; (void)dim; (void)idx; (void)alpha; (void)counts; (void)rows; (void)T;
    (void)out; (void)argmax; (void)stream;
    return PN_NO_CUDA("pn_gather_aggregate_fwd");
}
int pn_gather_aggregate_bwd(int mode, const float *d_out, int src_rows, int dim, const int *idx, const float *alpha,
                            const int *counts, const int *argmax, int rows, int T, float *d_src, pn_stream stream) {
    (void)mode; (void)d_out; (void)src_rows; (void)dim; (void)idx; (void)alpha; (void)counts; (void)argmax;
    (void)rows; (void)T; (void)d_src; (void)stream;
    return PN_NO_CUDA("pn_gather_aggregate_bwd");
}
int pn_bias_relu_fwd(const float *x, const float *bias, int rows, int cols, float *y, pn_stream stream) {
    (void)x; (void)bias; (void)rows; (void)cols; (void)y; (void)stream;
    return PN_NO_CUDA("pn_bias_relu_fwd");
}
int pn_bias_relu_bwd(const float *y, const float *dy, int rows, int cols, float *dx, float *d_bias, pn_stream stream) {
    (void)y; (void)dy; (void)rows; (void)cols; (void)dx; (void)d_bias; (void)stream;
    return PN_NO_CUDA("pn_bias_relu_bwd");
}
int pn_l2_normalize_fwd(const float *x, int rows, int cols, float eps, float *y, float *inv_norm, pn_stream stream) {
    (void)x; (void)rows; (void)cols; (void)eps; (void)y; (void)inv_norm; (void)stream;
    return PN_NO_CUDA("pn_l2_normalize_fwd");
}
int pn_l2_normalize_bwd(const float *y, const float *dy, const float *inv_norm, int rows, int cols, float *dx,
                        pn_stream stream) {
    (void)y; (void)dy; (void)inv_norm; (void)rows; (void)cols; (void)dx; (void)stream;
    return PN_NO_CUDA("pn_l2_normalize_bwd");
}
int pn_adam_update(float *param, float *m, float *v, const float *grad, size_t n, float lr, float beta1, float beta2,
                   float eps, float weight_decay, int t, pn_stream stream) {
    (void)param; (void)m; (void)v; (void)grad; (void)n; (void)lr; (void)beta1; (void)beta2; (void)eps;
    (void)weight_decay; (void)t; (void)stream;
    return PN_NO_CUDA("pn_adam_update");
}
int pn_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A, int lda, const float *B,
             int ldb, float beta, float *C, int ldc, int precision, pn_stream stream) {
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)alpha; (void)A; (void)lda; (void)B; (void)ldb;
    (void)beta; (void)C; (void)ldc; (void)precision; (void)stream;
    return PN_NO_CUDA("pn_sgemm");
}
int pn_cublas_available(void) { return 0; }
int pn_cublas_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A, int lda,
                    const float *B, int ldb, float beta, float *C, int ldc, int precision, pn_stream stream) {
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)alpha; (void)A; (void)lda; (void)B; (void)ldb;
    (void)beta; (void)C; (void)ldc; (void)precision; (void)stream;
    return PN_NO_CUDA("pn_cublas_sgemm");
}
int pn_sampled_loss_rows(int kind, float margin, float temperature, int in_batch, int B, int S, int H,
                         const int *hard_rows, float grad_scale, float *scores, float *row_loss, pn_stream stream) {
    (void)kind; (void)margin; (void)temperature; (void)in_batch; (void)B; (void)S; (void)H; (void)hard_rows;
    (void)grad_scale; (void)scores; (void)row_loss; (void)stream;
    return PN_NO_CUDA("pn_sampled_loss_rows");
}
