package io.pinsage.nn.backend;

import java.util.List;

import java.lang.foreign.MemorySegment;

/**
 * The compute operations PinSage needs, implemented once per device (the CPU here, CUDA in
 * {@code gpu-kernels}). Every tensor and index buffer an operation touches is allocated by the same backend.
 *
 * <h2>Execution model</h2>
 * Operations are issued in program order by one thread and <em>may run asynchronously</em> (a GPU enqueues
 * them on a stream): an operation sees the effects of every operation issued before it, but the caller may
 * observe results only through {@link #download}, {@link #allFinite} or after {@link #synchronize()}. The CPU
 * backend runs each operation to completion before returning, so its {@code synchronize()} is free.
 *
 * <h2>Threading</h2>
 * A backend and its tensors are confined to one thread at a time (the trainer); hand-offs between threads
 * need a happens-before edge (a queue). Backends may use internal worker threads.
 *
 * <h2>Data movement</h2>
 * {@link #upload(float[], int, Tensor)} copies out of the Java array before returning, so the array may be
 * reused at once. {@link #upload(MemorySegment, Tensor)} may copy asynchronously: the segment must stay
 * alive and unchanged until the next {@link #synchronize()} (a GPU backend reads pinned segments by DMA).
 * Downloads always wait for preceding operations.
 *
 * <h2>Gradient conventions</h2>
 * Backward operations <em>overwrite</em> gradients of activations ({@code dX}) and <em>accumulate</em>
 * ({@code +=}) into gradients of parameters and of gathered sources ({@code dBias}, {@code dSrc} of
 * {@link #aggregateBackward}, {@link #scatterAddRows}); the caller zeroes accumulators with {@link #fill}.
 *
 * <h2>Errors</h2>
 * Shape mismatches throw {@link IllegalArgumentException} naming every tensor as {@code name[rows x cols]}
 * ({@link BackendChecks} holds the checks every backend shares). Indices out of range are the caller's bug:
 * checked with {@code assert} (tests run with {@code -ea}), undefined otherwise.
 *
 * <h2>Aliasing</h2>
 * Outputs may alias inputs only where a method says so.
 */
public interface Backend extends AutoCloseable {

    /** A short name for logs: {@code "cpu"}, {@code "cuda:0"}. */
    String name();

    /** Allocates a zero-filled {@code rows x cols} tensor. Cost: O(rows · cols). */
    Tensor allocate(String name, int rows, int cols);

    /** Allocates a zero-filled index buffer of {@code length} ints. */
    IndexBuffer allocateIndex(String name, int length);

    /** Copies {@code dst.size()} floats from {@code src[srcOffset..]} into {@code dst}; {@code src} is free to reuse on return. */
    void upload(float[] src, int srcOffset, Tensor dst);

    /**
     * Copies {@code dst.size()} floats (native byte order) from the start of {@code src} into {@code dst}; may
     * complete asynchronously, so {@code src} must stay unchanged until {@link #synchronize()}.
     */
    void upload(MemorySegment src, Tensor dst);

    /** Copies {@code dst.length()} ints from {@code src[srcOffset..]} into {@code dst}; {@code src} is free to reuse on return. */
    void upload(int[] src, int srcOffset, IndexBuffer dst);

    /** Waits for preceding operations, then copies {@code src.size()} floats into {@code dst[dstOffset..]}. */
    void download(Tensor src, float[] dst, int dstOffset);

    /** Waits for preceding operations, then copies {@code src.length()} ints into {@code dst[dstOffset..]}. */
    void download(IndexBuffer src, int[] dst, int dstOffset);

    /** Sets every element of {@code t} to {@code value}. */
    void fill(Tensor t, float value);

    /** {@code dst = src} (same shape). */
    void copy(Tensor src, Tensor dst);

    /** {@code y += alpha · x} (same shape). */
    void axpy(float alpha, Tensor x, Tensor y);

    /**
     * {@code C = alpha · op(A) · op(B) + beta · C}, where {@code op(X)} is {@code X} or its transpose. With
     * {@code beta == 0} the old contents of {@code C} are ignored (NaN in it does not propagate). {@code C}
     * must not alias {@code A} or {@code B}. Cost: {@code 2·M·N·K} flops.
     */
    void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    /**
     * {@code out[r, j] = act(x[r, j] + bias[j])}; {@code bias} is {@code 1 x cols}. {@code out} may be {@code x}.
     */
    void biasActivation(Tensor x, Tensor bias, Activation act, Tensor out);

