/*
 * Test harness of libpinsage_native.
 *
 *   pn_test --cpu                 host reference math against naive double-precision loops (any machine)
 *   pn_test --gpu [--small]       the above, then every kernel (fwd + bwd) against the host reference;
 *                                 without a usable GPU prints a SKIP line and exits 0
 *   pn_test --gpu --require-gpu   same, but exits 77 when no GPU can be used
 *   pn_test --bench               gather bandwidth and SGEMM throughput (needs a GPU; 77 otherwise)
 *   --seed N                      data seed (default 42; printed on every failure)
 *
 * One line per check: "PASS|FAIL <name> max_err=<e> tol=<t>". Exit status: 0 all passed, 1 a check failed,
 * 2 usage or setup error, 77 GPU required but absent.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pinsage_native.h"

#define EXIT_NO_GPU 77

static uint64_t rng_state;
static unsigned long long seed = 42;
static int failures, checks;

static uint32_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}
static float rng_uniform(float lo, float hi) { return lo + (hi - lo) * (float)(rng_next() & 0xffffff) / 16777216.0f; }
static int rng_int(int n) { return (int)(rng_next() % (uint32_t)n); }

static void *xmalloc(size_t bytes) {
    void *p = calloc(1, bytes > 0 ? bytes : 1);
    if (p == NULL) {
        fprintf(stderr, "out of host memory (%zu bytes)\n", bytes);
        exit(2);
    }
    return p;
}
static float *rand_floats(size_t n, float lo, float hi) {
    float *p = xmalloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = rng_uniform(lo, hi);
    return p;
}

/* Max over elements of |a - b| / (1 + |b|): absolute near zero, relative for large values. */
static double max_err_f(const float *a, const float *b, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - (double)b[i]) / (1.0 + fabs((double)b[i]));
        if (!(e <= m)) m = e; /* NaN propagates as a failure */
    }
    return m;
}
static double max_err_fd(const float *a, const double *b, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]) / (1.0 + fabs(b[i]));
        if (!(e <= m)) m = e;
    }
    return m;
}
static double mismatches_i(const int *a, const int *b, size_t n) {
    double c = 0;
    for (size_t i = 0; i < n; i++) c += a[i] != b[i];
    return c;
}

static void report(const char *name, double err, double tol) {
    checks++;
    int ok = err <= tol;
    if (!ok) failures++;
    printf("%s %-40s max_err=%.3g tol=%.3g%s\n", ok ? "PASS" : "FAIL", name, err, tol, ok ? "" : "");
    if (!ok) printf("     (seed=%llu; rerun with --seed %llu)\n", seed, seed);
    fflush(stdout);
}
static void expect_status(const char *name, int got, int want) {
    checks++;
    if (got != want) failures++;
    printf("%s %-40s status=%d (%s) expected=%d%s%s\n", got == want ? "PASS" : "FAIL", name, got,
           pn_error_string(got), want, got != PN_OK ? " detail: " : "", got != PN_OK ? pn_last_error_detail() : "");
}

/* ---- gather fixtures ---- */

typedef struct {
    int src_rows, dim, rows, T;
    float *src, *alpha, *d_out;
    int *idx, *counts;
} gather_case;

static gather_case gather_make(int src_rows, int dim, int rows, int T) {
    gather_case g = {src_rows, dim, rows, T, NULL, NULL, NULL, NULL, NULL};
    g.src = rand_floats((size_t)src_rows * dim, -1.0f, 1.0f);
    g.alpha = rand_floats((size_t)rows * T, 0.05f, 1.0f);
    g.d_out = rand_floats((size_t)rows * dim, -1.0f, 1.0f);
    g.idx = xmalloc(sizeof(int) * (size_t)rows * T);
    g.counts = xmalloc(sizeof(int) * (size_t)rows);
    for (int i = 0; i < rows; i++) {
        g.counts[i] = i % 7 == 3 ? 0 : (i % 5 == 1 ? rng_int(T + 1) : T); /* empty, short and full rows */
        for (int j = 0; j < T; j++) g.idx[(size_t)i * T + j] = rng_int(13) == 0 ? -1 : rng_int(src_rows);
    }
    return g;
}
static void gather_free(gather_case *g) {
    free(g->src); free(g->alpha); free(g->d_out); free(g->idx); free(g->counts);
}

/* Naive double gather (fwd and bwd in one): independent loops, no shared math. */
static void naive_gather(const gather_case *g, int mode, double *out, int *argmax, double *d_src) {
    for (int i = 0; i < g->rows; i++) {
        double asum = 0.0;
        for (int j = 0; j < g->T; j++) {
            int ix = g->idx[(size_t)i * g->T + j];
            if (j < g->counts[i] && ix >= 0) asum += g->alpha[(size_t)i * g->T + j];
        }
        for (int d = 0; d < g->dim; d++) {
            double acc = 0.0, best = -INFINITY;
            int bj = -1;
            for (int j = 0; j < g->T; j++) {
                size_t slot = (size_t)i * g->T + j;
                int ix = g->idx[slot];
                if (j >= g->counts[i] || ix < 0) continue;
                double a = g->alpha[slot], v = g->src[(size_t)ix * g->dim + d];
                if (mode == PN_AGG_MAX) {
                    if ((double)(float)(a * v) > best) { best = (float)(a * v); bj = j; }
                } else {
                    double w = mode == PN_AGG_SUM ? a : a / asum;
                    acc += w * v;
                    d_src[(size_t)ix * g->dim + d] += w * g->d_out[(size_t)i * g->dim + d];
                }
            }
            if (mode == PN_AGG_MAX) {
                out[(size_t)i * g->dim + d] = bj < 0 ? 0.0 : best;
                argmax[(size_t)i * g->dim + d] = bj;
                if (bj >= 0) {
                    size_t slot = (size_t)i * g->T + bj;
                    d_src[(size_t)g->idx[slot] * g->dim + d] += g->alpha[slot] * g->d_out[(size_t)i * g->dim + d];
                }
            } else {
                out[(size_t)i * g->dim + d] = acc;
            }
        }
    }
}

static const char *mode_name(int mode) { return mode == PN_AGG_MAX ? "max" : mode == PN_AGG_SUM ? "sum" : "mean"; }

