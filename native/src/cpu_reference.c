/*
 * Host reference of every kernel: the same per-element math (pinsage_math.h) in plain loops, single
 * threaded, fp32 with the kernels' accumulation order where it matters little. Used by the test harness
 * as the GPU's oracle and by CPU-only builds; also holds the argument checks both sides share.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "pinsage_math.h"
#include "pinsage_native.h"
#include "pn_internal.h"

int pn_check_gather(int mode, const void *src, int src_rows, int dim, const int *idx, int rows, int T,
                    const void *out, const int *argmax) {
    if (mode < PN_AGG_WEIGHTED_MEAN || mode > PN_AGG_MAX)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "gather_aggregate: mode=%d, expected 0..2", mode);
    if (rows < 0 || T < 0 || dim <= 0 || src_rows < 0)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "gather_aggregate: rows=%d T=%d dim=%d src_rows=%d", rows, T,
                       dim, src_rows);
    if (src == NULL || out == NULL || (idx == NULL && rows > 0 && T > 0))
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "gather_aggregate: NULL src, idx or output");
    if (mode == PN_AGG_MAX && argmax == NULL)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "gather_aggregate: MAX mode needs argmax");
    return PN_OK;
}

/* Host-side data check: every slot index must name a src row (or be negative padding). */
static int pn_check_indices(const char *op, const int *idx, int src_rows, int rows, int T) {
    for (size_t slot = 0; slot < (size_t)rows * T; slot++)
        if (idx[slot] >= src_rows)
            return pn_fail(PN_ERR_INVALID_ARGUMENT, "%s: idx[row=%zu, slot=%zu]=%d, expected < src_rows=%d", op,
                           slot / T, slot % T, idx[slot], src_rows);
    return PN_OK;
}

int pn_check_matrix(const char *op, const void *a, const void *b, int rows, int cols) {
    if (rows < 0 || cols <= 0)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "%s: rows=%d cols=%d", op, rows, cols);
    if (a == NULL || b == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "%s: NULL pointer", op);
    return PN_OK;
}

int pn_check_sampled_loss(int kind, float temperature, int B, int S, int H, const int *hard_rows,
                          const float *scores, const float *row_loss) {
    if (kind != PN_LOSS_MARGIN && kind != PN_LOSS_SOFTMAX)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "sampled_loss_rows: kind=%d, expected 0 (margin) or 1 (softmax)",
                       kind);
    if (kind == PN_LOSS_SOFTMAX && !(temperature > 0.0f && temperature <= FLT_MAX))
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "sampled_loss_rows: temperature=%g, expected finite and > 0",
                       (double)temperature);
    /* columns are walked with int strides of up to a block (256) past the last one */
    if (B < 0 || S < 0 || H < 0 || (long long)B + S + (long long)B * H > 0x7fffffffLL - 1024)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "sampled_loss_rows: B=%d S=%d H=%d (need B + S + B*H < 2^31 - 1024)",
                       B, S, H);
    if ((B > 0 && (scores == NULL || row_loss == NULL)) || (B > 0 && H > 0 && hard_rows == NULL))
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "sampled_loss_rows: NULL scores, row_loss or hard_rows");
    return PN_OK;
}

int pn_check_gemm(int m, int n, int k, const void *A, int lda, const void *B, int ldb, const void *C, int ldc,
                  int trans_a, int trans_b) {
    int a_cols = trans_a ? m : k, b_cols = trans_b ? k : n;
    if (m < 0 || n < 0 || k < 0 || lda < (a_cols > 1 ? a_cols : 1) || ldb < (b_cols > 1 ? b_cols : 1) ||
        ldc < (n > 1 ? n : 1))
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "sgemm: m=%d n=%d k=%d lda=%d ldb=%d ldc=%d trans=%d,%d", m, n,
                       k, lda, ldb, ldc, trans_a, trans_b);
    if (C == NULL || ((A == NULL || B == NULL) && k > 0))
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "sgemm: NULL matrix");
    return PN_OK;
}

