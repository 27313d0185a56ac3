package io.pinsage.gpu;

/**
 * A {@link Device} whose copies, memsets and kernels do nothing and complete at once: {@link CudaBackend} on it runs
 * all of its own host-side work (argument checks, index mirrors and range checks, padded layouts, staging copies,
 * pooling, event bookkeeping) and none of the device's, so the time a caller spends in it is the host's cost of
 * issuing that work, the part of a training step a GPU cannot hide when the host is slower than the kernels.
 * Memory, streams and events are {@link HostDevice}'s (real host memory: the backend writes its pinned staging
 * buffers); results are meaningless.
 */
final class IssueOnlyDevice extends HostDevice {

    @Override
    public String name() {
        return "issue-only";
    }

    @Override
    public void copyToDevice(long dst, long srcHost, long bytes, long stream) {
    }

    @Override
    public void copyToHost(long dstHost, long src, long bytes, long stream) {
    }

    @Override
    public void copyOnDevice(long dst, long src, long bytes, long stream) {
    }

    @Override
    public void zero(long dst, long bytes, long stream) {
    }

    @Override
    public int gatherForward(int mode, long src, int srcRows, int dim, long idx, long alpha, int rows, int t, long out,
                             long argmax, long stream) {
        return PinSageNative.PN_OK;
    }

    @Override
    public int gatherBackward(int mode, long dOut, int srcRows, int dim, long idx, long alpha, long argmax, int rows,
                              int t, long dSrc, long stream) {
        return PinSageNative.PN_OK;
    }

    @Override
    public int biasReluForward(long x, long bias, int rows, int cols, long y, long stream) {
        return PinSageNative.PN_OK;
    }

    @Override
    public int biasReluBackward(long y, long dy, int rows, int cols, long dx, long stream) {
        return PinSageNative.PN_OK;
    }

    @Override
    public int l2NormalizeForward(long x, int rows, int cols, float eps, long y, long invNorm, long stream) {
        return PinSageNative.PN_OK;
    }

    @Override
    public int l2NormalizeBackward(long y, long dy, long invNorm, int rows, int cols, long dx, long stream) {
        return PinSageNative.PN_OK;
    }

    @Override
    public int sampledLossRows(int kind, float margin, float temperature, boolean inBatch, int b, int s, int h,
                               long hardRows, float gradScale, long scores, long rowLoss, long stream) {
        return PinSageNative.PN_OK;
    }

    @Override
    public int adam(long param, long m, long v, long grad, long n, float lr, float beta1, float beta2, float eps,
                    float weightDecay, int t, long stream) {
        return PinSageNative.PN_OK;
    }

    @Override
    public int gemm(GemmEngine engine, boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                    long b, int ldb, float beta, long c, int ldc, long stream) {
        return PinSageNative.PN_OK;
    }
}