static void cpu_gather_tests(void) {
    gather_case g = gather_make(97, 19, 41, 11);
    size_t n_out = (size_t)g.rows * g.dim, n_src = (size_t)g.src_rows * g.dim;
    for (int mode = 0; mode <= 2; mode++) {
        float *out = xmalloc(n_out * 4), *d_src = xmalloc(n_src * 4);
        int *arg = xmalloc(n_out * 4), *arg_ref = xmalloc(n_out * 4);
        double *out_ref = xmalloc(n_out * 8), *d_src_ref = xmalloc(n_src * 8);
        naive_gather(&g, mode, out_ref, arg_ref, d_src_ref);
        char name[64];
        snprintf(name, sizeof name, "cpu gather_fwd %s", mode_name(mode));
        int st = pn_cpu_gather_aggregate_fwd(mode, g.src, g.src_rows, g.dim, g.idx, g.alpha, g.counts, g.rows, g.T, out, arg);
        report(name, st != PN_OK ? 1e9 : max_err_fd(out, out_ref, n_out) + (mode == PN_AGG_MAX ? mismatches_i(arg, arg_ref, n_out) : 0), 1e-5);
        snprintf(name, sizeof name, "cpu gather_bwd %s", mode_name(mode));
        st = pn_cpu_gather_aggregate_bwd(mode, g.d_out, g.src_rows, g.dim, g.idx, g.alpha, g.counts, arg, g.rows, g.T, d_src);
        report(name, st != PN_OK ? 1e9 : max_err_fd(d_src, d_src_ref, n_src), 1e-5);
        free(out); free(d_src); free(arg); free(arg_ref); free(out_ref); free(d_src_ref);
    }
    float dummy[4];
    int idx1[1] = {0};
    expect_status("cpu gather rejects mode=7", pn_cpu_gather_aggregate_fwd(7, dummy, 1, 1, idx1, NULL, NULL, 1, 1, dummy, NULL), PN_ERR_INVALID_ARGUMENT);
    int idx_out_of_range[1] = {1};
    expect_status("cpu gather rejects idx >= src_rows", pn_cpu_gather_aggregate_fwd(PN_AGG_SUM, dummy, 1, 1, idx_out_of_range, NULL, NULL, 1, 1, dummy, NULL), PN_ERR_INVALID_ARGUMENT);
    expect_status("cpu gather max requires argmax", pn_cpu_gather_aggregate_fwd(PN_AGG_MAX, dummy, 1, 1, idx1, NULL, NULL, 1, 1, dummy, NULL), PN_ERR_INVALID_ARGUMENT);
    gather_free(&g);
}

static void cpu_bias_relu_tests(void) {
    int rows = 33, cols = 29;
    size_t n = (size_t)rows * cols;
    float *x = rand_floats(n, -1, 1), *b = rand_floats(cols, -0.5f, 0.5f), *dy = rand_floats(n, -1, 1);
    float *y = xmalloc(n * 4), *dx = xmalloc(n * 4), *db = xmalloc(cols * 4);
    double *y_ref = xmalloc(n * 8), *dx_ref = xmalloc(n * 8), *db_ref = xmalloc(cols * 8);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            size_t e = (size_t)r * cols + c;
            double s = (double)x[e] + b[c];
            y_ref[e] = s > 0 ? s : 0;
            dx_ref[e] = s > 0 ? dy[e] : 0;
            db_ref[c] += dx_ref[e];
        }
    report("cpu bias_relu_fwd", pn_cpu_bias_relu_fwd(x, b, rows, cols, y) ? 1e9 : max_err_fd(y, y_ref, n), 1e-6);
    int st = pn_cpu_bias_relu_bwd(y, dy, rows, cols, dx, db);
    report("cpu bias_relu_bwd dx", st ? 1e9 : max_err_fd(dx, dx_ref, n), 1e-6);
    report("cpu bias_relu_bwd d_bias", st ? 1e9 : max_err_fd(db, db_ref, cols), 1e-5);
    free(x); free(b); free(dy); free(y); free(dx); free(db); free(y_ref); free(dx_ref); free(db_ref);
}

static void cpu_l2_tests(void) {
    int rows = 17, cols = 23;
    float eps = 1e-6f;
    size_t n = (size_t)rows * cols;
    float *x = rand_floats(n, -2, 2), *dy = rand_floats(n, -1, 1);
    for (int c = 0; c < cols; c++) x[c] = 0.0f; /* a zero row: eps keeps it finite */
    float *y = xmalloc(n * 4), *inv = xmalloc(rows * 4), *dx = xmalloc(n * 4);
    double *y_ref = xmalloc(n * 8), *dx_ref = xmalloc(n * 8);
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * cols;
        double ss = 0;
        for (int c = 0; c < cols; c++) ss += (double)xr[c] * xr[c];
        double rn = 1.0 / sqrt(ss + eps);
        for (int c = 0; c < cols; c++) y_ref[(size_t)r * cols + c] = xr[c] * rn;
        /* explicit Jacobian: dy_d/dx_k = delta_dk r - x_d x_k r^3 */
        for (int k = 0; k < cols; k++) {
            double g = 0;
            for (int d = 0; d < cols; d++)
                g += dy[(size_t)r * cols + d] * ((d == k ? rn : 0.0) - (double)xr[d] * xr[k] * rn * rn * rn);
            dx_ref[(size_t)r * cols + k] = g;
        }
    }
    int st = pn_cpu_l2_normalize_fwd(x, rows, cols, eps, y, inv);
    report("cpu l2_normalize_fwd", st ? 1e9 : max_err_fd(y, y_ref, n), 1e-6);
    st = pn_cpu_l2_normalize_bwd(y, dy, inv, rows, cols, dx);
    report("cpu l2_normalize_bwd", st ? 1e9 : max_err_fd(dx, dx_ref, n), 1e-5);
    free(x); free(dy); free(y); free(inv); free(dx); free(y_ref); free(dx_ref);
}

/* ---- sampled ranking loss fixtures ---- */
typedef struct {
    int kind, in_batch, B, S, H;
    float margin, temperature, scale;
    float *scores; /* B x C */
    int *hard;     /* B x H, about a third -1 */
} loss_case;

static int loss_cols(const loss_case *l) { return l->B + l->S + l->B * l->H; }

static loss_case loss_make(int kind, int in_batch, int B, int S, int H) {
    loss_case l = {kind, in_batch, B, S, H, 0.3f, 0.2f, 1.0f / (float)B, NULL, NULL};
    l.scores = rand_floats((size_t)B * loss_cols(&l), -1, 1);
    l.hard = xmalloc((size_t)B * H * 4 + 4);
    for (int i = 0; i < B * H; i++) l.hard[i] = rng_int(3) == 0 ? -1 : rng_int(1000);
    return l;
}

static void loss_free(loss_case *l) { free(l->scores); free(l->hard); }

