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

/* Hinge term of one negative: max(0, s_neg - s_pos + margin). */
PN_HD float pn_hinge(float s_neg, float s_pos, float margin) {
    float h = s_neg - s_pos + margin;
    return h > 0.0f ? h : 0.0f;
}

PN_HD int pn_hinge_active(float s_neg, float s_pos, float margin) {
    return s_neg - s_pos + margin > 0.0f;
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

#endif
