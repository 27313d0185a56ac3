/* Internal helpers shared by the library's translation units (not part of the API). */
#ifndef PN_INTERNAL_H
#define PN_INTERNAL_H

#ifdef __cplusplus
extern "C" {
#endif

/* Records a printf-style detail for pn_last_error_detail() and returns status. */
int pn_fail(int status, const char *format, ...);

/* Argument checks shared by kernels and references; return PN_OK or a PN_ERR_INVALID_ARGUMENT via pn_fail. */
int pn_check_gather(int mode, const void *src, int src_rows, int dim, const int *idx, int rows, int T,
                    const void *out, const int *argmax);
int pn_check_matrix(const char *op, const void *a, const void *b, int rows, int cols);
int pn_check_sampled_loss(int kind, float temperature, int B, int S, int H, const int *hard_rows,
                          const float *scores, const float *row_loss);
int pn_check_gemm(int m, int n, int k, const void *A, int lda, const void *B, int ldb, const void *C, int ldc,
                  int trans_a, int trans_b);

#ifdef __cplusplus
}
#endif

#endif