/* Straight from the definition, in double: each query's candidate list, then the loss and its gradient. */
static void naive_loss(const loss_case *l, double *loss, double *grad) {
    int C = loss_cols(l), first = l->in_batch ? 0 : l->B;
    int *cand = xmalloc((size_t)C * 4);
    for (int i = 0; i < l->B; i++) {
        const float *s = l->scores + (size_t)i * C;
        double *g = grad + (size_t)i * C;
        int n = 0;
        for (int c = first; c < l->B + l->S; c++)
            if (c != i) cand[n++] = c;
        for (int k = 0; k < l->H; k++)
            if (l->hard[i * l->H + k] >= 0) cand[n++] = l->B + l->S + i * l->H + k;
        for (int c = 0; c < C; c++) g[c] = 0.0;
        loss[i] = 0.0;
        if (n == 0) continue;
        if (l->kind == PN_LOSS_MARGIN) {
            for (int j = 0; j < n; j++) {
                double v = (double)s[cand[j]] - s[i] + l->margin;
                if (v > 0) {
                    loss[i] += v / n;
                    g[cand[j]] += l->scale / (double)n;
                    g[i] -= l->scale / (double)n;
                }
            }
        } else {
            double t = l->temperature, mx = s[i] / t, sum = 0.0;
            for (int j = 0; j < n; j++) mx = fmax(mx, s[cand[j]] / t);
            sum = exp(s[i] / t - mx);
            for (int j = 0; j < n; j++) sum += exp(s[cand[j]] / t - mx);
            loss[i] = mx + log(sum) - s[i] / t;
            for (int j = 0; j < n; j++) g[cand[j]] = l->scale * exp(s[cand[j]] / t - mx) / sum / t;
            g[i] = l->scale * (exp(s[i] / t - mx) / sum - 1.0) / t;
        }
    }
    free(cand);
}

static void cpu_loss_case(int kind, int in_batch, int B, int S, int H) {
    loss_case l = loss_make(kind, in_batch, B, S, H);
    size_t n = (size_t)B * loss_cols(&l);
    double *loss = xmalloc(B * sizeof(double)), *grad = xmalloc(n * sizeof(double));
    float *got = xmalloc(B * 4);
    naive_loss(&l, loss, grad);
    int st = pn_cpu_sampled_loss_rows(kind, l.margin, l.temperature, in_batch, B, S, H, l.hard, l.scale, l.scores, got);
    char name[96];
    snprintf(name, sizeof name, "cpu sampled_loss %s in_batch=%d B=%d S=%d H=%d", kind ? "softmax" : "margin", in_batch, B, S, H);
    report(name, st ? 1e9 : fmax(max_err_fd(got, loss, B), max_err_fd(l.scores, grad, n)), 1e-5);
    free(loss); free(grad); free(got);
    loss_free(&l);
}

static void cpu_loss_tests(void) {
    for (int kind = 0; kind <= 1; kind++) {
        cpu_loss_case(kind, 0, 7, 5, 2);
        cpu_loss_case(kind, 1, 7, 5, 2);
        cpu_loss_case(kind, 1, 6, 0, 0);  /* in-batch negatives only */
        cpu_loss_case(kind, 0, 5, 0, 3);  /* hard negatives only: queries whose hard rows are all -1 have none */
    }
    /* A NaN score among a query's candidates makes that query's loss NaN, for both kinds; other queries are unaffected. */
    for (int kind = 0; kind <= 1; kind++) {
        loss_case l = loss_make(kind, 0, 3, 4, 0);
        float loss[3];
        l.scores[1 * loss_cols(&l) + 3 + 2] = NAN; /* query 1, shared negative 2 */
        int st = pn_cpu_sampled_loss_rows(kind, l.margin, l.temperature, 0, 3, 4, 0, NULL, l.scale, l.scores, loss);
        checks++;
        if (st == PN_OK && isnan(loss[1]) && !isnan(loss[0]) && !isnan(loss[2])) {
            printf("PASS %-40s\n", kind ? "cpu sampled_loss softmax NaN -> NaN" : "cpu sampled_loss margin NaN -> NaN");
        } else {
            failures++;
            printf("FAIL cpu sampled_loss kind=%d NaN: status=%d loss=%g %g %g\n", kind, st, loss[0], loss[1], loss[2]);
        }
        loss_free(&l);
    }
    float one = 0.0f, row = 0.0f;
    expect_status("cpu sampled_loss rejects kind=2", pn_cpu_sampled_loss_rows(2, 0.1f, 1.0f, 0, 1, 1, 0, NULL, 1.0f, &one, &row), PN_ERR_INVALID_ARGUMENT);
    expect_status("cpu sampled_loss rejects temperature=0", pn_cpu_sampled_loss_rows(PN_LOSS_SOFTMAX, 0.1f, 0.0f, 0, 1, 1, 0, NULL, 1.0f, &one, &row), PN_ERR_INVALID_ARGUMENT);
    expect_status("cpu sampled_loss rejects H>0 without hard_rows", pn_cpu_sampled_loss_rows(PN_LOSS_MARGIN, 0.1f, 1.0f, 0, 1, 1, 1, NULL, 1.0f, &one, &row), PN_ERR_INVALID_ARGUMENT);
}

static void cpu_adam_tests(void) {
    size_t n = 1000;
    float *p = rand_floats(n, -1, 1), *g = rand_floats(n, -1, 1), *m = xmalloc(n * 4), *v = xmalloc(n * 4);
    double *pr = xmalloc(n * 8), *mr = xmalloc(n * 8), *vr = xmalloc(n * 8);
    for (size_t i = 0; i < n; i++) pr[i] = p[i];
    double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 1e-2;
    int st = 0;
    for (int t = 1; t <= 3; t++) {
        st |= pn_cpu_adam_update(p, m, v, g, n, (float)lr, (float)b1, (float)b2, (float)eps, (float)wd, t);
        for (size_t i = 0; i < n; i++) {
            mr[i] = b1 * mr[i] + (1 - b1) * g[i];
            vr[i] = b2 * vr[i] + (1 - b2) * (double)g[i] * g[i];
            double mh = mr[i] / (1 - pow(b1, t)), vh = vr[i] / (1 - pow(b2, t));
            pr[i] -= lr * (mh / (sqrt(vh) + eps) + wd * pr[i]);
        }
    }
    report("cpu adam_update (3 steps)", st ? 1e9 : fmax(max_err_fd(p, pr, n), max_err_fd(m, mr, n)), 1e-5);
    expect_status("cpu adam rejects t=0", pn_cpu_adam_update(p, m, v, g, n, 0.1f, 0.9f, 0.99f, 1e-8f, 0, 0), PN_ERR_INVALID_ARGUMENT);
    free(p); free(g); free(m); free(v); free(pr); free(mr); free(vr);
}

static void naive_sgemm(int ta, int tb, int M, int N, int K, double alpha, const float *A, int lda, const float *B,
                        int ldb, double beta, const float *C0, int ldc, double *C) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double acc = 0;
            for (int p = 0; p < K; p++)
                acc += (double)(ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p]) *
                       (tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j]);
            C[(size_t)i * N + j] = alpha * acc + (beta == 0 ? 0 : beta * C0[(size_t)i * ldc + j]);
        }
}