int pn_cpu_gather_aggregate_fwd(int mode, const float *src, int src_rows, int dim, const int *idx,
                                const float *alpha, const int *counts, int rows, int T, float *out,
                                int *argmax) {
    int st = pn_check_gather(mode, src, src_rows, dim, idx, rows, T, out, argmax);
    if (st == PN_OK) st = pn_check_indices("gather_aggregate_fwd", idx, src_rows, rows, T);
    if (st != PN_OK) return st;
    for (int i = 0; i < rows; i++) {
        float *o = out + (size_t)i * dim;
        if (mode == PN_AGG_MAX) {
            for (int d = 0; d < dim; d++) {
                float best = 0.0f;
                int best_j = -1;
                for (int j = 0; j < T; j++) {
                    size_t slot = (size_t)i * T + j;
                    if (!pn_slot_valid(counts, i, j, idx[slot])) continue;
                    pn_max_step(pn_slot_alpha(alpha, slot) * src[(size_t)idx[slot] * dim + d], j, &best, &best_j);
                }
                o[d] = best_j < 0 ? 0.0f : best;
                argmax[(size_t)i * dim + d] = best_j;
            }
            continue;
        }
        float alpha_sum = 0.0f;
        for (int j = 0; j < T; j++) {
            size_t slot = (size_t)i * T + j;
            if (pn_slot_valid(counts, i, j, idx[slot])) alpha_sum += pn_slot_alpha(alpha, slot);
        }
        memset(o, 0, sizeof(float) * dim);
        for (int j = 0; j < T; j++) {
            size_t slot = (size_t)i * T + j;
            if (!pn_slot_valid(counts, i, j, idx[slot])) continue;
            float w = pn_agg_weight(mode, pn_slot_alpha(alpha, slot), alpha_sum);
            const float *s = src + (size_t)idx[slot] * dim;
            for (int d = 0; d < dim; d++) o[d] += w * s[d];
        }
    }
    return PN_OK;
}

int pn_cpu_gather_aggregate_bwd(int mode, const float *d_out, int src_rows, int dim, const int *idx,
                                const float *alpha, const int *counts, const int *argmax, int rows, int T,
                                float *d_src) {
    int st = pn_check_gather(mode, d_src, src_rows, dim, idx, rows, T, d_out, argmax);
    if (st == PN_OK) st = pn_check_indices("gather_aggregate_bwd", idx, src_rows, rows, T);
    if (st != PN_OK) return st;
    for (int i = 0; i < rows; i++) {
        const float *g = d_out + (size_t)i * dim;
        if (mode == PN_AGG_MAX) {
            for (int d = 0; d < dim; d++) {
                int j = argmax[(size_t)i * dim + d];
                if (j < 0) continue;
                size_t slot = (size_t)i * T + j;
                d_src[(size_t)idx[slot] * dim + d] += pn_slot_alpha(alpha, slot) * g[d];
            }
            continue;
        }
        float alpha_sum = 0.0f;
        for (int j = 0; j < T; j++) {
            size_t slot = (size_t)i * T + j;
            if (pn_slot_valid(counts, i, j, idx[slot])) alpha_sum += pn_slot_alpha(alpha, slot);
        }
        for (int j = 0; j < T; j++) {
            size_t slot = (size_t)i * T + j;
            if (!pn_slot_valid(counts, i, j, idx[slot])) continue;
            float w = pn_agg_weight(mode, pn_slot_alpha(alpha, slot), alpha_sum);
            float *s = d_src + (size_t)idx[slot] * dim;
            for (int d = 0; d < dim; d++) s[d] += w * g[d];
        }
    }
    return PN_OK;
}

int pn_cpu_bias_relu_fwd(const float *x, const float *bias, int rows, int cols, float *y) {
    int st = pn_check_matrix("bias_relu_fwd", x, y, rows, cols);
    if (st != PN_OK) return st;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            size_t e = (size_t)r * cols + c;
            y[e] = pn_bias_relu(x[e], bias == NULL ? 0.0f : bias[c]);
        }
    return PN_OK;
}

int pn_cpu_bias_relu_bwd(const float *y, const float *dy, int rows, int cols, float *dx, float *d_bias) {
    int st = pn_check_matrix("bias_relu_bwd", y, dy, rows, cols);
    if (st != PN_OK) return st;
    if (dx == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "bias_relu_bwd: NULL dx");
    if (d_bias != NULL) memset(d_bias, 0, sizeof(float) * cols);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            size_t e = (size_t)r * cols + c;
            float g = pn_relu_grad(y[e], dy[e]);
            dx[e] = g;
            if (d_bias != NULL) d_bias[c] += g;
        }
    return PN_OK;
}

int pn_cpu_l2_normalize_fwd(const float *x, int rows, int cols, float eps, float *y, float *inv_norm) {
    int st = pn_check_matrix("l2_normalize_fwd", x, y, rows, cols);
    if (st != PN_OK) return st;
    if (inv_norm == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "l2_normalize_fwd: NULL inv_norm");
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        float ss = 0.0f;
        for (int c = 0; c < cols; c++) ss += xr[c] * xr[c];
        float inv = pn_inv_norm(ss, eps);
        inv_norm[r] = inv;
        for (int c = 0; c < cols; c++) y[(size_t)r * cols + c] = xr[c] * inv;
    }
    return PN_OK;
}