    /**
     * Backward of {@link #biasActivation} given its output {@code out}: {@code dX = dOut ⊙ act'(out)}
     * (overwritten; {@code dX} may be {@code dOut}) and {@code dBias += Σ_rows dX} ({@code dBias} may be null).
     */
    void biasActivationBackward(Activation act, Tensor out, Tensor dOut, Tensor dX, Tensor dBias);

    /**
     * Gather–aggregate of neighbour rows (importance pooling). Target row {@code u} of {@code out} (which has
     * {@code offsets.length() - 1} rows) reduces the rows {@code src[neighbours[e]]} for edges
     * {@code e in [offsets[u], offsets[u+1])} with weights {@code weights[e]} as {@code pooling} says.
     *
     * @param weights one α per edge, any shape with {@code neighbours.length()} elements
     * @param argMax for {@link Pooling#MAX}: receives, per element of {@code out}, the edge index that attained
     *               the maximum ({@code -1} for an empty neighbourhood), read by the backward pass; must have
     *               {@code out.size()} ints. Ignored (may be null) for the other modes.
     */
    void aggregate(Pooling pooling, Tensor src, IndexBuffer offsets, IndexBuffer neighbours, Tensor weights,
                   Tensor out, IndexBuffer argMax);

    /**
     * Backward of {@link #aggregate}: scatter-adds the contribution of {@code dOut} into {@code dSrc}
     * ({@code +=}; a source row used by several targets receives the sum). Arguments as in the forward pass.
     */
    void aggregateBackward(Pooling pooling, Tensor dOut, IndexBuffer offsets, IndexBuffer neighbours,
                           Tensor weights, IndexBuffer argMax, Tensor dSrc);

    /**
     * Row L2 normalisation {@code out[r] = x[r] / max(‖x[r]‖₂, 1e-12)}; {@code norms} ({@code rows x 1})
     * receives the clamped norms for the backward pass. {@code out} may be {@code x}.
     */
    void l2Normalize(Tensor x, Tensor out, Tensor norms);

    /**
     * Backward of {@link #l2Normalize} given its output {@code out}:
     * {@code dX[r] = (dOut[r] − out[r]·(out[r]·dOut[r])) / norms[r]}. {@code dX} may be {@code dOut}.
     */
    void l2NormalizeBackward(Tensor out, Tensor norms, Tensor dOut, Tensor dX);

    /**
     * The per-query part of a sampled ranking loss, on a matrix of scores, in place: what a training step does between
     * the GEMM that scores each query against its candidates and the GEMMs that carry the gradient back, with no
     * transfer to the host.
     *
     * <p>{@code scores} is {@code B x C}, {@code C = B + S + B·H}, columns {@code [positives (B) | shared negatives
     * (S) | hard negatives (B·H, query-major)]}. Query {@code i}'s positive is column {@code i}; its negatives are
     * the columns {@code [first, B + S)} other than {@code i} ({@code first = 0} with {@code inBatchNegatives}, else
     * {@code B}) and column {@code B + S + i·H + k} for each {@code k < H} with {@code hardRows[i·H + k] >= 0}.
     * {@link RankingLossKind#MARGIN}: {@code l_i = mean over its negatives of max(0, s_n − s_i + margin)};
     * {@link RankingLossKind#SOFTMAX}: {@code l_i = −log} of the softmax of {@code s / temperature} at the positive
     * over the positive and the negatives (in double precision).
     *
     * <p>{@code rowLoss} ({@code B x 1}) receives {@code l_i}; row {@code i} of {@code scores} is overwritten with
     * {@code gradScale · ∂l_i/∂scores} (zero in the columns that are neither its positive nor its negatives). A NaN
     * among a query's scores makes its {@code l_i} NaN; a query without negatives gets {@code 0} and a zero row.
     * Cost: {@code O(B·C)}.
     *
     * @param hardRows {@code B·H} entries, {@code -1} for a missing hard negative; may be null when {@code H == 0}
     * @throws IllegalArgumentException if the shapes disagree, or {@code temperature} is not finite and {@code > 0}
     *                                  for the softmax
     */
    void rankingLossRows(RankingLossKind kind, float margin, float temperature, boolean inBatchNegatives,
                         int sharedNegatives, IndexBuffer hardRows, int hardPerQuery, float gradScale, Tensor scores,
                         Tensor rowLoss);