/* A GEMM problem with padded leading dimensions (ld = cols + 3) to catch stride bugs. */
typedef struct {
    int ta, tb, M, N, K, lda, ldb, ldc;
    float alpha, beta, *A, *B, *C0;
} gemm_case;

static gemm_case gemm_make(int ta, int tb, int M, int N, int K, float alpha, float beta, int pad) {
    gemm_case g = {ta, tb, M, N, K, (ta ? M : K) + pad, (tb ? K : N) + pad, N + pad, alpha, beta, NULL, NULL, NULL};
    g.A = rand_floats((size_t)(ta ? K : M) * g.lda, -1, 1);
    g.B = rand_floats((size_t)(tb ? N : K) * g.ldb, -1, 1);
    g.C0 = rand_floats((size_t)M * g.ldc, -1, 1);
    if (beta == 0.0f)
        for (size_t i = 0; i < (size_t)M * g.ldc; i++) g.C0[i] = NAN; /* beta = 0 must ignore C */
    return g;
}
static void gemm_free(gemm_case *g) { free(g->A); free(g->B); free(g->C0); }

/* Error of the m x n block of C (leading dimension ldc) against a dense reference. */
static double gemm_err(const gemm_case *g, const float *C, const double *ref) {
    double m = 0;
    for (int i = 0; i < g->M; i++) {
        double e = max_err_fd(C + (size_t)i * g->ldc, ref + (size_t)i * g->N, g->N);
        if (!(e <= m)) m = e;
    }
    return m;
}

static void cpu_sgemm_tests(void) {
    for (int t = 0; t < 4; t++) {
        gemm_case g = gemm_make(t & 1, t >> 1, 13, 11, 17, 0.7f, t == 3 ? 0.0f : -0.5f, 3);
        double *ref = xmalloc((size_t)g.M * g.N * 8);
        naive_sgemm(g.ta, g.tb, g.M, g.N, g.K, g.alpha, g.A, g.lda, g.B, g.ldb, g.beta, g.C0, g.ldc, ref);
        float *C = xmalloc((size_t)g.M * g.ldc * 4);
        memcpy(C, g.C0, (size_t)g.M * g.ldc * 4);
        int st = pn_cpu_sgemm(g.ta, g.tb, g.M, g.N, g.K, g.alpha, g.A, g.lda, g.B, g.ldb, g.beta, C, g.ldc);
        char name[64];
        snprintf(name, sizeof name, "cpu sgemm ta=%d tb=%d beta=%g", g.ta, g.tb, g.beta);
        report(name, st ? 1e9 : gemm_err(&g, C, ref), 1e-5);
        free(ref); free(C);
        gemm_free(&g);
    }
    float x[4] = {0};
    expect_status("cpu sgemm rejects lda < k", pn_cpu_sgemm(0, 0, 2, 2, 2, 1, x, 1, x, 2, 0, x, 2), PN_ERR_INVALID_ARGUMENT);
}

static void cpu_tests(void) {
    printf("== host reference vs naive double precision (seed=%llu)\n", seed);
    int count = -1;
    int st = pn_device_count(&count);
    checks++;
    if ((st == PN_OK && count > 0) || ((st == PN_ERR_NO_CUDA || st == PN_ERR_NO_DEVICE) && count == 0)) {
        printf("PASS %-40s status=%d (%s) count=%d\n", "device probe does not crash", st, pn_error_string(st), count);
    } else {
        failures++;
        printf("FAIL %-40s status=%d count=%d detail=%s\n", "device probe does not crash", st, count, pn_last_error_detail());
    }
    cpu_gather_tests();
    cpu_bias_relu_tests();
    cpu_l2_tests();
    cpu_loss_tests();
    cpu_adam_tests();
    cpu_sgemm_tests();
}

/* ---- GPU helpers ---- */

#define CK(call)                                                                                                 \
    do {                                                                                                         \
        int st_ = (call);                                                                                        \
        if (st_ != PN_OK) {                                                                                      \
            printf("FAIL %s:%d %s -> %s: %s (seed=%llu)\n", __FILE__, __LINE__, #call, pn_error_string(st_),     \
                   pn_last_error_detail(), seed);                                                                \
            exit(1);                                                                                             \
        }                                                                                                        \
    } while (0)

static pn_stream stream;

static void *dev_upload(const void *host, size_t bytes) {
    void *d = NULL;
    CK(pn_device_alloc(&d, bytes > 0 ? bytes : 4));
    if (host != NULL && bytes > 0) CK(pn_memcpy_h2d_async(d, host, bytes, stream));
    else CK(pn_memset_async(d, 0, bytes > 0 ? bytes : 4, stream));
    return d;
}
static void dev_download(void *host, const void *dev, size_t bytes) {
    CK(pn_memcpy_d2h_async(host, dev, bytes, stream));
    CK(pn_stream_synchronize(stream));
}

/* rows decide the kernel's shape: few rows split each row's columns over warps, many rows use a warp per row */
static void gpu_gather_tests(int dim, int rows, int T, int small) {
    gather_case g = gather_make(small ? 200 : 3000, dim, small ? 37 : rows, small ? 9 : T);
    size_t n_out = (size_t)g.rows * g.dim, n_src = (size_t)g.src_rows * g.dim, n_slots = (size_t)g.rows * g.T;
    float *d_src = dev_upload(g.src, n_src * 4), *d_alpha = dev_upload(g.alpha, n_slots * 4), *d_gout = dev_upload(g.d_out, n_out * 4);
    int *d_idx = dev_upload(g.idx, n_slots * 4), *d_counts = dev_upload(g.counts, (size_t)g.rows * 4);
    float *d_out = dev_upload(NULL, n_out * 4), *d_dsrc = dev_upload(NULL, n_src * 4);
    int *d_arg = dev_upload(NULL, n_out * 4);
    float *ref = xmalloc(n_out * 4), *got = xmalloc(n_out * 4), *ref_src = xmalloc(n_src * 4), *got_src = xmalloc(n_src * 4);
    int *ref_arg = xmalloc(n_out * 4), *got_arg = xmalloc(n_out * 4);
    for (int mode = 0; mode <= 2; mode++) {
        for (int with_alpha = 0; with_alpha <= 1; with_alpha++) {
            const float *ha = with_alpha ? g.alpha : NULL, *da = with_alpha ? d_alpha : NULL;
            const int *hc = (mode + with_alpha) % 2 ? g.counts : NULL, *dc = hc ? d_counts : NULL;
            char name[96];
            pn_cpu_gather_aggregate_fwd(mode, g.src, g.src_rows, g.dim, g.idx, ha, hc, g.rows, g.T, ref, ref_arg);
            CK(pn_gather_aggregate_fwd(mode, d_src, g.src_rows, g.dim, d_idx, da, dc, g.rows, g.T, d_out, d_arg, stream));
            dev_download(got, d_out, n_out * 4);
            double err = max_err_f(got, ref, n_out);
            if (mode == PN_AGG_MAX) {
                dev_download(got_arg, d_arg, n_out * 4);
                err += mismatches_i(got_arg, ref_arg, n_out);
            }
            snprintf(name, sizeof name, "gpu gather_fwd %s %dx%dx%d alpha=%d counts=%d", mode_name(mode), g.rows, g.T, dim, with_alpha, hc != NULL);
            report(name, err, 1e-5);
            memset(ref_src, 0, n_src * 4);
            pn_cpu_gather_aggregate_bwd(mode, g.d_out, g.src_rows, g.dim, g.idx, ha, hc, ref_arg, g.rows, g.T, ref_src);
            CK(pn_memset_async(d_dsrc, 0, n_src * 4, stream));
            CK(pn_gather_aggregate_bwd(mode, d_gout, g.src_rows, g.dim, d_idx, da, dc, d_arg, g.rows, g.T, d_dsrc, stream));
            dev_download(got_src, d_dsrc, n_src * 4);
            snprintf(name, sizeof name, "gpu gather_bwd %s %dx%dx%d alpha=%d counts=%d", mode_name(mode), g.rows, g.T, dim, with_alpha, hc != NULL);
            report(name, max_err_f(got_src, ref_src, n_src), 1e-4);
        }
    }
    void *ptrs[] = {d_src, d_alpha, d_gout, d_idx, d_counts, d_out, d_dsrc, d_arg};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) CK(pn_device_free(ptrs[i]));
    free(ref); free(got); free(ref_src); free(got_src); free(ref_arg); free(got_arg);
    gather_free(&g);
}

