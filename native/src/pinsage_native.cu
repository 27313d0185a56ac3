/*
 * CUDA build of the API: runtime wrappers, the kernels, and the optional cuBLAS bridge.
 * One translation unit on purpose: nvcc compiles every gencode of every .cu, and one file keeps the build
 * short on small build machines.
 */
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <mma.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pinsage_math.h"
#include "pinsage_native.h"
#include "pn_internal.h"

#define PN_WARP 32
#define PN_FULL_MASK 0xffffffffu

/* ------------------------------------------------------------------ runtime */

static int pn_cuda(cudaError_t e, const char *what) {
    if (e == cudaSuccess) return PN_OK;
    int status = PN_ERR_CUDA;
    if (e == cudaErrorMemoryAllocation) status = PN_ERR_OUT_OF_MEMORY;
    else if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver || e == cudaErrorInitializationError)
        status = PN_ERR_NO_DEVICE;
    return pn_fail(status, "%s: %s (%s)", what, cudaGetErrorName(e), cudaGetErrorString(e));
}

static int pn_launched(const char *what) { return pn_cuda(cudaGetLastError(), what); }

static cudaStream_t pn_s(pn_stream s) { return s == NULL ? cudaStreamPerThread : (cudaStream_t)s; }

static unsigned pn_blocks(size_t work, unsigned per_block) {
    size_t b = (work + per_block - 1) / per_block;
    return (unsigned)(b > 65535u * 32u ? 65535u * 32u : (b == 0 ? 1 : b));
}

extern "C" {

int pn_built_with_cuda(void) { return 1; }

int pn_device_count(int *count) {
    if (count == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "pn_device_count: NULL count");
    *count = 0;
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        cudaGetLastError();
        int st = pn_cuda(e, "cudaGetDeviceCount");
        return st == PN_ERR_CUDA ? pn_fail(PN_ERR_NO_DEVICE, "cudaGetDeviceCount: %s", cudaGetErrorString(e)) : st;
    }
    *count = n;
    return n > 0 ? PN_OK : pn_fail(PN_ERR_NO_DEVICE, "cudaGetDeviceCount: no device");
}

int pn_device_get_info(int device, pn_device_info *info) {
    if (info == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "pn_device_get_info: NULL info");
    cudaDeviceProp p;
    int st = pn_cuda(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties");
    if (st != PN_OK) return st;
    memset(info, 0, sizeof *info);
    strncpy(info->name, p.name, sizeof info->name - 1);
    info->compute_major = p.major;
    info->compute_minor = p.minor;
    info->sm_count = p.multiProcessorCount;
    info->max_threads_per_block = p.maxThreadsPerBlock;
    info->total_global_mem = p.totalGlobalMem;
    info->shared_mem_per_block = p.sharedMemPerBlock;
    info->l2_cache_bytes = p.l2CacheSize;
    int clock = 0, width = 0;
    if (cudaDeviceGetAttribute(&clock, cudaDevAttrMemoryClockRate, device) != cudaSuccess) clock = 0;
    if (cudaDeviceGetAttribute(&width, cudaDevAttrGlobalMemoryBusWidth, device) != cudaSuccess) width = 0;
    cudaGetLastError();
    info->memory_clock_khz = clock;
    info->memory_bus_width_bits = width;
    /* double data rate: two transfers per clock */
    info->peak_memory_bandwidth_gbs = 2.0 * clock * 1e3 * (width / 8.0) / 1e9;
    return PN_OK;
}

int pn_set_device(int device) { return pn_cuda(cudaSetDevice(device), "cudaSetDevice"); }
int pn_device_synchronize(void) { return pn_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize"); }

int pn_device_alloc(void **ptr, size_t bytes) {
    if (ptr == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "pn_device_alloc: NULL ptr");
    *ptr = NULL;
    return pn_cuda(cudaMalloc(ptr, bytes), "cudaMalloc");
}
int pn_device_free(void *ptr) { return pn_cuda(cudaFree(ptr), "cudaFree"); }
int pn_host_alloc_pinned(void **ptr, size_t bytes) {
    if (ptr == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "pn_host_alloc_pinned: NULL ptr");
    *ptr = NULL;
    return pn_cuda(cudaHostAlloc(ptr, bytes, cudaHostAllocPortable), "cudaHostAlloc");
}
int pn_host_free_pinned(void *ptr) { return pn_cuda(cudaFreeHost(ptr), "cudaFreeHost"); }

int pn_memcpy_h2d_async(void *dst, const void *src, size_t bytes, pn_stream s) {
    return pn_cuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, pn_s(s)), "cudaMemcpyAsync(h2d)");
}
int pn_memcpy_d2h_async(void *dst, const void *src, size_t bytes, pn_stream s) {
    return pn_cuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, pn_s(s)), "cudaMemcpyAsync(d2h)");
}
int pn_memcpy_d2d_async(void *dst, const void *src, size_t bytes, pn_stream s) {
    return pn_cuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, pn_s(s)), "cudaMemcpyAsync(d2d)");
}
int pn_memset_async(void *dst, int value, size_t bytes, pn_stream s) {
    return pn_cuda(cudaMemsetAsync(dst, value, bytes, pn_s(s)), "cudaMemsetAsync");
}

int pn_stream_create(pn_stream *stream) {
    if (stream == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "pn_stream_create: NULL stream");
    cudaStream_t s;
    int st = pn_cuda(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
    *stream = st == PN_OK ? (pn_stream)s : NULL;
    return st;
}
int pn_stream_destroy(pn_stream s) { return pn_cuda(cudaStreamDestroy((cudaStream_t)s), "cudaStreamDestroy"); }
int pn_stream_synchronize(pn_stream s) { return pn_cuda(cudaStreamSynchronize(pn_s(s)), "cudaStreamSynchronize"); }
int pn_stream_wait_event(pn_stream s, pn_event e) {
    return pn_cuda(cudaStreamWaitEvent(pn_s(s), (cudaEvent_t)e, 0), "cudaStreamWaitEvent");
}
int pn_event_create(pn_event *event) {
    if (event == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "pn_event_create: NULL event");
    cudaEvent_t e;
    int st = pn_cuda(cudaEventCreate(&e), "cudaEventCreate");
    *event = st == PN_OK ? (pn_event)e : NULL;
    return st;
}
int pn_event_destroy(pn_event e) { return pn_cuda(cudaEventDestroy((cudaEvent_t)e), "cudaEventDestroy"); }
int pn_event_record(pn_event e, pn_stream s) {
    return pn_cuda(cudaEventRecord((cudaEvent_t)e, pn_s(s)), "cudaEventRecord");
}
int pn_event_synchronize(pn_event e) { return pn_cuda(cudaEventSynchronize((cudaEvent_t)e), "cudaEventSynchronize"); }
int pn_event_query(pn_event e, int *done) {
    if (done == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "pn_event_query: NULL done");
    cudaError_t r = cudaEventQuery((cudaEvent_t)e);
    *done = r == cudaSuccess;
    if (r == cudaErrorNotReady) {
        cudaGetLastError();
        return PN_OK;
    }
    return pn_cuda(r, "cudaEventQuery");
}
int pn_event_elapsed_ms(float *ms, pn_event start, pn_event end) {
    if (ms == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "pn_event_elapsed_ms: NULL ms");
    return pn_cuda(cudaEventElapsedTime(ms, (cudaEvent_t)start, (cudaEvent_t)end), "cudaEventElapsedTime");
}

} /* extern "C" */