    /**
     * A hint that {@link #aggregate} and {@link #aggregateBackward} will soon run on this CSR pair, given while the
     * device is still busy with earlier work: a backend that recasts neighbourhoods for its kernels (the CUDA
     * backend's padded layout) may do it now instead of on the first aggregate. The buffers' contents must not
     * change before those calls. Checks nothing; the default does nothing.
     */
    default void prepareNeighborhood(IndexBuffer offsets, IndexBuffer neighbours) {
    }

    /** {@code dst[i] = src[rows[i]]} for {@code i < dst.rows() == rows.length()}. */
    void gatherRows(Tensor src, IndexBuffer rows, Tensor dst);

    /** {@code dst[rows[i]] += src[i]} for {@code i < src.rows() == rows.length()}; repeated rows accumulate. */
    void scatterAddRows(Tensor src, IndexBuffer rows, Tensor dst);

    /**
     * One dense Adam step over every element: with {@code t = step} (1 for the first step),
     * {@code m = β1·m + (1−β1)·g}, {@code v = β2·v + (1−β2)·g²},
     * {@code θ -= lr·(m/(1−β1^t)) / (sqrt(v/(1−β2^t)) + ε)}, after the decoupled decay
     * {@code θ -= lr·wd·θ}. All four tensors have the same shape.
     *
     * @throws IllegalArgumentException if {@code step < 1}
     */
    void adam(AdamConfig config, long step, Tensor param, Tensor grad, Tensor m, Tensor v);

    /**
     * Lazy (sparse) Adam for large embedding tables: applies the {@link #adam} rule only to rows
     * {@code rows[i]} of {@code table}, {@code m} and {@code v}, with gradient row {@code gradRows[i]}; other
     * rows and their moments are untouched (as in PyTorch's SparseAdam; bias correction uses the global
     * {@code step}). {@code rows} must not repeat a row (sum duplicates first). Cost: O(rows · cols).
     */
    void sparseAdam(AdamConfig config, long step, Tensor table, IndexBuffer rows, Tensor gradRows, Tensor m,
                    Tensor v);

    /** Waits for preceding operations, then tells whether every element of {@code t} is finite. */
    boolean allFinite(Tensor t);

    /**
     * Waits for preceding operations, then tells whether every element of every tensor is finite. A device
     * backend answers with one read-back for them all (a training step checks every gradient this way: one wait
     * instead of one per parameter); this default asks tensor by tensor.
     */
    default boolean allFinite(List<? extends Tensor> tensors) {
        for (Tensor t : tensors) {
            if (!allFinite(t)) {
                return false;
            }
        }
        return true;
    }

    /** Waits until every operation issued so far has completed. Free on synchronous backends. */
    void synchronize();

    /**
     * Opens a <em>busy span</em>: the operations the caller issues until {@link #endBusySpan()} are counted as
     * device work, for measuring how much of a run the device spends idle (waiting for minibatches, or for the
     * host to issue the next operation). An asynchronous backend counts the device's execution time of each
     * operation issued inside the span, so gaps between operations, where the device waits for the host, are
     * idle time; a synchronous backend, whose operations run in the calling thread, counts the span's wall time.
     * Cost: none on the CPU; on a GPU two timing events per operation issued inside the span. Never waits.
     *
     * @throws IllegalStateException if a span is already open
     */
    void beginBusySpan();

    /**
     * Closes the span opened by {@link #beginBusySpan()}; never waits for the span's work.
     *
     * @throws IllegalStateException if no span is open
     */
    void endBusySpan();

    /**
     * Busy time of every span closed so far, in nanoseconds, monotone over the backend's life. Waits for closed
     * spans whose work is still running on the device.
     */
    long busyNanos();

    /** Releases every tensor and buffer this backend still owns and its worker threads. Idempotent. */
    @Override
    void close();
}