static void gpu_bias_relu_l2_tests(int small) {
    int rows = small ? 37 : 513, cols = small ? 45 : 300;
    size_t n = (size_t)rows * cols;
    float *x = rand_floats(n, -1, 1), *b = rand_floats(cols, -0.5f, 0.5f), *dy = rand_floats(n, -1, 1);
    float *ry = xmalloc(n * 4), *rdx = xmalloc(n * 4), *rdb = xmalloc(cols * 4), *rinv = xmalloc(rows * 4);
    float *gy = xmalloc(n * 4), *gdx = xmalloc(n * 4), *gdb = xmalloc(cols * 4), *ginv = xmalloc(rows * 4);
    float *dx_ = dev_upload(x, n * 4), *db_ = dev_upload(b, cols * 4), *ddy = dev_upload(dy, n * 4);
    float *dy_out = dev_upload(NULL, n * 4), *ddx = dev_upload(NULL, n * 4), *ddb = dev_upload(NULL, cols * 4), *dinv = dev_upload(NULL, rows * 4);

    pn_cpu_bias_relu_fwd(x, b, rows, cols, ry);
    CK(pn_bias_relu_fwd(dx_, db_, rows, cols, dy_out, stream));
    dev_download(gy, dy_out, n * 4);
    report("gpu bias_relu_fwd", max_err_f(gy, ry, n), 1e-6);
    pn_cpu_bias_relu_bwd(ry, dy, rows, cols, rdx, rdb);
    CK(pn_bias_relu_bwd(dy_out, ddy, rows, cols, ddx, ddb, stream));
    dev_download(gdx, ddx, n * 4);
    dev_download(gdb, ddb, cols * 4);
    report("gpu bias_relu_bwd dx", max_err_f(gdx, rdx, n), 1e-6);
    report("gpu bias_relu_bwd d_bias", max_err_f(gdb, rdb, cols), 1e-4);

    pn_cpu_l2_normalize_fwd(x, rows, cols, 1e-6f, ry, rinv);
    CK(pn_l2_normalize_fwd(dx_, rows, cols, 1e-6f, dy_out, dinv, stream));
    dev_download(gy, dy_out, n * 4);
    dev_download(ginv, dinv, rows * 4);
    report("gpu l2_normalize_fwd", fmax(max_err_f(gy, ry, n), max_err_f(ginv, rinv, rows)), 1e-5);
    pn_cpu_l2_normalize_bwd(ry, dy, rinv, rows, cols, rdx);
    CK(pn_l2_normalize_bwd(dy_out, ddy, dinv, rows, cols, ddx, stream));
    dev_download(gdx, ddx, n * 4);
    report("gpu l2_normalize_bwd", max_err_f(gdx, rdx, n), 1e-5);

    void *ptrs[] = {dx_, db_, ddy, dy_out, ddx, ddb, dinv};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) CK(pn_device_free(ptrs[i]));
    free(x); free(b); free(dy); free(ry); free(rdx); free(rdb); free(rinv); free(gy); free(gdx); free(gdb); free(ginv);
}

/* Kernel against host reference on one case; nan_row >= 0 puts a NaN among that query's shared negatives. */
static void gpu_loss_case(int kind, int in_batch, int B, int S, int H, int nan_row) {
    loss_case l = loss_make(kind, in_batch, B, S, H);
    if (nan_row >= 0) l.scores[(size_t)nan_row * loss_cols(&l) + B + S / 2] = NAN;
    int C = loss_cols(&l);
    size_t n = (size_t)l.B * C;
    float *ref_loss = xmalloc(l.B * 4), *got_loss = xmalloc(l.B * 4), *got = xmalloc(n * 4);
    float *ds = dev_upload(l.scores, n * 4), *dl = dev_upload(NULL, l.B * 4);
    int *dh = dev_upload(l.hard, (size_t)l.B * l.H * 4 + 4);
    CK(pn_sampled_loss_rows(kind, l.margin, l.temperature, in_batch, l.B, l.S, l.H, dh, l.scale, ds, dl, stream));
    pn_cpu_sampled_loss_rows(kind, l.margin, l.temperature, in_batch, l.B, l.S, l.H, l.hard, l.scale, l.scores, ref_loss);
    dev_download(got_loss, dl, l.B * 4);
    dev_download(got, ds, n * 4);
    char name[112];
    snprintf(name, sizeof name, "gpu sampled_loss %s in_batch=%d B=%d S=%d H=%d%s", kind ? "softmax" : "margin",
             in_batch, l.B, l.S, l.H, nan_row >= 0 ? " NaN row" : "");
    /* NaN must sit where the reference has it: compare with NaNs masked, then count disagreeing positions */
    size_t nan_mismatch = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(got[i]) != isnan(l.scores[i])) nan_mismatch++;
        if (isnan(got[i]) && isnan(l.scores[i])) got[i] = l.scores[i] = 0.0f;
    }
    for (int i = 0; i < l.B; i++) {
        if (isnan(got_loss[i]) != isnan(ref_loss[i])) nan_mismatch++;
        if (isnan(got_loss[i]) && isnan(ref_loss[i])) got_loss[i] = ref_loss[i] = 0.0f;
    }
    report(name, nan_mismatch ? 1e9 : fmax(max_err_f(got_loss, ref_loss, l.B), max_err_f(got, l.scores, n)), 1e-5);
    CK(pn_device_free(ds)); CK(pn_device_free(dl)); CK(pn_device_free(dh));
    free(ref_loss); free(got_loss); free(got);
    loss_free(&l);
}