/* ------------------------------------------------------------------ warp helpers */

__device__ __forceinline__ float pn_warp_sum(float v) {
    for (int o = PN_WARP / 2; o > 0; o >>= 1) v += __shfl_xor_sync(PN_FULL_MASK, v, o);
    return v;
}

/* Sum of alpha over a row's valid slots, computed by a whole warp; every lane gets the total. */
__device__ __forceinline__ float pn_row_alpha_sum(const int *idx, const float *alpha, const int *counts, int row,
                                                  int T, int lane) {
    float s = 0.0f;
    for (int j = lane; j < T; j += PN_WARP) {
        size_t slot = (size_t)row * T + j;
        if (pn_slot_valid(counts, row, j, idx[slot])) s += pn_slot_alpha(alpha, slot);
    }
    return pn_warp_sum(s);
}

/* ------------------------------------------------------------------ gather-aggregate */

#define PN_GATHER_WARPS 4
#define PN_GATHER_UNROLL 4

/*
 * One warp per (output row, column part): the row's columns are cut into `parts` pieces of CH * 32 float4,
 * and each lane owns CH float4 of its piece. Small batches use many parts so that every SM has warps in
 * flight; large ones one part per row. The warp loads 32 slots' (index, weight) at once and broadcasts them
 * by shuffle, so every src row read is a coalesced sweep and the loads of consecutive slots are independent
 * (memory-level parallelism).
 */
template <int CH, bool MAXMODE>
__global__ void __launch_bounds__(PN_GATHER_WARPS * PN_WARP)
    pn_gather_fwd_vec(int mode, const float4 *__restrict__ src, int dim4, const int *__restrict__ idx,
                      const float *__restrict__ alpha, const int *__restrict__ counts, int rows, int T, int parts,
                      float4 *__restrict__ out, int4 *__restrict__ argmax) {
    int lane = threadIdx.x & (PN_WARP - 1);
    size_t unit = (size_t)blockIdx.x * PN_GATHER_WARPS + (threadIdx.x >> 5);
    if (unit >= (size_t)rows * parts) return;
    int row = (int)(unit / parts), base = (int)(unit % parts) * CH * PN_WARP;
    float alpha_sum = MAXMODE ? 0.0f : pn_row_alpha_sum(idx, alpha, counts, row, T, lane);
    float4 acc[CH];
    int4 arg[CH];
#pragma unroll
    for (int c = 0; c < CH; c++) {
        acc[c] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        arg[c] = make_int4(-1, -1, -1, -1);
    }
    for (int j0 = 0; j0 < T; j0 += PN_WARP) {
        int j = j0 + lane, my_idx = -1;
        float my_w = 0.0f;
        if (j < T) {
            size_t slot = (size_t)row * T + j;
            int ix = idx[slot];
            if (pn_slot_valid(counts, row, j, ix)) {
                my_idx = ix;
                float a = pn_slot_alpha(alpha, slot);
                my_w = MAXMODE ? a : pn_agg_weight(mode, a, alpha_sum);
            }
        }
        int nj = T - j0 < PN_WARP ? T - j0 : PN_WARP;
        for (int t = 0; t < nj; t += PN_GATHER_UNROLL) {
            /* PN_GATHER_UNROLL slots at a time: their row loads are issued together, then folded in slot order */
            int ix[PN_GATHER_UNROLL];
            float w[PN_GATHER_UNROLL];
#pragma unroll
            for (int u = 0; u < PN_GATHER_UNROLL; u++) {
                int tt = t + u;
                int v = __shfl_sync(PN_FULL_MASK, my_idx, tt & (PN_WARP - 1));
                w[u] = __shfl_sync(PN_FULL_MASK, my_w, tt & (PN_WARP - 1));
                ix[u] = tt < nj ? v : -1;
            }
#pragma unroll
            for (int c = 0; c < CH; c++) {
                int col = base + lane + c * PN_WARP;
                if (col >= dim4) continue;
                float4 v[PN_GATHER_UNROLL];
#pragma unroll
                for (int u = 0; u < PN_GATHER_UNROLL; u++)
                    v[u] = ix[u] >= 0 ? __ldg(src + (size_t)ix[u] * dim4 + col) : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll
                for (int u = 0; u < PN_GATHER_UNROLL; u++) {
                    if (ix[u] < 0) continue;
                    if (MAXMODE) {
                        int j = j0 + t + u;
                        pn_max_step(w[u] * v[u].x, j, &acc[c].x, &arg[c].x);
                        pn_max_step(w[u] * v[u].y, j, &acc[c].y, &arg[c].y);
                        pn_max_step(w[u] * v[u].z, j, &acc[c].z, &arg[c].z);
                        pn_max_step(w[u] * v[u].w, j, &acc[c].w, &arg[c].w);
                    } else {
                        acc[c].x += w[u] * v[u].x;
                        acc[c].y += w[u] * v[u].y;
                        acc[c].z += w[u] * v[u].z;
                        acc[c].w += w[u] * v[u].w;
                    }
                }
            }
        }
    }
#pragma unroll
    for (int c = 0; c < CH; c++) {
        int col = base + lane + c * PN_WARP;
        if (col < dim4) {
            out[(size_t)row * dim4 + col] = acc[c]; /* max mode: empty rows keep the zero init */
            if (MAXMODE) argmax[(size_t)row * dim4 + col] = arg[c];
        }
    }
}