int pn_cpu_l2_normalize_bwd(const float *y, const float *dy, const float *inv_norm, int rows, int cols,
                            float *dx) {
    int st = pn_check_matrix("l2_normalize_bwd", y, dy, rows, cols);
    if (st != PN_OK) return st;
    if (inv_norm == NULL || dx == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "l2_normalize_bwd: NULL pointer");
    for (int r = 0; r < rows; r++) {
        size_t base = (size_t)r * cols;
        float dot = 0.0f;
        for (int c = 0; c < cols; c++) dot += dy[base + c] * y[base + c];
        for (int c = 0; c < cols; c++) dx[base + c] = pn_l2_grad(y[base + c], dy[base + c], dot, inv_norm[r]);
    }
    return PN_OK;
}

/*
 * One query's row at a time, columns in order, sums in double: the same formulas as the kernel, whose block
 * reduces in a different (fixed) order.
 */
int pn_cpu_sampled_loss_rows(int kind, float margin, float temperature, int in_batch, int B, int S, int H,
                             const int *hard_rows, float grad_scale, float *scores, float *row_loss) {
    int st = pn_check_sampled_loss(kind, temperature, B, S, H, hard_rows, scores, row_loss);
    if (st != PN_OK) return st;
    int C = B + S + B * H, first = in_batch ? 0 : B;
    for (int i = 0; i < B; i++) {
        float *g = scores + (size_t)i * C;
        int n = pn_rank_negative_count(i, B, S, H, first, hard_rows);
        if (n == 0) {
            memset(g, 0, sizeof(float) * (size_t)C);
            row_loss[i] = 0.0f;
            continue;
        }
        if (kind == PN_LOSS_MARGIN) {
            float pos = g[i], w = 1.0f / (float)n;
            double loss = 0.0;
            int active = 0;
            for (int col = 0; col < C; col++)
                pn_rank_margin_column(g, col, i, B, S, H, first, hard_rows, pos, margin, w * grad_scale, &loss, &active);
            g[i] = -(float)active * w * grad_scale;
            row_loss[i] = (float)(loss * w);
        } else {
            float inv = 1.0f / temperature;
            float mx = g[i] * inv;
            for (int col = 0; col < C; col++)
                if (pn_rank_is_negative(col, i, B, S, H, first, hard_rows)) mx = pn_nan_max(mx, g[col] * inv);
            double pos = (double)(g[i] * inv), sum = exp(pos - mx);
            for (int col = 0; col < C; col++) pn_rank_softmax_column(g, col, i, B, S, H, first, hard_rows, inv, mx, &sum);
            double scale = inv / sum;
            for (int col = 0; col < C; col++)
                if (pn_rank_is_negative(col, i, B, S, H, first, hard_rows)) g[col] = (float)(g[col] * scale) * grad_scale;
            g[i] = (float)((exp(pos - mx) / sum - 1.0) * inv) * grad_scale;
            row_loss[i] = (float)(mx + log(sum) - pos);
        }
    }
    return PN_OK;
}

int pn_cpu_adam_update(float *param, float *m, float *v, const float *grad, size_t n, float lr, float beta1,
                       float beta2, float eps, float weight_decay, int t) {
    if (t < 1 || param == NULL || m == NULL || v == NULL || grad == NULL)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "adam_update: t=%d (need >= 1) or NULL buffer", t);
    float bc1 = 1.0f - powf(beta1, (float)t), bc2 = 1.0f - powf(beta2, (float)t);
    for (size_t i = 0; i < n; i++)
        pn_adam_step(&param[i], &m[i], &v[i], grad[i], lr, beta1, beta2, eps, weight_decay, bc1, bc2);
    return PN_OK;
}

int pn_cpu_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A, int lda,
                 const float *B, int ldb, float beta, float *C, int ldc) {
    int st = pn_check_gemm(m, n, k, A, lda, B, ldb, C, ldc, trans_a, trans_b);
    if (st != PN_OK) return st;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int p = 0; p < k; p++)
                acc += A[pn_op_offset(trans_a, i, p, lda)] * B[pn_op_offset(trans_b, p, j, ldb)];
            float *c = &C[(size_t)i * ldc + j];
            *c = pn_gemm_epilogue(acc, alpha, beta, *c);
        }
    return PN_OK;
}