static void gpu_loss_tests(int small) {
    for (int kind = 0; kind <= 1; kind++) {
        /* rows of 627 columns (three block strides) in the small run that compute-sanitizer checks; a NaN row;
           hard negatives only, so that queries whose hard rows are all -1 have no negative (zero row) */
        gpu_loss_case(kind, 0, 9, 600, 2, -1);
        gpu_loss_case(kind, 1, 5, 700, 0, 2);
        gpu_loss_case(kind, 0, 7, 0, 3, -1);
    }
    if (small) return;
    /* the training shape (512 queries, 500 shared, 2 hard) and one with nine hard negatives per query */
    for (int kind = 0; kind <= 1; kind++)
        for (int in_batch = 0; in_batch <= 1; in_batch++)
            gpu_loss_case(kind, in_batch, in_batch ? 512 : 300, 500, in_batch ? 2 : 9, -1);
}

static void gpu_adam_tests(int small) {
    size_t n = small ? 1000 : 100003;
    float *p = rand_floats(n, -1, 1), *g = rand_floats(n, -1, 1), *m = xmalloc(n * 4), *v = xmalloc(n * 4), *got = xmalloc(n * 4);
    float *dp = dev_upload(p, n * 4), *dg = dev_upload(g, n * 4), *dm = dev_upload(NULL, n * 4), *dv = dev_upload(NULL, n * 4);
    for (int t = 1; t <= 3; t++) {
        pn_cpu_adam_update(p, m, v, g, n, 1e-2f, 0.9f, 0.999f, 1e-8f, 1e-2f, t);
        CK(pn_adam_update(dp, dm, dv, dg, n, 1e-2f, 0.9f, 0.999f, 1e-8f, 1e-2f, t, stream));
    }
    dev_download(got, dp, n * 4);
    double e = max_err_f(got, p, n);
    dev_download(got, dv, n * 4);
    report("gpu adam_update (3 steps)", fmax(e, max_err_f(got, v, n)), 1e-5);
    CK(pn_device_free(dp)); CK(pn_device_free(dg)); CK(pn_device_free(dm)); CK(pn_device_free(dv));
    free(p); free(g); free(m); free(v); free(got);
}

typedef int (*gemm_fn)(int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int, int, pn_stream);

static void gpu_gemm_case_with(const char *who, gemm_fn fn, int precision, int ta, int tb, int M, int N, int K,
                               float beta, double tol) {
    gemm_case g = gemm_make(ta, tb, M, N, K, 0.75f, beta, 3);
    size_t na = (size_t)(ta ? K : M) * g.lda, nb = (size_t)(tb ? N : K) * g.ldb, nc = (size_t)M * g.ldc;
    float *ref = xmalloc(nc * 4), *got = xmalloc(nc * 4);
    memcpy(ref, g.C0, nc * 4);
    pn_cpu_sgemm(ta, tb, M, N, K, g.alpha, g.A, g.lda, g.B, g.ldb, beta, ref, g.ldc);
    float *dA = dev_upload(g.A, na * 4), *dB = dev_upload(g.B, nb * 4), *dC = dev_upload(g.C0, nc * 4);
    CK(fn(ta, tb, M, N, K, g.alpha, dA, g.lda, dB, g.ldb, beta, dC, g.ldc, precision, stream));
    dev_download(got, dC, nc * 4);
    /* pad columns must be untouched: compare the whole buffer, pads included, against ref (pads copied from C0) */
    for (size_t i = 0; i < nc; i++)
        if ((int)(i % g.ldc) >= N && beta == 0.0f) { got[i] = isnan(got[i]) ? 0.0f : 1e9f; ref[i] = 0.0f; }
    char name[96];
    snprintf(name, sizeof name, "gpu %s %s %dx%dx%d ta=%d tb=%d beta=%g", who, precision ? "tf32" : "fp32", M, N, K, ta, tb, beta);
    /* tf32 keeps 10 mantissa bits: error grows like sqrt(K) * 2^-11 for unit-scale data */
    report(name, max_err_f(got, ref, nc), tol > 0 ? tol : precision ? 2e-3 * sqrt((double)K) : 1e-4);
    CK(pn_device_free(dA)); CK(pn_device_free(dB)); CK(pn_device_free(dC));
    free(ref); free(got);
    gemm_free(&g);
}

static void gpu_gemm_case(const char *who, gemm_fn fn, int precision, int ta, int tb, int M, int N, int K, float beta) {
    gpu_gemm_case_with(who, fn, precision, ta, tb, M, N, K, beta, 0);
}

/* FP32 with a tolerance for long sums: 1e-4 * sqrt(K) (the reference accumulates in another order) */
static void gpu_gemm_case_tol(const char *who, gemm_fn fn, int precision, int ta, int tb, int M, int N, int K, float beta) {
    gpu_gemm_case_with(who, fn, precision, ta, tb, M, N, K, beta, 1e-4 * sqrt((double)K));
}

static void gpu_sgemm_tests(int small) {
    int cublas = pn_cublas_available();
    for (int precision = 0; precision <= 1; precision++)
        for (int t = 0; t < 4; t++) {
            gpu_gemm_case("sgemm", pn_sgemm, precision, t & 1, t >> 1, 67, 45, 29, t == 2 ? 0.0f : 0.5f);
            if (!small) gpu_gemm_case("sgemm", pn_sgemm, precision, t & 1, t >> 1, 515, 300, 131, t == 1 ? 0.0f : -1.0f);
            if (cublas) gpu_gemm_case("cublas", pn_cublas_sgemm, precision, t & 1, t >> 1, 67, 45, 29, 0.5f);
        }
    if (!small) {
        /* shapes chosen to reach each tile size on a 100-150 SM GPU: 128, 64 and 32 (FP32) wide */
        for (int precision = 0; precision <= 1; precision++) {
            gpu_gemm_case("sgemm", pn_sgemm, precision, 0, 0, 1600, 1500, 64, 0.0f);
            gpu_gemm_case("sgemm", pn_sgemm, precision, 1, 1, 1600, 1500, 40, 0.5f);
            gpu_gemm_case("sgemm", pn_sgemm, precision, 0, 0, 770, 900, 70, 0.0f);
            gpu_gemm_case("sgemm", pn_sgemm, precision, 0, 0, 512, 512, 256, 0.0f);
        }
        /* more than 65535 row tiles of 128: pn_sgemm cuts the product into slabs of rows, op(A) offset either way */
        for (int precision = 0; precision <= 1; precision++)
            for (int ta = 0; ta <= 1; ta++)
                gpu_gemm_case("sgemm tall", pn_sgemm, precision, ta, 0, 65535 * 128 + 1, 4, 4, 0.5f);
    }
    /* small outputs with a long K take the split-K path (partial sums, then one reduction): weight and bias
       gradients of a training step; the error of a K-long float sum grows like sqrt(K) */
    for (int t = 0; t < 4; t++) {
        gpu_gemm_case_tol("sgemm split-K", pn_sgemm, 0, t & 1, t >> 1, 17, 64, small ? 3000 : 26620, t == 3 ? 0.5f : 0.0f);
        if (!small) gpu_gemm_case_tol("sgemm split-K", pn_sgemm, 0, t & 1, t >> 1, 64, 64, 10548, t == 0 ? -1.0f : 0.0f);
    }
    gpu_gemm_case_tol("sgemm split-K", pn_sgemm, 0, 0, 0, 1, 64, small ? 2048 : 23103, 1.0f);
    if (!cublas) printf("SKIP cublas checks: %s\n", "libcublas not loadable");
}