/* Any dim and alignment: one thread per output element, slots walked in order. */
__global__ void pn_gather_fwd_scalar(int mode, const float *__restrict__ src, int dim, const int *__restrict__ idx,
                                     const float *__restrict__ alpha, const int *__restrict__ counts, int rows,
                                     int T, float *__restrict__ out, int *__restrict__ argmax) {
    size_t total = (size_t)rows * dim;
    for (size_t e = blockIdx.x * (size_t)blockDim.x + threadIdx.x; e < total; e += (size_t)gridDim.x * blockDim.x) {
        int row = (int)(e / dim), d = (int)(e % dim);
        float alpha_sum = 0.0f;
        if (mode == PN_AGG_WEIGHTED_MEAN)
            for (int j = 0; j < T; j++) {
                size_t slot = (size_t)row * T + j;
                if (pn_slot_valid(counts, row, j, idx[slot])) alpha_sum += pn_slot_alpha(alpha, slot);
            }
        float acc = 0.0f;
        int best_j = -1;
        for (int j = 0; j < T; j++) {
            size_t slot = (size_t)row * T + j;
            int ix = idx[slot];
            if (!pn_slot_valid(counts, row, j, ix)) continue;
            float a = pn_slot_alpha(alpha, slot), v = src[(size_t)ix * dim + d];
            if (mode == PN_AGG_MAX) pn_max_step(a * v, j, &acc, &best_j);
            else acc += pn_agg_weight(mode, a, alpha_sum) * v;
        }
        out[e] = mode == PN_AGG_MAX && best_j < 0 ? 0.0f : acc;
        if (mode == PN_AGG_MAX) argmax[e] = best_j;
    }
}

/* One thread per (row, column): scatter-add of the row's gradient into every contributing src row. */
__global__ void pn_gather_bwd_kernel(int mode, const float *__restrict__ d_out, int dim, const int *__restrict__ idx,
                                     const float *__restrict__ alpha, const int *__restrict__ counts,
                                     const int *__restrict__ argmax, int rows, int T, float *d_src) {
    size_t total = (size_t)rows * dim;
    for (size_t e = blockIdx.x * (size_t)blockDim.x + threadIdx.x; e < total; e += (size_t)gridDim.x * blockDim.x) {
        int row = (int)(e / dim), d = (int)(e % dim);
        float g = d_out[e];
        if (mode == PN_AGG_MAX) {
            int j = argmax[e];
            if (j >= 0) {
                size_t slot = (size_t)row * T + j;
                atomicAdd(&d_src[(size_t)idx[slot] * dim + d], pn_slot_alpha(alpha, slot) * g);
            }
            continue;
        }
        float alpha_sum = 0.0f;
        if (mode == PN_AGG_WEIGHTED_MEAN)
            for (int j = 0; j < T; j++) {
                size_t slot = (size_t)row * T + j;
                if (pn_slot_valid(counts, row, j, idx[slot])) alpha_sum += pn_slot_alpha(alpha, slot);
            }
        for (int j = 0; j < T; j++) {
            size_t slot = (size_t)row * T + j;
            int ix = idx[slot];
            if (!pn_slot_valid(counts, row, j, ix)) continue;
            atomicAdd(&d_src[(size_t)ix * dim + d], pn_agg_weight(mode, pn_slot_alpha(alpha, slot), alpha_sum) * g);
        }
    }
}

template <int CH>
static void pn_launch_gather_vec(int mode, const float *src, int dim, const int *idx, const float *alpha,
                                 const int *counts, int rows, int T, int parts, float *out, int *argmax,
                                 cudaStream_t s) {
    unsigned grid = (unsigned)(((size_t)rows * parts + PN_GATHER_WARPS - 1) / PN_GATHER_WARPS);
    if (mode == PN_AGG_MAX)
        pn_gather_fwd_vec<CH, true><<<grid, PN_GATHER_WARPS * PN_WARP, 0, s>>>(
            mode, (const float4 *)src, dim / 4, idx, alpha, counts, rows, T, parts, (float4 *)out, (int4 *)argmax);
    else
        pn_gather_fwd_vec<CH, false><<<grid, PN_GATHER_WARPS * PN_WARP, 0, s>>>(
            mode, (const float4 *)src, dim / 4, idx, alpha, counts, rows, T, parts, (float4 *)out, (int4 *)argmax);
}

static int pn_current_device_attr(cudaDeviceAttr attr);

static int pn_aligned16(const void *p) { return ((size_t)p & 15u) == 0; }

extern "C" int pn_gather_aggregate_fwd(int mode, const float *src, int src_rows, int dim, const int *idx,
                                       const float *alpha, const int *counts, int rows, int T, float *out,
                                       int *argmax, pn_stream stream) {
    int st = pn_check_gather(mode, src, src_rows, dim, idx, rows, T, out, argmax);
    if (st != PN_OK || rows == 0) return st;
    cudaStream_t s = pn_s(stream);
    int vec = dim % 4 == 0 && dim <= 1024 && pn_aligned16(src) && pn_aligned16(out) &&
              (mode != PN_AGG_MAX || pn_aligned16(argmax));
    if (!vec) {
        pn_gather_fwd_scalar<<<pn_blocks((size_t)rows * dim, 256), 256, 0, s>>>(mode, src, dim, idx, alpha, counts,
                                                                              rows, T, out, argmax);
    } else if ((size_t)rows < 16u * (size_t)pn_current_device_attr(cudaDevAttrMultiProcessorCount)) {
        /* too few rows to fill the GPU one warp per row: one warp per 128 columns instead */
        pn_launch_gather_vec<1>(mode, src, dim, idx, alpha, counts, rows, T, (dim / 4 + 31) / 32, out, argmax, s);
    } else if (dim <= 128) {
        pn_launch_gather_vec<1>(mode, src, dim, idx, alpha, counts, rows, T, 1, out, argmax, s);
    } else if (dim <= 256) {
        pn_launch_gather_vec<2>(mode, src, dim, idx, alpha, counts, rows, T, 1, out, argmax, s);
    } else if (dim <= 512) {
        pn_launch_gather_vec<4>(mode, src, dim, idx, alpha, counts, rows, T, 1, out, argmax, s);
    } else {
        pn_launch_gather_vec<8>(mode, src, dim, idx, alpha, counts, rows, T, 1, out, argmax, s);
    }
    return pn_launched("pn_gather_aggregate_fwd");
}

extern "C" int pn_gather_aggregate_bwd(int mode, const float *d_out, int src_rows, int dim, const int *idx,
                                       const float *alpha, const int *counts, const int *argmax, int rows, int T,
                                       float *d_src, pn_stream stream) {
    int st = pn_check_gather(mode, d_src, src_rows, dim, idx, rows, T, d_out, argmax);
    if (st != PN_OK || rows == 0) return st;
    pn_gather_bwd_kernel<<<pn_blocks((size_t)rows * dim, 256), 256, 0, pn_s(stream)>>>(mode, d_out, dim, idx, alpha,
                                                                                      counts, argmax, rows, T, d_src);
    return pn_launched("pn_gather_aggregate_bwd");
}

