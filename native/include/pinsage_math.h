/*
 * Per-element math of every kernel, shared by the CUDA kernels and the host reference
 * (cpu_reference.c), so tests on machines without a GPU exercise the very formulas the GPU runs.
 * Valid C99 and CUDA C++.
 */
#ifndef PINSAGE_MATH_H
#define PINSAGE_MATH_H

#include <math.h>
#include <stddef.h>

#if defined(__CUDACC__)
#define PN_HD static inline __host__ __device__
#else
#define PN_HD static inline
#endif

/* Whether slot j of a gather row counts: inside the row's count (if any) and not -1 padding. */
PN_HD int pn_slot_valid(const int *counts, int row, int j, int index) {
    return (counts == NULL || j < counts[row]) && index >= 0;
}

PN_HD float pn_slot_alpha(const float *alpha, size_t slot) {
    return alpha == NULL ? 1.0f : alpha[slot];
}

/* Weight of a valid slot in a weighted-mean / sum row; alpha_sum is the sum over the row's valid slots. */
PN_HD float pn_agg_weight(int mode, float a, float alpha_sum) {
    return mode == 0 ? (alpha_sum != 0.0f ? a / alpha_sum : 0.0f) : a;
}

/* Max-mode candidate update: keeps the first maximum, as the argmax tie rule. */
PN_HD void pn_max_step(float candidate, int j, float *best, int *best_j) {
    if (*best_j < 0 || candidate > *best) {
        *best = candidate;
        *best_j = j;
    }
}

PN_HD float pn_bias_relu(float x, float b) {
    float s = x + b;
    return s > 0.0f ? s : 0.0f;
}

PN_HD float pn_relu_grad(float y, float dy) {
    return y > 0.0f ? dy : 0.0f;
}

PN_HD float pn_inv_norm(float sum_squares, float eps) {
    return 1.0f / sqrtf(sum_squares + eps);
}

/* d/dx of x * inv_norm, element d, given <dy, y> over the row. */
PN_HD float pn_l2_grad(float y, float dy, float dot_dy_y, float inv_norm) {
    return inv_norm * (dy - y * dot_dy_y);
}

/* One AdamW step of one parameter; bc1 = 1 - beta1^t, bc2 = 1 - beta2^t. */
PN_HD void pn_adam_step(float *p, float *m, float *v, float g, float lr, float beta1, float beta2, float eps,
                        float weight_decay, float bc1, float bc2) {
    float mn = beta1 * *m + (1.0f - beta1) * g;
    float vn = beta2 * *v + (1.0f - beta2) * g * g;
    float mhat = mn / bc1;
    float vhat = vn / bc2;
    *m = mn;
    *v = vn;
    *p = *p - lr * (mhat / (sqrtf(vhat) + eps) + weight_decay * *p);
}

/* Element (r, c) of op(X) for a row-major X with leading dimension ld. */
PN_HD size_t pn_op_offset(int trans, int r, int c, int ld) {
    return trans ? (size_t)c * ld + r : (size_t)r * ld + c;
}

/* GEMM epilogue: beta == 0 ignores the old value so NaN garbage in C never leaks. */
PN_HD float pn_gemm_epilogue(float acc, float alpha, float beta, float old) {
    return beta == 0.0f ? alpha * acc : alpha * acc + beta * old;
}

/*
 * Sampled ranking loss on a score row (pn_sampled_loss_rows). The row of query i has C = B + S + B*H columns:
 * [positives | shared negatives | hard negatives, query-major]; its positive is column i, its negatives are
 * columns [first, B + S) other than i (first = 0 with in-batch negatives, else B) and the columns of its own
 * hard block whose hard_rows entry is >= 0.
 */
PN_HD int pn_rank_is_negative(int col, int i, int B, int S, int H, int first, const int *hard_rows) {
    if (col < B + S) return col >= first && col != i;
    int k = col - (B + S) - i * H;
    return k >= 0 && k < H && hard_rows[(size_t)i * H + k] >= 0;
}

PN_HD int pn_rank_negative_count(int i, int B, int S, int H, int first, const int *hard_rows) {
    int n = B + S - first - (i >= first ? 1 : 0);
    for (int k = 0; k < H; k++) n += hard_rows[(size_t)i * H + k] >= 0;
    return n;
}

/* Hinge of one negative for the ranking loss: NaN counts as active, so a NaN score makes the loss NaN. */
PN_HD int pn_rank_hinge_active(float v) {
    return !(v <= 0.0f);
}

/*
 * First pass over column col of query i's row g (margin kind): a negative's hinge goes to *loss and *active and its
 * gradient (grad when active) replaces the score; columns that are neither the positive nor a negative become 0.
 */
PN_HD void pn_rank_margin_column(float *g, int col, int i, int B, int S, int H, int first, const int *hard_rows,
                                 float pos, float margin, float grad, double *loss, int *active) {
    if (col == i) return;
    if (!pn_rank_is_negative(col, i, B, S, H, first, hard_rows)) {
        g[col] = 0.0f;
        return;
    }
    float v = g[col] - pos + margin;
    int on = pn_rank_hinge_active(v);
    *loss += on ? v : 0.0f;
    *active += on;
    g[col] = on ? grad : 0.0f;
}

/*
 * Second pass over column col (softmax kind, after the row's maximum mx of s / temperature is known): a negative's
 * exp(s * inv - mx) is added to *sum and kept in the row until the sum is known; other columns but the positive
 * become 0.
 */
PN_HD void pn_rank_softmax_column(float *g, int col, int i, int B, int S, int H, int first, const int *hard_rows,
                                  float inv, float mx, double *sum) {
    if (col == i) return;
    if (!pn_rank_is_negative(col, i, B, S, H, first, hard_rows)) {
        g[col] = 0.0f;
        return;
    }
    double e = exp((double)(g[col] * inv) - mx);
    *sum += e;
    g[col] = (float)e;
}

/* Maximum that propagates NaN from either side. */
PN_HD float pn_nan_max(float a, float b) {
    return (a != a || a > b) ? a : b;
}

#endif