static void gpu_runtime_tests(void) {
    pn_event a, b;
    CK(pn_event_create(&a));
    CK(pn_event_create(&b));
    size_t n = 1 << 20;
    unsigned char *host = NULL;
    CK(pn_host_alloc_pinned((void **)&host, n));
    void *d = NULL;
    CK(pn_device_alloc(&d, n));
    CK(pn_event_record(a, stream));
    CK(pn_memset_async(d, 0x5a, n, stream));
    CK(pn_memcpy_d2h_async(host, d, n, stream));
    CK(pn_event_record(b, stream));
    CK(pn_event_synchronize(b));
    int done = 0;
    CK(pn_event_query(b, &done));
    float ms = -1;
    CK(pn_event_elapsed_ms(&ms, a, b));
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += host[i] != 0x5a;
    report("gpu memset + pinned d2h + events", (double)bad + (done ? 0 : 1) + (ms >= 0 ? 0 : 1), 0);
    CK(pn_device_free(d));
    CK(pn_host_free_pinned(host));
    CK(pn_event_destroy(a));
    CK(pn_event_destroy(b));
}

/* Returns 1 when a GPU is usable (and selects device 0), else prints why. */
static int gpu_open(void) {
    int count = 0, st = pn_device_count(&count);
    if (st != PN_OK) {
        printf("SKIP GPU: %s (%s)\n", pn_error_string(st), pn_last_error_detail());
        return 0;
    }
    pn_device_info info;
    CK(pn_set_device(0));
    CK(pn_device_get_info(0, &info));
    printf("== GPU 0: %s, sm_%d%d, %d SMs, %.1f GiB, memory bus %d bit @ %d kHz (theoretical %.0f GB/s), L2 %d MiB, cuBLAS %s\n",
           info.name, info.compute_major, info.compute_minor, info.sm_count, info.total_global_mem / 1073741824.0,
           info.memory_bus_width_bits, info.memory_clock_khz, info.peak_memory_bandwidth_gbs, info.l2_cache_bytes >> 20,
           pn_cublas_available() ? "loadable" : "absent");
    CK(pn_stream_create(&stream));
    return 1;
}

static void gpu_tests(int small) {
    printf("== kernels vs host reference (seed=%llu%s)\n", seed, small ? ", small sizes" : "");
    gpu_runtime_tests();
    gpu_gather_tests(256, 300, 50, small); /* vectorised, columns split over warps */
    gpu_gather_tests(37, 300, 50, small);  /* scalar path */
    if (!small) {
        gpu_gather_tests(256, 4000, 20, small); /* vectorised, one warp per row */
        gpu_gather_tests(640, 4000, 7, small);
        gpu_gather_tests(640, 300, 50, small);
    }
    gpu_bias_relu_l2_tests(small);
    gpu_loss_tests(small);
    gpu_adam_tests(small);
    gpu_sgemm_tests(small);
}

/* ---- benchmarks ---- */

static float time_ms(pn_event a, pn_event b) {
    float ms = 0;
    CK(pn_event_elapsed_ms(&ms, a, b));
    return ms;
}

static double bench_copy_gbs(pn_event a, pn_event b) {
    size_t bytes = (size_t)1 << 30;
    void *x = dev_upload(NULL, bytes), *y = dev_upload(NULL, bytes);
    CK(pn_memcpy_d2d_async(y, x, bytes, stream));
    int reps = 10;
    CK(pn_event_record(a, stream));
    for (int i = 0; i < reps; i++) CK(pn_memcpy_d2d_async(y, x, bytes, stream));
    CK(pn_event_record(b, stream));
    CK(pn_event_synchronize(b));
    double gbs = 2.0 * bytes * reps / (time_ms(a, b) * 1e-3) / 1e9; /* read + write */
    CK(pn_device_free(x));
    CK(pn_device_free(y));
    return gbs;
}

static void bench_gather(pn_event a, pn_event b, int rows, int T, int dim, int src_rows, double copy_gbs, double peak_gbs) {
    size_t n_src = (size_t)src_rows * dim, n_slots = (size_t)rows * T;
    float *hsrc = rand_floats(n_src, -1, 1), *halpha = rand_floats(n_slots, 0.1f, 1);
    int *hidx = xmalloc(n_slots * 4);
    for (size_t i = 0; i < n_slots; i++) hidx[i] = rng_int(src_rows);
    float *src = dev_upload(hsrc, n_src * 4), *alpha = dev_upload(halpha, n_slots * 4), *out = dev_upload(NULL, (size_t)rows * dim * 4);
    int *idx = dev_upload(hidx, n_slots * 4);
    CK(pn_gather_aggregate_fwd(PN_AGG_WEIGHTED_MEAN, src, src_rows, dim, idx, alpha, NULL, rows, T, out, NULL, stream));
    int reps = rows <= 1024 ? 200 : 20;
    CK(pn_event_record(a, stream));
    for (int i = 0; i < reps; i++)
        CK(pn_gather_aggregate_fwd(PN_AGG_WEIGHTED_MEAN, src, src_rows, dim, idx, alpha, NULL, rows, T, out, NULL, stream));
    CK(pn_event_record(b, stream));
    CK(pn_event_synchronize(b));
    double sec = time_ms(a, b) * 1e-3 / reps;
    double bytes = (double)n_slots * dim * 4 + (double)n_slots * 8 + (double)rows * dim * 4;
    double gbs = bytes / sec / 1e9;
    printf("BENCH gather_fwd mean rows=%d T=%d dim=%d src_rows=%d: %.1f us/call, %.1f GB/s = %.2f of d2d copy (%.0f GB/s)",
           rows, T, dim, src_rows, sec * 1e6, gbs, gbs / copy_gbs, copy_gbs);
    if (peak_gbs > 0) printf(", %.2f of theoretical peak (%.0f GB/s)", gbs / peak_gbs, peak_gbs);
    printf("\n");
    CK(pn_device_free(src)); CK(pn_device_free(alpha)); CK(pn_device_free(out)); CK(pn_device_free(idx));
    free(hsrc); free(halpha); free(hidx);
}