/* ------------------------------------------------------------------ bias + ReLU */

__global__ void pn_bias_relu_fwd_kernel(const float *x, const float *__restrict__ bias, int rows, int cols, float *y) {
    size_t total = (size_t)rows * cols;
    for (size_t e = blockIdx.x * (size_t)blockDim.x + threadIdx.x; e < total; e += (size_t)gridDim.x * blockDim.x)
        y[e] = pn_bias_relu(x[e], bias == NULL ? 0.0f : bias[e % cols]);
}

__global__ void pn_relu_bwd_kernel(const float *y, const float *dy, size_t total, float *dx) {
    for (size_t e = blockIdx.x * (size_t)blockDim.x + threadIdx.x; e < total; e += (size_t)gridDim.x * blockDim.x)
        dx[e] = pn_relu_grad(y[e], dy[e]);
}

/* Column sums: a 32 x 8 block covers 32 columns, its 8 thread rows stride down the matrix (deterministic). */
__global__ void pn_column_sum_kernel(const float *__restrict__ x, int rows, int cols, float *__restrict__ out) {
    __shared__ float part[8][33];
    int col = blockIdx.x * 32 + threadIdx.x;
    float s = 0.0f;
    if (col < cols)
        for (int r = threadIdx.y; r < rows; r += 8) s += x[(size_t)r * cols + col];
    part[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && col < cols) {
        float t = 0.0f;
        for (int i = 0; i < 8; i++) t += part[i][threadIdx.x];
        out[col] = t;
    }
}

extern "C" int pn_bias_relu_fwd(const float *x, const float *bias, int rows, int cols, float *y, pn_stream stream) {
    int st = pn_check_matrix("bias_relu_fwd", x, y, rows, cols);
    if (st != PN_OK || rows == 0) return st;
    pn_bias_relu_fwd_kernel<<<pn_blocks((size_t)rows * cols, 256), 256, 0, pn_s(stream)>>>(x, bias, rows, cols, y);
    return pn_launched("pn_bias_relu_fwd");
}

extern "C" int pn_bias_relu_bwd(const float *y, const float *dy, int rows, int cols, float *dx, float *d_bias,
                                pn_stream stream) {
    int st = pn_check_matrix("bias_relu_bwd", y, dy, rows, cols);
    if (st != PN_OK) return st;
    if (dx == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "bias_relu_bwd: NULL dx");
    cudaStream_t s = pn_s(stream);
    if (rows > 0) pn_relu_bwd_kernel<<<pn_blocks((size_t)rows * cols, 256), 256, 0, s>>>(y, dy, (size_t)rows * cols, dx);
    if (d_bias != NULL) pn_column_sum_kernel<<<(cols + 31) / 32, dim3(32, 8), 0, s>>>(dx, rows, cols, d_bias);
    return pn_launched("pn_bias_relu_bwd");
}

/* ------------------------------------------------------------------ L2 normalisation (one warp per row) */

__global__ void pn_l2_fwd_kernel(const float *x, int rows, int cols, float eps, float *y, float *inv_norm) {
    int lane = threadIdx.x & 31, row = blockIdx.x * (blockDim.x / 32) + (threadIdx.x >> 5);
    if (row >= rows) return;
    const float *xr = x + (size_t)row * cols;
    float ss = 0.0f;
    for (int c = lane; c < cols; c += 32) ss += xr[c] * xr[c];
    float inv = pn_inv_norm(pn_warp_sum(ss), eps);
    for (int c = lane; c < cols; c += 32) y[(size_t)row * cols + c] = xr[c] * inv;
    if (lane == 0) inv_norm[row] = inv;
}

__global__ void pn_l2_bwd_kernel(const float *y, const float *dy, const float *inv_norm, int rows, int cols,
                                 float *dx) {
    int lane = threadIdx.x & 31, row = blockIdx.x * (blockDim.x / 32) + (threadIdx.x >> 5);
    if (row >= rows) return;
    size_t base = (size_t)row * cols;
    float dot = 0.0f;
    for (int c = lane; c < cols; c += 32) dot += dy[base + c] * y[base + c];
    dot = pn_warp_sum(dot);
    float inv = inv_norm[row];
    for (int c = lane; c < cols; c += 32) dx[base + c] = pn_l2_grad(y[base + c], dy[base + c], dot, inv);
}

extern "C" int pn_l2_normalize_fwd(const float *x, int rows, int cols, float eps, float *y, float *inv_norm,
                                   pn_stream stream) {
    int st = pn_check_matrix("l2_normalize_fwd", x, y, rows, cols);
    if (st != PN_OK) return st;
    if (inv_norm == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "l2_normalize_fwd: NULL inv_norm");
    if (rows == 0) return PN_OK;
    pn_l2_fwd_kernel<<<(rows + 7) / 8, 256, 0, pn_s(stream)>>>(x, rows, cols, eps, y, inv_norm);
    return pn_launched("pn_l2_normalize_fwd");
}

extern "C" int pn_l2_normalize_bwd(const float *y, const float *dy, const float *inv_norm, int rows, int cols,
                                   float *dx, pn_stream stream) {
    int st = pn_check_matrix("l2_normalize_bwd", y, dy, rows, cols);
    if (st != PN_OK) return st;
    if (inv_norm == NULL || dx == NULL) return pn_fail(PN_ERR_INVALID_ARGUMENT, "l2_normalize_bwd: NULL pointer");
    if (rows == 0) return PN_OK;
    pn_l2_bwd_kernel<<<(rows + 7) / 8, 256, 0, pn_s(stream)>>>(y, dy, inv_norm, rows, cols, dx);
    return pn_launched("pn_l2_normalize_bwd");
}

/* ------------------------------------------------------------------ sampled ranking loss (one block per query) */

#define PN_LOSS_THREADS 256