static double bench_gemm_one(pn_event a, pn_event b, gemm_fn fn, int precision, int M, int N, int K, float *A, float *B, float *C) {
    if (fn(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N, precision, stream) != PN_OK) return -1;
    double flop = 2.0 * M * N * K;
    int reps = flop > 1e11 ? 10 : 100;
    CK(pn_event_record(a, stream));
    for (int i = 0; i < reps; i++) CK(fn(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N, precision, stream));
    CK(pn_event_record(b, stream));
    CK(pn_event_synchronize(b));
    return flop * reps / (time_ms(a, b) * 1e-3) / 1e9;
}

static void bench_gemm(pn_event a, pn_event b, int M, int N, int K) {
    float *hA = rand_floats((size_t)M * K, -1, 1), *hB = rand_floats((size_t)K * N, -1, 1);
    float *A = dev_upload(hA, (size_t)M * K * 4), *B = dev_upload(hB, (size_t)K * N * 4), *C = dev_upload(NULL, (size_t)M * N * 4);
    float *C2 = dev_upload(NULL, (size_t)M * N * 4);
    int cublas = pn_cublas_available();
    for (int precision = 0; precision <= 1; precision++) {
        double ours = bench_gemm_one(a, b, pn_sgemm, precision, M, N, K, A, B, C);
        printf("BENCH sgemm %s %dx%dx%d: ours %.0f GFLOP/s", precision ? "tf32" : "fp32", M, N, K, ours);
        if (cublas) {
            double theirs = bench_gemm_one(a, b, pn_cublas_sgemm, precision, M, N, K, A, B, C2);
            size_t n = (size_t)M * N;
            float *x = xmalloc(n * 4), *y = xmalloc(n * 4);
            dev_download(x, C, n * 4);
            dev_download(y, C2, n * 4);
            printf(", cuBLAS %.0f GFLOP/s, ratio %.2f, max_err vs cuBLAS %.2g", theirs, ours / theirs, max_err_f(x, y, n));
            free(x); free(y);
        } else {
            printf(", cuBLAS unavailable");
        }
        printf("\n");
        fflush(stdout);
    }
    CK(pn_device_free(A)); CK(pn_device_free(B)); CK(pn_device_free(C)); CK(pn_device_free(C2));
    free(hA); free(hB);
}

/* The loss head of one training step (512 queries, 500 shared and 2 hard negatives each, in-batch negatives):
 * the kernel's time against the host reference's on this machine's CPU, one thread. */
static void bench_loss(pn_event a, pn_event b) {
    loss_case l = loss_make(PN_LOSS_SOFTMAX, 1, 512, 500, 2);
    size_t n = (size_t)l.B * loss_cols(&l);
    float *ds = dev_upload(l.scores, n * 4), *dl = dev_upload(NULL, l.B * 4), *hl = xmalloc(l.B * 4);
    int *dh = dev_upload(l.hard, (size_t)l.B * l.H * 4);
    int reps = 200;
    CK(pn_sampled_loss_rows(PN_LOSS_SOFTMAX, l.margin, l.temperature, 1, l.B, l.S, l.H, dh, l.scale, ds, dl, stream));
    CK(pn_event_record(a, stream));
    for (int i = 0; i < reps; i++)
        CK(pn_sampled_loss_rows(PN_LOSS_SOFTMAX, l.margin, l.temperature, 1, l.B, l.S, l.H, dh, l.scale, ds, dl, stream));
    CK(pn_event_record(b, stream));
    CK(pn_event_synchronize(b));
    double gpu_us = time_ms(a, b) * 1e3 / reps;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int host_reps = 5;
    for (int i = 0; i < host_reps; i++)
        pn_cpu_sampled_loss_rows(PN_LOSS_SOFTMAX, l.margin, l.temperature, 1, l.B, l.S, l.H, l.hard, l.scale, l.scores, hl);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double host_us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / host_reps;
    printf("BENCH sampled_loss softmax B=%d C=%d: %.1f us/call on the GPU, host reference %.0f us (%.0fx)\n", l.B,
           loss_cols(&l), gpu_us, host_us, host_us / gpu_us);
    CK(pn_device_free(ds)); CK(pn_device_free(dl)); CK(pn_device_free(dh));
    free(hl);
    loss_free(&l);
}

static void bench(void) {
    pn_device_info info;
    CK(pn_device_get_info(0, &info));
    pn_event a, b;
    CK(pn_event_create(&a));
    CK(pn_event_create(&b));
    double copy = bench_copy_gbs(a, b);
    printf("BENCH d2d cudaMemcpy 1 GiB: %.0f GB/s (read+write) = %.2f of theoretical peak %.0f GB/s\n", copy,
           info.peak_memory_bandwidth_gbs > 0 ? copy / info.peak_memory_bandwidth_gbs : 0.0, info.peak_memory_bandwidth_gbs);
    bench_gather(a, b, 512, 50, 256, 1 << 20, copy, info.peak_memory_bandwidth_gbs);
    bench_gather(a, b, 16384, 50, 256, 1 << 20, copy, info.peak_memory_bandwidth_gbs);
    bench_loss(a, b);
    bench_gemm(a, b, 512, 512, 256);
    bench_gemm(a, b, 4096, 4096, 4096);
    CK(pn_event_destroy(a));
    CK(pn_event_destroy(b));
}

int main(int argc, char **argv) {
    int cpu = 0, gpu = 0, do_bench = 0, small = 0, require = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cpu")) cpu = 1;
        else if (!strcmp(argv[i], "--gpu")) gpu = 1;
        else if (!strcmp(argv[i], "--bench")) do_bench = 1;
        else if (!strcmp(argv[i], "--small")) small = 1;
        else if (!strcmp(argv[i], "--require-gpu")) require = 1;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: pn_test [--cpu] [--gpu [--small] [--require-gpu]] [--bench] [--seed N]\n");
            return 2;
        }
    }
    if (!cpu && !gpu && !do_bench) cpu = 1;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    printf("pinsage-native harness: %s, built %s CUDA\n", pn_version(), pn_built_with_cuda() ? "with" : "without");
    if (cpu || gpu) cpu_tests();
    if (gpu || do_bench) {
        if (!gpu_open()) {
            if (require || do_bench) {
                printf("NO-GPU: GPU checks required but no usable GPU (exit %d)\n", EXIT_NO_GPU);
                return EXIT_NO_GPU;
            }
        } else {
            if (gpu) gpu_tests(small);
            if (do_bench) bench();
            CK(pn_stream_destroy(stream));
        }
    }
    printf("== %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