/* Lane 0 receives the warp's sum; the order of the additions is fixed, so the result is run-to-run stable. */
__device__ __forceinline__ double pn_warp_sum_down(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ int pn_warp_count_down(int v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float pn_warp_nan_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = pn_nan_max(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

/*
 * Column i (the positive) is read by every thread first and written only by thread 0 after the block's last
 * barrier; every other column belongs to one thread (col = tid + k * blockDim) in every pass.
 */
__global__ void __launch_bounds__(PN_LOSS_THREADS)
    pn_sampled_loss_kernel(int kind, float margin, float inv_t, int first, int B, int S, int H,
                           const int *__restrict__ hard_rows, float grad_scale, float *scores, float *row_loss) {
    __shared__ double part[PN_LOSS_THREADS / 32];
    __shared__ float part_max[PN_LOSS_THREADS / 32];
    __shared__ int part_count[PN_LOSS_THREADS / 32];
    const int warps = PN_LOSS_THREADS / 32;
    int i = blockIdx.x, tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    int C = B + S + B * H;
    float *g = scores + (size_t)i * C;
    int n = pn_rank_negative_count(i, B, S, H, first, hard_rows);
    if (n == 0) {
        for (int col = tid; col < C; col += PN_LOSS_THREADS) g[col] = 0.0f;
        if (tid == 0) row_loss[i] = 0.0f;
        return;
    }
    if (kind == PN_LOSS_MARGIN) {
        float pos = g[i], w = 1.0f / (float)n;
        double loss = 0.0;
        int active = 0;
        for (int col = tid; col < C; col += PN_LOSS_THREADS)
            pn_rank_margin_column(g, col, i, B, S, H, first, hard_rows, pos, margin, w * grad_scale, &loss, &active);
        loss = pn_warp_sum_down(loss);
        active = pn_warp_count_down(active);
        if (lane == 0) {
            part[warp] = loss;
            part_count[warp] = active;
        }
        __syncthreads();
        if (tid == 0) {
            double total = 0.0;
            int count = 0;
            for (int k = 0; k < warps; k++) {
                total += part[k];
                count += part_count[k];
            }
            g[i] = -(float)count * w * grad_scale;
            row_loss[i] = (float)(total * w);
        }
        return;
    }
    float pos_s = g[i] * inv_t, mx = pos_s;
    for (int col = tid; col < C; col += PN_LOSS_THREADS)
        if (pn_rank_is_negative(col, i, B, S, H, first, hard_rows)) mx = pn_nan_max(mx, g[col] * inv_t);
    mx = pn_warp_nan_max(mx);
    if (lane == 0) part_max[warp] = mx;
    __syncthreads();
    mx = part_max[0];
    for (int k = 1; k < warps; k++) mx = pn_nan_max(mx, part_max[k]);
    double pos = (double)pos_s, sum = 0.0;
    for (int col = tid; col < C; col += PN_LOSS_THREADS)
        pn_rank_softmax_column(g, col, i, B, S, H, first, hard_rows, inv_t, mx, &sum);
    sum = pn_warp_sum_down(sum);
    if (lane == 0) part[warp] = sum;
    __syncthreads();
    double e_pos = exp(pos - mx), total = e_pos;
    for (int k = 0; k < warps; k++) total += part[k];
    double scale = inv_t / total;
    for (int col = tid; col < C; col += PN_LOSS_THREADS)
        if (pn_rank_is_negative(col, i, B, S, H, first, hard_rows)) g[col] = (float)(g[col] * scale) * grad_scale;
    if (tid == 0) {
        g[i] = (float)((e_pos / total - 1.0) * inv_t) * grad_scale;
        row_loss[i] = (float)(mx + log(total) - pos);
    }
}

extern "C" int pn_sampled_loss_rows(int kind, float margin, float temperature, int in_batch, int B, int S, int H,
                                    const int *hard_rows, float grad_scale, float *scores, float *row_loss,
                                    pn_stream stream) {
    int st = pn_check_sampled_loss(kind, temperature, B, S, H, hard_rows, scores, row_loss);
    if (st != PN_OK) return st;
    if (B == 0) return PN_OK;
    pn_sampled_loss_kernel<<<B, PN_LOSS_THREADS, 0, pn_s(stream)>>>(kind, margin, 1.0f / temperature,
                                                                    in_batch ? 0 : B, B, S, H, hard_rows,
                                                                    grad_scale, scores, row_loss);
    return pn_launched("pn_sampled_loss_rows");
}

/* ------------------------------------------------------------------ Adam */

__global__ void pn_adam_kernel(float *p, float *m, float *v, const float *g, size_t n, float lr, float b1, float b2,
                               float eps, float wd, float bc1, float bc2) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        pn_adam_step(&p[i], &m[i], &v[i], g[i], lr, b1, b2, eps, wd, bc1, bc2);
}

extern "C" int pn_adam_update(float *param, float *m, float *v, const float *grad, size_t n, float lr, float beta1,
                              float beta2, float eps, float weight_decay, int t, pn_stream stream) {
    if (t < 1 || param == NULL || m == NULL || v == NULL || grad == NULL)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "adam_update: t=%d (need >= 1) or NULL buffer", t);
    if (n == 0) return PN_OK;
    /* host powf, as in the reference, so both sides use identical bias corrections */
    float bc1 = 1.0f - powf(beta1, (float)t), bc2 = 1.0f - powf(beta2, (float)t);
    pn_adam_kernel<<<pn_blocks(n, 256), 256, 0, pn_s(stream)>>>(param, m, v, grad, n, lr, beta1, beta2, eps,
                                                              weight_decay, bc1, bc2);
    return pn_launched("pn_adam_update");
}

/* ------------------------------------------------------------------ SGEMM */

#define PN_GEMM_BK 8

/*
 * Tile staging shared by both SGEMM kernels. op(B)[k][c] sits where op'(B)[c][k] with the transpose flag
 * flipped does, so B tiles are loaded as "rows" of columns with !trans_b and one loader serves A and B.
 * Element e of a ROWS x BK tile maps so that consecutive threads read consecutive addresses.
 */
template <int ROWS, int BK>
__device__ __forceinline__ void pn_tile_coord(int trans, int e, int *r, int *k) {
    *r = trans ? e % ROWS : e / BK;
    *k = trans ? e / ROWS : e % BK;
}

/* This thread's LOADS elements of the tile rows row0.., k0.. of op(X); outside the matrix reads as zero. */
template <int ROWS, int BK, int LOADS>
__device__ __forceinline__ void pn_fetch_tile(const float *__restrict__ X, int trans, int ld, int nrows, int K,
                                              int row0, int k0, float (&regs)[LOADS]) {
#pragma unroll
    for (int l = 0; l < LOADS; l++) {
        int r, k;
        pn_tile_coord<ROWS, BK>(trans, threadIdx.x + l * 256, &r, &k);
        regs[l] = row0 + r < nrows && k0 + k < K ? X[pn_op_offset(trans, row0 + r, k0 + k, ld)] : 0.0f;
    }
}

/* Writes fetched elements to shared memory at dst[r * row_stride + k * k_stride], tf32-rounded if asked. */
template <int ROWS, int BK, int LOADS, bool TF32>
__device__ __forceinline__ void pn_stash_tile(int trans, const float (&regs)[LOADS], float *dst, int row_stride,
                                              int k_stride) {
#pragma unroll
    for (int l = 0; l < LOADS; l++) {
        int r, k;
        pn_tile_coord<ROWS, BK>(trans, threadIdx.x + l * 256, &r, &k);
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
        dst[r * row_stride + k * k_stride] = TF32 ? nvcuda::wmma::__float_to_tf32(regs[l]) : regs[l];
#else
        dst[r * row_stride + k * k_stride] = regs[l];
#endif
    }
}

/*
 * FP32 SGEMM: BM x BM block tile (BM = 16 TM: 128, 64 or 32), 16 x 16 threads, each computing TM x TM
 * outputs split in two halves
 * (rows ty*TM/2.. and BM/2 + ty*TM/2..) so neighbouring threads read neighbouring shared-memory words.
 * The next k-tile is fetched into registers while the current one is multiplied (latency hiding).
 * Split-K: block z multiplies only k in [z * kchunk, (z + 1) * kchunk) and, when partial is not NULL, stores its
 * raw sums in the z-th M x N slice of partial for pn_splitk_reduce_kernel (alpha and beta are applied there).
 */
template <int TM>
__global__ void __launch_bounds__(256)
    pn_sgemm_fp32_kernel(int ta, int tb, int M, int N, int K, float alpha, const float *__restrict__ A, int lda,
                         const float *__restrict__ B, int ldb, float beta, float *C, int ldc, int kchunk,
                         float *__restrict__ partial) {
    constexpr int BM = TM * 16, HALF = TM / 2, LOADS = BM * PN_GEMM_BK / 256;
    /* +4 padding: the transposing stash of a k-contiguous operand would otherwise hit one bank 8 times */
    constexpr int LDS = BM + 4;
    __shared__ __align__(16) float As[PN_GEMM_BK][LDS];
    __shared__ __align__(16) float Bs[PN_GEMM_BK][LDS];
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    int row0 = blockIdx.y * BM, col0 = blockIdx.x * BM;
    float acc[TM][TM];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TM; j++) acc[i][j] = 0.0f;
    float ra[LOADS], rb[LOADS];
    int kbeg = blockIdx.z * kchunk, kend = min(K, kbeg + kchunk);
    auto fetch = [&](int k0) {
        pn_fetch_tile<BM, PN_GEMM_BK, LOADS>(A, ta, lda, M, kend, row0, k0, ra);
        pn_fetch_tile<BM, PN_GEMM_BK, LOADS>(B, !tb, ldb, N, kend, col0, k0, rb);
    };
    auto stash = [&]() {
        pn_stash_tile<BM, PN_GEMM_BK, LOADS, false>(ta, ra, &As[0][0], 1, LDS);
        pn_stash_tile<BM, PN_GEMM_BK, LOADS, false>(!tb, rb, &Bs[0][0], 1, LDS);
    };
    fetch(kbeg);
    for (int k0 = kbeg; k0 < kend; k0 += PN_GEMM_BK) {
        stash();
        __syncthreads();
        if (k0 + PN_GEMM_BK < kend) fetch(k0 + PN_GEMM_BK);
#pragma unroll
        for (int kk = 0; kk < PN_GEMM_BK; kk++) {
            float a[TM], b[TM];
#pragma unroll
            for (int i = 0; i < HALF; i++) {
                a[i] = As[kk][ty * HALF + i];
                a[HALF + i] = As[kk][BM / 2 + ty * HALF + i];
                b[i] = Bs[kk][tx * HALF + i];
                b[HALF + i] = Bs[kk][BM / 2 + tx * HALF + i];
            }
#pragma unroll
            for (int i = 0; i < TM; i++)
#pragma unroll
                for (int j = 0; j < TM; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; i++) {
        int r = row0 + (i < HALF ? ty * HALF + i : BM / 2 + ty * HALF + i - HALF);
        if (r >= M) continue;
#pragma unroll
        for (int j = 0; j < TM; j++) {
            int c = col0 + (j < HALF ? tx * HALF + j : BM / 2 + tx * HALF + j - HALF);
            if (c >= N) continue;
            if (partial != NULL) {
                partial[((size_t)blockIdx.z * M + r) * N + c] = acc[i][j];
            } else {
                float *p = &C[(size_t)r * ldc + c];
                *p = pn_gemm_epilogue(acc[i][j], alpha, beta, beta == 0.0f ? 0.0f : *p);
            }
        }
    }
}

/* C = alpha * (sum of the splits' M x N slices, in split order) + beta * C: the second half of a split-K SGEMM. */
__global__ void pn_splitk_reduce_kernel(int M, int N, int splits, const float *__restrict__ partial, float alpha,
                                        float beta, float *C, int ldc) {
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x, mn = (size_t)M * N;
    if (i >= mn) return;
    float sum = 0.0f;
    for (int z = 0; z < splits; z++) sum += partial[z * mn + i];
    float *p = &C[(i / N) * (size_t)ldc + i % N];
    *p = pn_gemm_epilogue(sum, alpha, beta, beta == 0.0f ? 0.0f : *p);
}

/*
 * Split-K for outputs too small to fill the GPU (fewer 32 x 32 tiles than SMs) with a long K, such as weight
 * gradients X^T dY: K is cut into chunks so that about two blocks per SM run, partial sums go to a stream-ordered
 * workspace, and one reduction applies alpha and beta, so the result does not depend on scheduling. Returns 0 when
 * the shape does not call for it or the workspace cannot be had (the caller then runs the plain kernel).
 */
static int pn_sgemm_split_k(int ta, int tb, int m, int n, int k, float alpha, const float *A, int lda, const float *B,
                            int ldb, float beta, float *C, int ldc, size_t sms, cudaStream_t s) {
    size_t tiles = (size_t)((m + 31) / 32) * ((n + 31) / 32);
    if (tiles >= sms || k < 1024) return 0;
    int splits = (int)((2 * sms + tiles - 1) / tiles);
    if (splits > k / 256) splits = k / 256;
    if (splits > 64) splits = 64;
    if (splits < 2) return 0;
    int kchunk = (k + splits - 1) / splits;
    kchunk = (kchunk + PN_GEMM_BK - 1) / PN_GEMM_BK * PN_GEMM_BK;
    splits = (k + kchunk - 1) / kchunk;
    float *partial = NULL;
    if (cudaMallocAsync((void **)&partial, (size_t)splits * m * n * sizeof(float), s) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    pn_sgemm_fp32_kernel<2><<<dim3((n + 31) / 32, (m + 31) / 32, splits), 256, 0, s>>>(
        ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, kchunk, partial);
    size_t mn = (size_t)m * n;
    pn_splitk_reduce_kernel<<<(unsigned)((mn + 255) / 256), 256, 0, s>>>(m, n, splits, partial, alpha, beta, C, ldc);
    cudaFreeAsync(partial, s);
    return 1;
}

#define PN_TC_BK 16
#define PN_TC_PAD 4

/*
 * TF32 tensor-core SGEMM (sm_80+): BM x BN block tile, 8 warps as 2 x 4, each warp a (BM/2) x (BN/4) tile of
 * 16 x 16 x 8 WMMA fragments with fp32 accumulation. Operands are staged through padded shared memory (the
 * padding breaks bank conflicts); the epilogue goes through shared memory to apply alpha, beta and bounds.
 */
template <int BM, int BN>
__global__ void __launch_bounds__(256)
    pn_sgemm_tf32_kernel(int ta, int tb, int M, int N, int K, float alpha, const float *__restrict__ A, int lda,
                         const float *__restrict__ B, int ldb, float beta, float *C, int ldc) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    using namespace nvcuda;
    constexpr int WM = BM / 2, WN = BN / 4, FM = WM / 16, FN = WN / 16;
    constexpr int LA = BM * PN_TC_BK / 256, LB = PN_TC_BK * BN / 256;
    constexpr int LDA_S = PN_TC_BK + PN_TC_PAD, LDB_S = BN + PN_TC_PAD;
    __shared__ __align__(128) float As[BM * LDA_S];
    __shared__ __align__(128) float Bs[PN_TC_BK * LDB_S];
    int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, wm = warp / 4, wn = warp % 4;
    int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[FM][FN];
#pragma unroll
    for (int i = 0; i < FM; i++)
#pragma unroll
        for (int j = 0; j < FN; j++) wmma::fill_fragment(acc[i][j], 0.0f);
    float ra[LA], rb[LB];
    auto fetch = [&](int k0) {
        pn_fetch_tile<BM, PN_TC_BK, LA>(A, ta, lda, M, K, row0, k0, ra);
        pn_fetch_tile<BN, PN_TC_BK, LB>(B, !tb, ldb, N, K, col0, k0, rb);
    };
    auto stash = [&]() {
        pn_stash_tile<BM, PN_TC_BK, LA, true>(ta, ra, As, LDA_S, 1);
        pn_stash_tile<BN, PN_TC_BK, LB, true>(!tb, rb, Bs, 1, LDB_S);
    };
    fetch(0);
    for (int k0 = 0; k0 < K; k0 += PN_TC_BK) {
        stash();
        __syncthreads();
        if (k0 + PN_TC_BK < K) fetch(k0 + PN_TC_BK);
#pragma unroll
        for (int kk = 0; kk < PN_TC_BK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fa[FM];
            wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fb[FN];
#pragma unroll
            for (int i = 0; i < FM; i++) wmma::load_matrix_sync(fa[i], As + (wm * WM + i * 16) * LDA_S + kk, LDA_S);
#pragma unroll
            for (int j = 0; j < FN; j++) wmma::load_matrix_sync(fb[j], Bs + kk * LDB_S + wn * WN + j * 16, LDB_S);
#pragma unroll
            for (int i = 0; i < FM; i++)
#pragma unroll
                for (int j = 0; j < FN; j++) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
        }
        __syncthreads();
    }
    float *stage = As + warp * 256; /* 8 warps x 16 x 16 fits in As */
#pragma unroll
    for (int i = 0; i < FM; i++)
#pragma unroll
        for (int j = 0; j < FN; j++) {
            wmma::store_matrix_sync(stage, acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
            for (int e = lane; e < 256; e += 32) {
                int r = row0 + wm * WM + i * 16 + e / 16, c = col0 + wn * WN + j * 16 + e % 16;
                if (r < M && c < N) {
                    float *p = &C[(size_t)r * ldc + c];
                    *p = pn_gemm_epilogue(stage[e], alpha, beta, beta == 0.0f ? 0.0f : *p);
                }
            }
            __syncwarp();
        }
#endif
}

static int pn_current_device_attr(cudaDeviceAttr attr) {
    int dev = 0, v = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaDeviceGetAttribute(&v, attr, dev) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return v;
}

/* Launches one product of at most PN_SGEMM_SLAB_ROWS rows (checked arguments, m, n > 0). */
static void pn_sgemm_launch(int ta, int tb, int m, int n, int k, float alpha, const float *A, int lda, const float *B,
                            int ldb, float beta, float *C, int ldc, int precision, size_t sms, cudaStream_t s) {
    /* the largest tile that still gives every SM a block: bigger tiles reuse more, but idle SMs cost more */
    int big = (size_t)((m + 127) / 128) * ((n + 127) / 128) >= sms;
    int mid = (size_t)((m + 63) / 64) * ((n + 63) / 64) >= sms;
    if (precision == PN_GEMM_TF32 && pn_current_device_attr(cudaDevAttrComputeCapabilityMajor) >= 8) {
        if (big)
            pn_sgemm_tf32_kernel<128, 128><<<dim3((n + 127) / 128, (m + 127) / 128), 256, 0, s>>>(
                ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        else
            pn_sgemm_tf32_kernel<64, 64><<<dim3((n + 63) / 64, (m + 63) / 64), 256, 0, s>>>(
                ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    } else if (big) {
        pn_sgemm_fp32_kernel<8><<<dim3((n + 127) / 128, (m + 127) / 128), 256, 0, s>>>(ta, tb, m, n, k, alpha, A, lda,
                                                                                       B, ldb, beta, C, ldc, k, NULL);
    } else if (mid) {
        pn_sgemm_fp32_kernel<4><<<dim3((n + 63) / 64, (m + 63) / 64), 256, 0, s>>>(ta, tb, m, n, k, alpha, A, lda, B,
                                                                                   ldb, beta, C, ldc, k, NULL);
    } else if (!pn_sgemm_split_k(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, sms, s)) {
        pn_sgemm_fp32_kernel<2><<<dim3((n + 31) / 32, (m + 31) / 32), 256, 0, s>>>(ta, tb, m, n, k, alpha, A, lda, B,
                                                                                   ldb, beta, C, ldc, k, NULL);
    }
}

/*
 * Row tiles sit on the grid's y dimension, at most 65535 blocks, so a taller product runs as slabs of rows, each a
 * launch of its own on the same stream: 2,097,088 rows, within the limit for every tile height (32 to 128).
 */
#define PN_SGEMM_SLAB_ROWS (32767 * 64)

extern "C" int pn_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A, int lda,
                        const float *B, int ldb, float beta, float *C, int ldc, int precision, pn_stream stream) {
    int st = pn_check_gemm(m, n, k, A, lda, B, ldb, C, ldc, trans_a, trans_b);
    if (st != PN_OK) return st;
    if (precision != PN_GEMM_FP32 && precision != PN_GEMM_TF32)
        return pn_fail(PN_ERR_INVALID_ARGUMENT, "sgemm: precision=%d, expected 0 (FP32) or 1 (TF32)", precision);
    if (m == 0 || n == 0) return PN_OK;
    cudaStream_t s = pn_s(stream);
    int ta = trans_a != 0, tb = trans_b != 0;
    size_t sms = (size_t)pn_current_device_attr(cudaDevAttrMultiProcessorCount);
    if (sms == 0) sms = 1;
    for (long long m0 = 0; m0 < m; m0 += PN_SGEMM_SLAB_ROWS) {
        int rows = (int)(m - m0 < PN_SGEMM_SLAB_ROWS ? m - m0 : PN_SGEMM_SLAB_ROWS);
        /* row m0 of op(A): row m0 of A, or column m0 when A is stored transposed (k x m) */
        const float *a = ta ? A + m0 : A + (size_t)m0 * lda;
        pn_sgemm_launch(ta, tb, rows, n, k, alpha, a, lda, B, ldb, beta, C + (size_t)m0 * ldc, ldc, precision, sms, s);
        st = pn_launched("pn_sgemm");
        if (st != PN_OK) return st;
    }
    return PN_OK;
}

/* ------------------------------------------------------------------ optional cuBLAS (dlopen) */

typedef int (*pn_cublas_create_fn)(void **);
typedef int (*pn_cublas_set_stream_fn)(void *, cudaStream_t);
typedef int (*pn_cublas_set_math_fn)(void *, int);
typedef int (*pn_cublas_sgemm_fn)(void *, int, int, int, int, int, const float *, const float *, int, const float *,
                                  int, const float *, float *, int);

#define PN_MAX_DEVICES 64

static pthread_mutex_t pn_cublas_lock = PTHREAD_MUTEX_INITIALIZER;
static int pn_cublas_state; /* 0 untried, 1 loaded, -1 absent */
static pn_cublas_create_fn pn_cublas_create;
static pn_cublas_set_stream_fn pn_cublas_set_stream;
static pn_cublas_set_math_fn pn_cublas_set_math;
static pn_cublas_sgemm_fn pn_cublas_gemm;
static void *pn_cublas_handles[PN_MAX_DEVICES];
static char pn_cublas_why[256];

/* Caller holds pn_cublas_lock. */
static int pn_cublas_load(void) {
    if (pn_cublas_state != 0) return pn_cublas_state;
    const char *names[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"};
    void *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && lib == NULL; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(pn_cublas_why, sizeof pn_cublas_why, "dlopen(libcublas.so*) failed: %s", dlerror());
        return pn_cublas_state = -1;
    }
    pn_cublas_create = (pn_cublas_create_fn)dlsym(lib, "cublasCreate_v2");
    pn_cublas_set_stream = (pn_cublas_set_stream_fn)dlsym(lib, "cublasSetStream_v2");
    pn_cublas_set_math = (pn_cublas_set_math_fn)dlsym(lib, "cublasSetMathMode");
    pn_cublas_gemm = (pn_cublas_sgemm_fn)dlsym(lib, "cublasSgemm_v2");
    if (!pn_cublas_create || !pn_cublas_set_stream || !pn_cublas_set_math || !pn_cublas_gemm) {
        snprintf(pn_cublas_why, sizeof pn_cublas_why, "libcublas lacks cublasCreate_v2/SetStream_v2/SetMathMode/Sgemm_v2");
        return pn_cublas_state = -1;
    }
    return pn_cublas_state = 1;
}

extern "C" int pn_cublas_available(void) {
    pthread_mutex_lock(&pn_cublas_lock);
    int ok = pn_cublas_load() == 1;
    pthread_mutex_unlock(&pn_cublas_lock);
    return ok;
}

extern "C" int pn_cublas_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *A, int lda,
                               const float *B, int ldb, float beta, float *C, int ldc, int precision,
                               pn_stream stream) {
    int st = pn_check_gemm(m, n, k, A, lda, B, ldb, C, ldc, trans_a, trans_b);
    if (st != PN_OK) return st;
    int dev = 0;
    st = pn_cuda(cudaGetDevice(&dev), "cudaGetDevice");
    if (st != PN_OK) return st;
    if (dev < 0 || dev >= PN_MAX_DEVICES) return pn_fail(PN_ERR_UNSUPPORTED, "cublas: device %d beyond %d", dev, PN_MAX_DEVICES);
    pthread_mutex_lock(&pn_cublas_lock);
    if (pn_cublas_load() != 1) {
        st = pn_fail(PN_ERR_UNAVAILABLE, "%s", pn_cublas_why);
    } else if (pn_cublas_handles[dev] == NULL && pn_cublas_create(&pn_cublas_handles[dev]) != 0) {
        pn_cublas_handles[dev] = NULL;
        st = pn_fail(PN_ERR_UNAVAILABLE, "cublasCreate failed on device %d", dev);
    } else {
        void *h = pn_cublas_handles[dev];
        /* 0 = CUBLAS_DEFAULT_MATH, 3 = CUBLAS_TF32_TENSOR_OP_MATH; ops 0 = N, 1 = T */
        int rc = pn_cublas_set_stream(h, pn_s(stream));
        if (rc == 0) rc = pn_cublas_set_math(h, precision == PN_GEMM_TF32 ? 3 : 0);
        /* row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands */
        if (rc == 0 && m > 0 && n > 0)
            rc = pn_cublas_gemm(h, trans_b ? 1 : 0, trans_a ? 1 : 0, n, m, k, &alpha, B, ldb, A, lda, &beta, C, ldc);
        st = rc == 0 ? PN_OK : pn_fail(PN_ERR_CUDA, "cublas call failed with status %d", rc);
    }
    pthread_mutex_unlock(&pn_cublas_lock);
    return st;
}
