package io.pinsage.gpu;

import io.pinsage.nn.backend.Activation;
import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.BackendChecks;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The {@link Backend} on a CUDA GPU, through the {@code pn_*} kernels of {@code libpinsage_native}.
 *
 * <h2>Streams and overlap</h2>
 * Kernels run in program order on a <em>compute</em> stream. Uploads run on a second, <em>copy</em> stream from
 * pinned staging memory, so the next minibatch's transfer overlaps the kernels still queued for the current step:
 * after each copy an event makes the compute stream wait for it (later kernels see the data), and a copy waits for
 * the compute stream only when its destination was used by a kernel that may still be running (tracked per block
 * by kernel sequence numbers). Upload into fresh or double-buffered tensors therefore never stalls either stream.
 * Downloads, {@link #allFinite} and {@link #synchronize()} wait for both streams.
 *
 * <h2>Memory</h2>
 * Tensors and index buffers come from a {@link DeviceMemoryPool} (no {@code cudaMalloc} per step once shapes
 * repeat); scratch space of fused operations too. Index buffers keep a host mirror of what was uploaded, which
 * serves two purposes: every index a kernel will use is range-checked on the host first (the gather kernels do not
 * bounds-check), and CSR neighbourhoods are recast into the kernels' fixed-width layout ({@link PaddedLayout},
 * cached per buffer pair and contents).
 *
 * <h2>Mapping to kernels</h2>
 * GEMM: {@code pn_sgemm} or cuBLAS ({@link GemmEngine}). Element-wise helpers the C API lacks are rank-1 GEMMs
 * with a vector of ones ({@code fill}, {@code axpy}, bias without activation, bias gradients),
 * which keeps the native API small; {@code allFinite} multiplies by zeros (NaN and infinities survive a product
 * with zero, finite values do not). Row gather and scatter-add are the gather kernels with one slot. L2 norms are
 * kept as the SPI says ({@code sqrt(|x|² + 1e-24)}, the clamped norm to float precision) and inverted by the same
 * normalisation kernel on a one-column matrix. MAX pooling's {@code argMax} holds, on the device, the slot within
 * the target's neighbourhood; {@link #download(IndexBuffer, int[], int)} converts to edge numbers, so the
 * SPI's contents are what callers observe. Sparse Adam gathers the touched rows, updates them densely and puts
 * them back with two exact scatter-adds (subtract the old row, add the new one).
 *
 * <h2>Threading and errors</h2>
 * As {@link Backend}: one thread at a time; the CUDA device is bound to the calling thread whenever the thread
 * changes. Native failures throw {@link NativeException}; kernel execution errors surface at the next
 * synchronising call. Indices out of range throw {@link IndexOutOfBoundsException} before any kernel runs.
 */
public final class CudaBackend implements Backend {

    private static final float NORM_EPS = 1e-24f;
    private static final long STAGING_BYTES = 8L << 20;
    private static final int LAYOUT_CACHE = 8;
    /** Rows of C per SGEMM launch: 65535 row tiles of the smallest tile (32) the kernels use. */
    private static final int GEMM_ROWS = 65535 * 32 / 64 * 64;

    /**
     * System property that makes {@link #close()} print, on stderr, the device time of the operations issued inside
     * busy spans, per operation and GEMM shape: {@code -Dpinsage.cuda.profile=true}.
     */
    public static final String PROFILE_PROPERTY = "pinsage.cuda.profile";

    private final Device device;
    private final String name;
    private final GemmEngine gemmEngine;
    private final DeviceMemoryPool pool;
    private final long computeStream;
    private final long copyStream;
    private final long uploadDone;
    private final long computeMark;
    /** The GPU under {@link #device}, bound to each thread that calls in; null on host devices. */
    private final CudaDevice gpu;
    /** {@link #device}, which times the compute stream's work inside busy spans. */
    private final KernelTimingDevice timing;
    private boolean spanOpen;
    private final StagingBuffer uploads;
    private final StagingBuffer readback;
    private final Set<DeviceStorage> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<PaddedLayout> layouts = new ArrayDeque<>();
    private Thread boundThread;
    private long kernelSeq;
    private long completedSeq;
    private long onesAddress;
    private long onesLength;
    private long minusOnesAddress;
    private long minusOnesLength;
    private final long[] sparseBlocks = new long[3];
    private final long[] sparseTargets = new long[3];
    private int[] slotNeighbourScratch = new int[0];
    private int[] slotEdgeScratch = new int[0];
    private boolean closed;

    private CudaBackend(Device device, GemmEngine gemmEngine) {
        this.gpu = device instanceof CudaDevice cuda ? cuda : null;
        this.timing = new KernelTimingDevice(device, Boolean.getBoolean(PROFILE_PROPERTY));
        this.device = timing;
        this.name = device.name();
        this.gemmEngine = gemmEngine;
        this.pool = new DeviceMemoryPool(device);
        bindThread();
        this.computeStream = device.createStream();
        this.copyStream = device.createStream();
        this.uploadDone = device.createEvent();
        this.computeMark = device.createEvent();
        timing.timeStream(computeStream);
        this.uploads = new StagingBuffer(device, copyStream, STAGING_BYTES);
        this.readback = new StagingBuffer(device, computeStream, 1L << 16);
    }

    /** A backend on CUDA device 0 with the GEMM of {@code -Dpinsage.cuda.gemm} (default: the exact FP32 kernel). */
    public static CudaBackend open() {
        return open(0, GemmEngine.fromSystemProperty());
    }

    /**
     * A backend on CUDA device {@code ordinal} with the given GEMM.
     *
     * @throws CudaUnavailableException when CUDA is unavailable (with the probe's cause) or cuBLAS was asked for
     *                                  and cannot be loaded
     * @throws IllegalArgumentException {@code ordinal=...} when no such device exists
     */
    public static CudaBackend open(int ordinal, GemmEngine gemm) {
        CudaRuntime.ensureAvailability();
        int count = CudaRuntime.devices().size();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("ordinal=" + ordinal + " (this machine has " + count + " CUDA devices)");
        }
        if (gemm.cublas() && !CudaRuntime.isCublasAvailable()) {
            throw new CudaUnavailableException("gemm=" + gemm + " needs cuBLAS, which could not be loaded: "
                    + "install libcublas or use " + GemmEngine.PINSAGE_FP32);
        }
        return new CudaBackend(new CudaDevice(ordinal), gemm);
    }

    /**
     * This backend's logic on the host twins of the kernels ({@code pn_cpu_*}, single-threaded, synchronous):
     * for checking the bindings and layouts where no GPU exists. Needs only the native library.
     *
     * @throws CudaUnavailableException when the native library did not load
     */
    public static CudaBackend onHostTwins() {
        if (!CudaRuntime.isNativeLibraryLoaded()) {
            throw new CudaUnavailableException("native library not loaded: " + CudaRuntime.nativeLibraryCause(),
                    CudaRuntime.nativeLibraryCause());
        }
        return on(new HostDevice());
    }

    /**
     * This backend's host-side logic on a device that does nothing ({@link IssueOnlyDevice}): every call costs what
     * it costs the host to issue it, and the results are meaningless. For measuring how much host time a GPU step
     * needs, on machines without a GPU. Needs only the native library's classes to load (no kernel is called).
     */
    public static CudaBackend issueOnly() {
        return on(new IssueOnlyDevice());
    }

    /** This backend's logic on any {@link Device} with the exact GEMM; for tests of the backend itself. */
    static CudaBackend on(Device device) {
        return new CudaBackend(device, GemmEngine.PINSAGE_FP32);
    }

    /** The GEMM this backend runs. */
    public GemmEngine gemmEngine() {
        return gemmEngine;
    }

    /** Device bytes held by this backend's pool (tensors in use plus cached blocks). */
    public long deviceBytesReserved() {
        return pool.bytesReserved();
    }

    /** Returns cached device blocks to the driver (after waiting for queued work). */
    public void trimMemory() {
        enter();
        synchronize();
        pool.trim();
    }

    @Override
    public String name() {
        return name;
    }

    // ------------------------------------------------------------------ allocation and data movement

    @Override
    public Tensor allocate(String name, int rows, int cols) {
        enter();
        if (rows < 0 || cols < 1) {
            throw new IllegalArgumentException("allocate " + name + ": rows=" + rows + ", cols=" + cols
                    + " (expected rows >= 0, cols >= 1)");
        }
        DeviceStorage s = newStorage((long) rows * cols * Float.BYTES);
        return new CudaTensor(this, s, name, rows, cols, 0, false);
    }

    @Override
    public IndexBuffer allocateIndex(String name, int length) {
        enter();
        if (length < 0) {
            throw new IllegalArgumentException("allocateIndex " + name + ": length=" + length + " (expected >= 0)");
        }
        DeviceStorage s = newStorage((long) length * Integer.BYTES);
        s.mirror = new int[length];
        s.mirrorValid = true;
        return new CudaIndexBuffer(this, s, name, 0, length, false);
    }

    private DeviceStorage newStorage(long bytes) {
        long address = pool.acquire(bytes);
        DeviceStorage s = new DeviceStorage(address, bytes, pool.lastUse());
        live.add(s);
        // zeroed on the copy stream, so that uploading the next batch into fresh tensors never waits for kernels
        orderCopyAfterKernels(s);
        device.zero(address, Math.max(bytes, 1), copyStream);
        orderKernelsAfterCopies();
        return s;
    }

    /** Returns a tensor's or buffer's block to the pool; called by their {@code close()}. */
    void release(DeviceStorage s) {
        if (s.closed || closed) {
            return;
        }
        s.closed = true;
        live.remove(s);
        layouts.removeIf(l -> {
            boolean stale = l.offsetsStorage == s || l.neighboursStorage == s;
            if (stale) {
                releaseLayout(l);
            }
            return stale;
        });
        pool.release(s.address, s.bytes, s.lastUse);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        CudaTensor d = tensor(dst);
        BackendChecks.hostRange("upload", "float[]", src.length, srcOffset, d.size());
        int n = (int) d.size();
        long at = uploads.reserve(d.bytes());
        MemorySegment.copy(src, srcOffset, uploads.segment(), ValueLayout.JAVA_FLOAT, at, n);
        copyIn(d.storage, d.address(), uploads.address() + at, d.bytes());
    }

    @Override
    public void upload(MemorySegment src, Tensor dst) {
        CudaTensor d = tensor(dst);
        if (src.byteSize() < d.bytes()) {
            throw new IllegalArgumentException("upload: segment of " + src.byteSize() + " bytes is smaller than "
                    + Tensor.describe(d) + " (" + d.bytes() + " bytes)");
        }
        if (src.isNative()) {
            copyIn(d.storage, d.address(), src.address(), d.bytes());
        } else {
            long at = uploads.reserve(d.bytes());
            MemorySegment.copy(src, 0, uploads.segment(), at, d.bytes());
            copyIn(d.storage, d.address(), uploads.address() + at, d.bytes());
        }
    }

    @Override
    public void upload(int[] src, int srcOffset, IndexBuffer dst) {
        CudaIndexBuffer d = index(dst);
        BackendChecks.hostRange("upload", "int[]", src.length, srcOffset, d.length());
        if (d.storage.argMaxLayout != null) {
            storeArgMaxAsEdges(d.storage);
        }
        long bytes = (long) d.length() * Integer.BYTES;
        long at = uploads.reserve(bytes);
        MemorySegment.copy(src, srcOffset, uploads.segment(), ValueLayout.JAVA_INT, at, d.length());
        System.arraycopy(src, srcOffset, d.storage.mirror, d.offset, d.length());
        d.storage.version++;
        copyIn(d.storage, d.address(), uploads.address() + at, bytes);
    }

    /**
     * Rewrites a block that a MAX aggregate left in slot numbers as edge numbers, on the device and in the mirror,
     * so that a partial upload into it leaves the rest meaning what the SPI says. Rare: argMax buffers are
     * normally only written by the forward pass.
     */
    private void storeArgMaxAsEdges(DeviceStorage s) {
        int length = (int) (s.bytes / Integer.BYTES);
        long at = copyOut(s.address, s.bytes);
        MemorySegment.copy(readback.segment(), ValueLayout.JAVA_INT, at, s.mirror, 0, length);
        PaddedLayout layout = s.argMaxLayout;
        int end = Math.min(length, s.argMaxOffset + layout.targets * s.argMaxCols);
        for (int i = s.argMaxOffset; i < end; i++) {
            s.mirror[i] = layout.edgeOf((i - s.argMaxOffset) / s.argMaxCols, s.mirror[i]);
        }
        s.mirrorValid = true;
        s.argMaxLayout = null;
        s.version++;
        long staged = uploads.reserve(s.bytes);
        MemorySegment.copy(s.mirror, 0, uploads.segment(), ValueLayout.JAVA_INT, staged, length);
        copyIn(s, s.address, uploads.address() + staged, s.bytes);
    }

    /** Host-to-device copy on the copy stream, ordered after kernels still using the block and before later ones. */
    private void copyIn(DeviceStorage dst, long dstAddress, long srcHost, long bytes) {
        if (bytes == 0) {
            return;
        }
        orderCopyAfterKernels(dst);
        device.copyToDevice(dstAddress, srcHost, bytes, copyStream);
        orderKernelsAfterCopies();
    }

    /** Makes the copy stream wait for the compute stream only if a kernel that may still run touched {@code dst}. */
    private void orderCopyAfterKernels(DeviceStorage dst) {
        if (dst.lastUse > completedSeq) {
            device.recordEvent(computeMark, computeStream);
            device.streamWaitEvent(copyStream, computeMark);
        }
    }

    /** Makes every kernel issued from now on wait for the copies issued so far. */
    private void orderKernelsAfterCopies() {
        device.recordEvent(uploadDone, copyStream);
        device.streamWaitEvent(computeStream, uploadDone);
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        CudaTensor s = tensor(src);
        BackendChecks.hostRange("download", "float[]", dst.length, dstOffset, s.size());
        long at = copyOut(s.address(), s.bytes());
        MemorySegment.copy(readback.segment(), ValueLayout.JAVA_FLOAT, at, dst, dstOffset, (int) s.size());
    }

    @Override
    public void download(IndexBuffer src, int[] dst, int dstOffset) {
        CudaIndexBuffer s = index(src);
        BackendChecks.hostRange("download", "int[]", dst.length, dstOffset, s.length());
        long at = copyOut(s.address(), (long) s.length() * Integer.BYTES);
        MemorySegment.copy(readback.segment(), ValueLayout.JAVA_INT, at, dst, dstOffset, s.length());
        PaddedLayout layout = s.storage.argMaxLayout;
        if (layout != null) {
            int cols = s.storage.argMaxCols;
            for (int i = 0; i < s.length(); i++) {
                int element = s.offset + i - s.storage.argMaxOffset;
                if (element >= 0 && element < layout.targets * cols) {
                    dst[dstOffset + i] = layout.edgeOf(element / cols, dst[dstOffset + i]);
                }
            }
        }
    }

    /** Copies device bytes into the readback buffer after all queued work; returns their offset there. */
    private long copyOut(long src, long bytes) {
        synchronize();
        long at = readback.reserve(bytes);
        if (bytes > 0) {
            device.copyToHost(readback.address() + at, src, bytes, computeStream);
            device.synchronizeStream(computeStream);
        }
        return at;
    }

    /** The host mirror of an index buffer's storage, read back from the device if a kernel wrote it. */
    int[] mirror(CudaIndexBuffer b) {
        DeviceStorage s = b.storage;
        if (!s.mirrorValid) {
            int length = (int) (s.bytes / Integer.BYTES);
            long at = copyOut(s.address, s.bytes);
            MemorySegment.copy(readback.segment(), ValueLayout.JAVA_INT, at, s.mirror, 0, length);
            s.mirrorValid = true;
        }
        return s.mirror;
    }

    // ------------------------------------------------------------------ element-wise

    @Override
    public void fill(Tensor t, float value) {
        CudaTensor x = tensor(t);
        if (x.size() == 0) {
            return;
        }
        long seq = launch(x.storage);
        if (Float.floatToRawIntBits(value) == 0) {
            device.zero(x.address(), x.bytes(), computeStream);
        } else {
            // x = value · 1_rows · 1_colsᵀ
            long ones = ones(Math.max(x.rows(), x.cols()));
            gemmRows(GemmEngine.PINSAGE_FP32, false, false, x.rows(), x.cols(), 1, value, ones, 1, ones, x.cols(), 0f,
                    x.address(), x.cols(), "fill");
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CudaTensor s = tensor(src);
        CudaTensor d = tensor(dst);
        BackendChecks.sameShape("copy", s, d);
        copyTensor(s, d);
    }

    private void copyTensor(CudaTensor s, CudaTensor d) {
        if (s.address() == d.address() || s.size() == 0) {
            return;
        }
        long seq = launch(s.storage, d.storage);
        device.copyOnDevice(d.address(), s.address(), s.bytes(), computeStream);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        CudaTensor xs = tensor(x);
        CudaTensor ys = tensor(y);
        BackendChecks.sameShape("axpy", xs, ys);
        launch(xs.storage, ys.storage);
        // y (n x 1) += alpha · x (n x 1) · [1]
        gemmRows(GemmEngine.PINSAGE_FP32, false, false, xs.size(), 1, 1, alpha, xs.address(), 1, ones(1), 1, 1f,
                ys.address(), 1, "axpy");
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        CudaTensor at = tensor(a);
        CudaTensor bt = tensor(b);
        CudaTensor ct = tensor(c);
        BackendChecks.gemm(transA, transB, at, bt, ct);
        if (ct.size() == 0) {
            return;
        }
        long seq = launch(at.storage, bt.storage, ct.storage);
        int k = transA ? at.rows() : at.cols();
        gemmRows(gemmEngine, transA, transB, ct.rows(), ct.cols(), k, alpha, at.address(), at.cols(), bt.address(),
                bt.cols(), beta, ct.address(), ct.cols(), "gemm");
    }

    @Override
    public void biasActivation(Tensor x, Tensor bias, Activation act, Tensor out) {
        CudaTensor xs = tensor(x);
        CudaTensor bs = tensor(bias);
        CudaTensor os = tensor(out);
        BackendChecks.sameShape("biasActivation", xs, os);
        BackendChecks.bias("biasActivation", xs, bs);
        if (xs.size() == 0) {
            return;
        }
        long seq = launch(xs.storage, bs.storage, os.storage);
        if (act == Activation.RELU) {
            check(device.biasReluForward(xs.address(), bs.address(), xs.rows(), xs.cols(), os.address(),
                    computeStream), "biasActivation");
        } else {
            copyTensor(xs, os);
            // out += 1_rows · bias
            gemmRows(GemmEngine.PINSAGE_FP32, false, false, os.rows(), os.cols(), 1, 1f, ones(os.rows()), 1,
                    bs.address(), bs.cols(), 1f, os.address(), os.cols(), "biasActivation");
        }
    }

    @Override
    public void biasActivationBackward(Activation act, Tensor out, Tensor dOut, Tensor dX, Tensor dBias) {
        CudaTensor ys = tensor(out);
        CudaTensor gs = tensor(dOut);
        CudaTensor dxs = tensor(dX);
        BackendChecks.sameShape("biasActivationBackward", ys, gs);
        BackendChecks.sameShape("biasActivationBackward", ys, dxs);
        CudaTensor dbs = dBias == null ? null : tensor(dBias);
        if (dbs != null) {
            BackendChecks.bias("biasActivationBackward", ys, dbs);
        }
        if (ys.size() == 0) {
            return;
        }
        long seq = launch(ys.storage, gs.storage, dxs.storage);
        if (act == Activation.RELU) {
            check(device.biasReluBackward(ys.address(), gs.address(), ys.rows(), ys.cols(), dxs.address(),
                    computeStream), "biasActivationBackward");
        } else {
            copyTensor(gs, dxs);
        }
        if (dbs != null) {
            touch(dbs.storage, seq);
            // dBias += 1_rowsᵀ · dX
            check(device.gemm(GemmEngine.PINSAGE_FP32, false, false, 1, dxs.cols(), dxs.rows(), 1f, ones(dxs.rows()),
                    dxs.rows(), dxs.address(), dxs.cols(), 1f, dbs.address(), dbs.cols(), computeStream),
                    "biasActivationBackward");
        }
    }

    // ------------------------------------------------------------------ gather–aggregate

    @Override
    public void aggregate(Pooling pooling, Tensor src, IndexBuffer offsets, IndexBuffer neighbours, Tensor weights,
                          Tensor out, IndexBuffer argMax) {
        CudaTensor ss = tensor(src);
        CudaTensor ws = tensor(weights);
        CudaTensor os = tensor(out);
        CudaIndexBuffer off = index(offsets);
        CudaIndexBuffer nb = index(neighbours);
        BackendChecks.aggregate("aggregate", pooling, ss, off, nb, ws, os, argMax);
        PaddedLayout layout = layout(off, nb, ss.rows(), "aggregate", ss);
        if (os.rows() == 0) {
            return;
        }
        long seq = launch(ss.storage, ws.storage, os.storage);
        long slotAlpha = slotWeights(layout, ws);
        long argMaxAddress = 0;
        if (pooling == Pooling.MAX) {
            CudaIndexBuffer am = index(argMax);
            touch(am.storage, seq);
            am.storage.mirrorValid = false;
            am.storage.version++;
            am.storage.argMaxLayout = layout;
            am.storage.argMaxOffset = am.offset;
            am.storage.argMaxCols = os.cols();
            argMaxAddress = am.address();
        }
        check(device.gatherForward(mode(pooling), ss.address(), ss.rows(), ss.cols(), layout.slotNeighbours,
                slotAlpha, layout.targets, layout.t, os.address(), argMaxAddress, computeStream), "aggregate");
        pool.release(slotAlpha, layout.slotBytes, seq);
    }

    @Override
    public void aggregateBackward(Pooling pooling, Tensor dOut, IndexBuffer offsets, IndexBuffer neighbours,
                                  Tensor weights, IndexBuffer argMax, Tensor dSrc) {
        CudaTensor gs = tensor(dOut);
        CudaTensor ws = tensor(weights);
        CudaTensor ds = tensor(dSrc);
        CudaIndexBuffer off = index(offsets);
        CudaIndexBuffer nb = index(neighbours);
        BackendChecks.aggregate("aggregateBackward", pooling, ds, off, nb, ws, gs, argMax);
        PaddedLayout layout = layout(off, nb, ds.rows(), "aggregateBackward", ds);
        if (gs.rows() == 0) {
            return;
        }
        long seq = launch(gs.storage, ws.storage, ds.storage);
        long slotAlpha = slotWeights(layout, ws);
        long slots = 0;
        long slotsBytes = 0;
        long argMaxAddress = 0;
        if (pooling == Pooling.MAX) {
            CudaIndexBuffer am = index(argMax);
            touch(am.storage, seq);
            if (am.storage.argMaxLayout == layout && am.storage.argMaxOffset == am.offset) {
                argMaxAddress = am.address();
            } else {
                // argMax came from elsewhere (an upload): translate its edge numbers into slots of this layout
                slotsBytes = (long) am.length() * Integer.BYTES;
                slots = pool.acquire(slotsBytes);
                long slotsLastUse = pool.lastUse();
                int[] raw = mirror(am);
                PaddedLayout writer = am.storage.argMaxLayout;
                int[] slotValues = new int[am.length()];
                for (int i = 0; i < am.length(); i++) {
                    int target = i / gs.cols();
                    int edge = writer == null ? raw[am.offset + i]
                            : writer.edgeOf((am.offset + i - am.storage.argMaxOffset) / am.storage.argMaxCols,
                            raw[am.offset + i]);
                    slotValues[i] = layout.slotOf(target, edge);
                }
                uploadScratch(slots, slotsLastUse, slotValues, slotValues.length);
                argMaxAddress = slots;
            }
        }
        check(device.gatherBackward(mode(pooling), gs.address(), ds.rows(), ds.cols(), layout.slotNeighbours,
                slotAlpha, argMaxAddress, layout.targets, layout.t, ds.address(), computeStream), "aggregateBackward");
        pool.release(slotAlpha, layout.slotBytes, seq);
        if (slots != 0) {
            pool.release(slots, slotsBytes, seq);
        }
    }

    private static int mode(Pooling pooling) {
        return switch (pooling) {
            case MEAN -> PinSageNative.PN_AGG_WEIGHTED_MEAN;
            case SUM -> PinSageNative.PN_AGG_SUM;
            case MAX -> PinSageNative.PN_AGG_MAX;
        };
    }

    /** The per-slot weights of a layout (a pooled scratch block the caller releases): α of each slot's edge, 0 for padding. */
    private long slotWeights(PaddedLayout layout, CudaTensor weights) {
        long alpha = pool.acquire(layout.slotBytes);
        int slots = layout.targets * layout.t;
        check(device.gatherForward(PinSageNative.PN_AGG_SUM, weights.address(), (int) weights.size(), 1,
                layout.slotEdges, 0L, slots, 1, alpha, 0L, computeStream), "aggregate weights");
        return alpha;
    }

    /** Builds (and caches) the padded layout now, so the aggregate that follows finds it. */
    @Override
    public void prepareNeighborhood(IndexBuffer offsets, IndexBuffer neighbours) {
        cachedLayout(index(offsets), index(neighbours), "prepareNeighborhood");
    }

    /** The cached layout of a CSR pair, built on a miss; checks offsets and that neighbours index {@code table}. */
    private PaddedLayout layout(CudaIndexBuffer offsets, CudaIndexBuffer neighbours, int tableRows, String op,
                                CudaTensor table) {
        PaddedLayout found = cachedLayout(offsets, neighbours, op);
        if (found.maxNeighbour >= tableRows) {
            int[] nb = mirror(neighbours);
            for (int e = found.rowStart[0]; e < found.rowStart[found.targets]; e++) {
                if (nb[neighbours.offset + e] >= tableRows) {
                    throw new IndexOutOfBoundsException(op + ": " + IndexBuffer.describe(neighbours) + " holds "
                            + nb[neighbours.offset + e] + " at " + e + ", outside [0, " + tableRows + ") of "
                            + Tensor.describe(table));
                }
            }
        }
        return found;
    }

    private PaddedLayout cachedLayout(CudaIndexBuffer offsets, CudaIndexBuffer neighbours, String op) {
        for (PaddedLayout l : layouts) {
            if (l.matches(offsets, neighbours)) {
                return l;
            }
        }
        PaddedLayout built = buildLayout(offsets, neighbours, op);
        if (layouts.size() == LAYOUT_CACHE) {
            releaseLayout(layouts.removeLast());
        }
        layouts.addFirst(built);
        return built;
    }

    private PaddedLayout buildLayout(CudaIndexBuffer offsets, CudaIndexBuffer neighbours, String op) {
        int[] off = mirror(offsets);
        int[] nb = mirror(neighbours);
        int targets = offsets.length() - 1;
        int[] rowStart = new int[targets + 1];
        int t = 1;
        for (int u = 0; u <= targets; u++) {
            rowStart[u] = off[offsets.offset + u];
            boolean bad = rowStart[u] < 0 || rowStart[u] > neighbours.length() || (u > 0 && rowStart[u] < rowStart[u - 1]);
            if (bad) {
                throw new IndexOutOfBoundsException(op + ": " + IndexBuffer.describe(offsets) + " holds " + rowStart[u]
                        + " at " + u + ": offsets must be non-decreasing within [0, " + neighbours.length()
                        + "] of " + IndexBuffer.describe(neighbours));
            }
            if (u > 0) {
                t = Math.max(t, rowStart[u] - rowStart[u - 1]);
            }
        }
        long slotCount = (long) targets * t;
        if (slotCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + targets + " targets x largest degree " + t
                    + " slots exceed the kernels' int range; split the batch");
        }
        int slots = (int) slotCount;
        if (slotNeighbourScratch.length < slots) {
            slotNeighbourScratch = new int[slots];
            slotEdgeScratch = new int[slots];
        }
        int maxNeighbour = -1;
        for (int u = 0; u < targets; u++) {
            for (int j = 0; j < t; j++) {
                int e = rowStart[u] + j;
                boolean valid = e < rowStart[u + 1];
                int v = valid ? nb[neighbours.offset + e] : -1;
                if (valid && v < 0) {
                    throw new IndexOutOfBoundsException(op + ": " + IndexBuffer.describe(neighbours) + " holds " + v
                            + " at " + e + " (expected a row number >= 0)");
                }
                maxNeighbour = Math.max(maxNeighbour, v);
                slotNeighbourScratch[u * t + j] = v;
                slotEdgeScratch[u * t + j] = valid ? e : -1;
            }
        }
        long bytes = Math.max((long) slots * Integer.BYTES, 1);
        long slotNeighbours = pool.acquire(bytes);
        uploadScratch(slotNeighbours, pool.lastUse(), slotNeighbourScratch, slots);
        long slotEdges = pool.acquire(bytes);
        uploadScratch(slotEdges, pool.lastUse(), slotEdgeScratch, slots);
        return new PaddedLayout(offsets, neighbours, t, maxNeighbour, rowStart, slotNeighbours, slotEdges, bytes);
    }

    private void releaseLayout(PaddedLayout l) {
        pool.release(l.slotNeighbours, l.slotBytes, kernelSeq);
        pool.release(l.slotEdges, l.slotBytes, kernelSeq);
    }

    /**
     * Uploads ints into a pooled scratch block through the staging buffer (ordered before later kernels);
     * {@code lastUse} is the block's last kernel, from {@link DeviceMemoryPool#lastUse()} at its acquisition.
     */
    private void uploadScratch(long address, long lastUse, int[] values, int count) {
        long bytes = (long) count * Integer.BYTES;
        long at = uploads.reserve(bytes);
        MemorySegment.copy(values, 0, uploads.segment(), ValueLayout.JAVA_INT, at, count);
        copyIn(new DeviceStorage(address, bytes, lastUse), address, uploads.address() + at, bytes);
    }

    // ------------------------------------------------------------------ normalisation and loss

    @Override
    public void l2Normalize(Tensor x, Tensor out, Tensor norms) {
        CudaTensor xs = tensor(x);
        CudaTensor os = tensor(out);
        CudaTensor ns = tensor(norms);
        BackendChecks.l2Normalize("l2Normalize", xs, os, ns);
        int rows = xs.rows();
        if (rows == 0) {
            return;
        }
        long seq = launch(xs.storage, os.storage, ns.storage);
        long bytes = (long) rows * Float.BYTES;
        long inv = pool.acquire(bytes);
        long unit = pool.acquire(bytes);
        check(device.l2NormalizeForward(xs.address(), rows, xs.cols(), NORM_EPS, os.address(), inv, computeStream),
                "l2Normalize");
        // norms = 1 / inv, as the inverse norm of the one-column matrix inv
        check(device.l2NormalizeForward(inv, rows, 1, NORM_EPS, unit, ns.address(), computeStream), "l2Normalize");
        pool.release(inv, bytes, seq);
        pool.release(unit, bytes, seq);
    }

    @Override
    public void l2NormalizeBackward(Tensor out, Tensor norms, Tensor dOut, Tensor dX) {
        CudaTensor ys = tensor(out);
        CudaTensor ns = tensor(norms);
        CudaTensor gs = tensor(dOut);
        CudaTensor dxs = tensor(dX);
        BackendChecks.l2Normalize("l2NormalizeBackward", ys, gs, ns);
        BackendChecks.sameShape("l2NormalizeBackward", ys, dxs);
        int rows = ys.rows();
        if (rows == 0) {
            return;
        }
        long seq = launch(ys.storage, ns.storage, gs.storage, dxs.storage);
        long bytes = (long) rows * Float.BYTES;
        long inv = pool.acquire(bytes);
        long unit = pool.acquire(bytes);
        check(device.l2NormalizeForward(ns.address(), rows, 1, NORM_EPS, unit, inv, computeStream),
                "l2NormalizeBackward");
        check(device.l2NormalizeBackward(ys.address(), gs.address(), inv, rows, ys.cols(), dxs.address(),
                computeStream), "l2NormalizeBackward");
        pool.release(inv, bytes, seq);
        pool.release(unit, bytes, seq);
    }

    // ------------------------------------------------------------------ rows and optimisers

    /** One block per query ({@code pn_sampled_loss_rows}); nothing travels to or from the host. */
    @Override
    public void rankingLossRows(RankingLossKind kind, float margin, float temperature, boolean inBatchNegatives,
                                int sharedNegatives, IndexBuffer hardRows, int hardPerQuery, float gradScale,
                                Tensor scores, Tensor rowLoss) {
        CudaTensor sc = tensor(scores);
        CudaTensor rl = tensor(rowLoss);
        CudaIndexBuffer hr = hardRows == null ? null : index(hardRows);
        BackendChecks.rankingLossRows(kind, temperature, sharedNegatives, hardRows, hardPerQuery, sc, rl);
        int b = sc.rows();
        if (b == 0) {
            return;
        }
        long seq = launch(sc.storage, rl.storage);
        long hardAddress = 0L;
        if (hr != null && hr.length() > 0) {
            touch(hr.storage, seq);
            hardAddress = hr.address();
        }
        check(device.sampledLossRows(kind == RankingLossKind.SOFTMAX ? PinSageNative.PN_LOSS_SOFTMAX
                        : PinSageNative.PN_LOSS_MARGIN, margin, temperature, inBatchNegatives, b, sharedNegatives,
                hardPerQuery, hardAddress, gradScale, sc.address(), rl.address(), computeStream), "rankingLossRows");
    }

    @Override
    public void gatherRows(Tensor src, IndexBuffer rows, Tensor dst) {
        CudaTensor ss = tensor(src);
        CudaIndexBuffer r = index(rows);
        CudaTensor ds = tensor(dst);
        BackendChecks.rows("gatherRows", ss, r, ds);
        r.requireRange(ss.rows(), "gatherRows", Tensor.describe(ss));
        if (r.length() == 0) {
            return;
        }
        long seq = launch(ss.storage, r.storage, ds.storage);
        gather(ss.address(), ss.rows(), ss.cols(), r.address(), r.length(), ds.address());
    }

    @Override
    public void scatterAddRows(Tensor src, IndexBuffer rows, Tensor dst) {
        CudaTensor ss = tensor(src);
        CudaIndexBuffer r = index(rows);
        CudaTensor ds = tensor(dst);
        BackendChecks.rows("scatterAddRows", ds, r, ss);
        r.requireRange(ds.rows(), "scatterAddRows", Tensor.describe(ds));
        if (r.length() == 0) {
            return;
        }
        long seq = launch(ss.storage, r.storage, ds.storage);
        scatterAdd(ss.address(), 0L, ds.rows(), ds.cols(), r.address(), r.length(), ds.address());
    }

    /** {@code dst[i] = table[rows[i]]}: the gather kernel with one slot per row and unit weights. */
    private void gather(long table, int tableRows, int cols, long rows, int count, long dst) {
        check(device.gatherForward(PinSageNative.PN_AGG_SUM, table, tableRows, cols, rows, 0L, count, 1, dst, 0L,
                computeStream), "gatherRows");
    }

    /** {@code table[rows[i]] += scale[i] · src[i]} (scale 0L = ones): the gather kernel's backward, one slot per row. */
    private void scatterAdd(long src, long scale, int tableRows, int cols, long rows, int count, long table) {
        check(device.gatherBackward(PinSageNative.PN_AGG_SUM, src, tableRows, cols, rows, scale, 0L, count, 1, table,
                computeStream), "scatterAddRows");
    }

    @Override
    public void adam(AdamConfig config, long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        CudaTensor ps = tensor(param);
        CudaTensor gs = tensor(grad);
        CudaTensor ms = tensor(m);
        CudaTensor vs = tensor(v);
        BackendChecks.adam(step, ps, gs, ms, vs);
        int t = adamStep(step);
        if (ps.size() == 0) {
            return;
        }
        long seq = launch(ps.storage, gs.storage, ms.storage, vs.storage);
        adamUpdate(config, t, ps.address(), ms.address(), vs.address(), gs.address(), ps.size());
    }

    private void adamUpdate(AdamConfig c, int t, long param, long m, long v, long grad, long n) {
        check(device.adam(param, m, v, grad, n, c.learningRate(), c.beta1(), c.beta2(), c.epsilon(), c.weightDecay(),
                t, computeStream), "adam");
    }

    private static int adamStep(long step) {
        if (step > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("adam: step=" + step + " (the CUDA kernel takes an int step)");
        }
        return (int) step;
    }

    @Override
    public void sparseAdam(AdamConfig config, long step, Tensor table, IndexBuffer rows, Tensor gradRows, Tensor m,
                           Tensor v) {
        CudaTensor ts = tensor(table);
        CudaIndexBuffer r = index(rows);
        CudaTensor gs = tensor(gradRows);
        CudaTensor ms = tensor(m);
        CudaTensor vs = tensor(v);
        BackendChecks.sparseAdam(step, ts, r, gs, ms, vs);
        int t = adamStep(step);
        r.requireRange(ts.rows(), "sparseAdam", Tensor.describe(ts));
        int k = r.length();
        if (k == 0) {
            return;
        }
        long seq = launch(ts.storage, r.storage, gs.storage, ms.storage);
        touch(vs.storage, seq);
        int cols = ts.cols();
        long bytes = (long) k * cols * Float.BYTES;
        long[] blocks = sparseBlocks;
        long[] targets = sparseTargets;
        targets[0] = ts.address();
        targets[1] = ms.address();
        targets[2] = vs.address();
        long minusOnes = minusOnes(k);
        for (int i = 0; i < 3; i++) {
            blocks[i] = pool.acquire(bytes);
            gather(targets[i], ts.rows(), cols, r.address(), k, blocks[i]);
            // rows are distinct, so adding −old leaves exact zeros for the new values to be added to
            scatterAdd(blocks[i], minusOnes, ts.rows(), cols, r.address(), k, targets[i]);
        }
        adamUpdate(config, t, blocks[0], blocks[1], blocks[2], gs.address(), (long) k * cols);
        for (int i = 0; i < 3; i++) {
            scatterAdd(blocks[i], 0L, ts.rows(), cols, r.address(), k, targets[i]);
            pool.release(blocks[i], bytes, seq);
        }
    }

    // ------------------------------------------------------------------ finiteness and synchronisation

    @Override
    public boolean allFinite(Tensor t) {
        return allFinite(List.of(t));
    }

    /**
     * 0 · NaN and 0 · ±∞ are NaN, 0 · finite is 0: a GEMM of a zero row with each tensor, accumulated (β = 1) into
     * one shared row of column sums, leaves a NaN there when any element of any tensor is not finite, and one
     * read-back of that row answers for them all. Each block is contiguous, so it is viewed as wide as cheaply
     * possible (at most 4,096 columns) to spread the reduction.
     */
    @Override
    public boolean allFinite(List<? extends Tensor> tensors) {
        int count = tensors.size();
        CudaTensor[] xs = new CudaTensor[count];
        int[] viewRows = new int[count];
        int[] viewCols = new int[count];
        int maxRows = 0;
        int maxCols = 0;
        for (int i = 0; i < count; i++) {
            CudaTensor x = tensor(tensors.get(i));
            if (x.size() == 0) {
                continue;
            }
            int rows = x.rows();
            int cols = x.cols();
            while (rows % 2 == 0 && cols <= 2048) {
                rows /= 2;
                cols *= 2;
            }
            xs[i] = x;
            viewRows[i] = rows;
            viewCols[i] = cols;
            maxRows = Math.max(maxRows, rows);
            maxCols = Math.max(maxCols, cols);
        }
        if (maxCols == 0) {
            return true;
        }
        long zerosBytes = (long) maxRows * Float.BYTES;
        long sumsBytes = (long) maxCols * Float.BYTES;
        long zeros = pool.acquire(zerosBytes);
        long sums = pool.acquire(sumsBytes);
        device.zero(zeros, zerosBytes, computeStream);
        device.zero(sums, sumsBytes, computeStream);
        long seq = kernelSeq;
        for (int i = 0; i < count; i++) {
            if (xs[i] != null) {
                seq = launch(xs[i].storage);
                check(device.gemm(GemmEngine.PINSAGE_FP32, false, false, 1, viewCols[i], viewRows[i], 1f, zeros,
                        viewRows[i], xs[i].address(), viewCols[i], 1f, sums, viewCols[i], computeStream), "allFinite");
            }
        }
        long at = copyOut(sums, sumsBytes);
        pool.release(zeros, zerosBytes, seq);
        pool.release(sums, sumsBytes, seq);
        MemorySegment seg = readback.segment();
        for (int j = 0; j < maxCols; j++) {
            if (Float.isNaN(seg.get(FLOAT, at + (long) j * Float.BYTES))) {
                return false;
            }
        }
        return true;
    }

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.nativeOrder());

    @Override
    public void synchronize() {
        enter();
        device.synchronizeStream(copyStream);
        device.synchronizeStream(computeStream);
        completedSeq = kernelSeq;
    }

    /**
     * Busy time is the execution time of the compute stream's operations issued inside spans, each bracketed by
     * timing events ({@link KernelTimingDevice}); uploads on the copy stream overlap it and are not counted.
     */
    @Override
    public void beginBusySpan() {
        enter();
        if (closed) {
            throw new IllegalStateException(name + " backend is closed");
        }
        if (spanOpen) {
            throw new IllegalStateException("a busy span is already open on backend " + name);
        }
        spanOpen = true;
        timing.setTiming(true);
    }

    @Override
    public void endBusySpan() {
        enter();
        if (!spanOpen) {
            throw new IllegalStateException("no busy span is open on backend " + name);
        }
        spanOpen = false;
        timing.setTiming(false);
        timing.collect();
    }

    @Override
    public long busyNanos() {
        enter();
        return timing.busyNanos();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        enter();
        synchronize();
        closed = true;
        for (DeviceStorage s : live) {
            s.closed = true;
            pool.release(s.address, s.bytes, 0);
        }
        live.clear();
        for (PaddedLayout l : layouts) {
            releaseLayout(l);
        }
        layouts.clear();
        if (onesAddress != 0) {
            pool.release(onesAddress, onesLength * Float.BYTES, 0);
        }
        if (minusOnesAddress != 0) {
            pool.release(minusOnesAddress, minusOnesLength * Float.BYTES, 0);
        }
        pool.trim();
        uploads.free();
        readback.free();
        List<String> profile = timing.breakdown();
        if (!profile.isEmpty()) {
            System.err.println("device time inside busy spans on " + name + " (" + PROFILE_PROPERTY + "):");
            profile.forEach(System.err::println);
        }
        timing.freeEvents();
        device.destroyEvent(uploadDone);
        device.destroyEvent(computeMark);
        device.destroyStream(copyStream);
        device.destroyStream(computeStream);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * SGEMM split into slabs of at most {@link #GEMM_ROWS} rows of {@code C}: the tiled kernels put row tiles on the
     * grid's y dimension (at most 65535 blocks), so one launch covers at most 65535 tiles of rows. A slab of rows
     * of {@code op(A)} starts {@code r0} rows down a plain {@code A}, or {@code r0} columns into a transposed one.
     */
    private void gemmRows(GemmEngine engine, boolean transA, boolean transB, long m, int n, int k, float alpha, long a,
                          int lda, long b, int ldb, float beta, long c, int ldc, String op) {
        for (long r0 = 0; r0 < m; r0 += GEMM_ROWS) {
            int rows = (int) Math.min(GEMM_ROWS, m - r0);
            long aSlab = a + (transA ? r0 : r0 * lda) * Float.BYTES;
            check(device.gemm(engine, transA, transB, rows, n, k, alpha, aSlab, lda, b, ldb, beta,
                    c + r0 * ldc * Float.BYTES, ldc, computeStream), op);
        }
    }

    /** A device vector of at least {@code n} ones, grown on demand and kept for the backend's life. */
    private long ones(long n) {
        if (onesLength < n) {
            if (onesAddress != 0) {
                pool.release(onesAddress, onesLength * Float.BYTES, kernelSeq);
            }
            onesLength = Math.max(n, 1024);
            onesAddress = constant(onesLength, 1f);
        }
        return onesAddress;
    }

    /** A device vector of at least {@code n} minus ones (per-row scales of −1 for the scatter kernel). */
    private long minusOnes(long n) {
        if (minusOnesLength < n) {
            if (minusOnesAddress != 0) {
                pool.release(minusOnesAddress, minusOnesLength * Float.BYTES, kernelSeq);
            }
            minusOnesLength = Math.max(n, 1024);
            minusOnesAddress = constant(minusOnesLength, -1f);
        }
        return minusOnesAddress;
    }

    private long constant(long n, float value) {
        long bytes = n * Float.BYTES;
        long address = pool.acquire(bytes);
        long at = uploads.reserve(bytes);
        uploads.segment().asSlice(at, bytes).fill((byte) 0);
        for (long i = 0; i < n; i++) {
            uploads.segment().set(FLOAT, at + i * Float.BYTES, value);
        }
        copyIn(new DeviceStorage(address, bytes, pool.lastUse()), address, uploads.address() + at, bytes);
        return address;
    }

    /** Starts an operation: a new kernel sequence number, recorded as the last use of each block it touches. */
    private long launch(DeviceStorage a) {
        long seq = ++kernelSeq;
        a.lastUse = seq;
        return seq;
    }

    private long launch(DeviceStorage a, DeviceStorage b) {
        long seq = launch(a);
        b.lastUse = seq;
        return seq;
    }

    private long launch(DeviceStorage a, DeviceStorage b, DeviceStorage c) {
        long seq = launch(a, b);
        c.lastUse = seq;
        return seq;
    }

    private long launch(DeviceStorage a, DeviceStorage b, DeviceStorage c, DeviceStorage d) {
        long seq = launch(a, b, c);
        d.lastUse = seq;
        return seq;
    }

    private static void touch(DeviceStorage s, long seq) {
        s.lastUse = seq;
    }

    private void check(int status, String op) {
        NativeException.check(status, op + " on " + name);
    }

    /** Rebinds the CUDA device when the owning thread changed (the current device is per host thread). */
    private void enter() {
        Thread current = Thread.currentThread();
        if (current != boundThread) {
            bindThread();
        }
    }

    private void bindThread() {
        if (gpu != null) {
            gpu.bindCurrentThread();
        }
        boundThread = Thread.currentThread();
    }

    private CudaTensor tensor(Tensor t) {
        enter();
        if (closed) {
            throw new IllegalStateException(name + " backend is closed");
        }
        if (!(t instanceof CudaTensor c) || c.backend() != this) {
            throw new IllegalArgumentException("tensor " + Tensor.describe(t) + " does not belong to backend " + name);
        }
        if (c.storage.closed) {
            throw new IllegalStateException("tensor " + Tensor.describe(t) + " is closed");
        }
        return c;
    }

    private CudaIndexBuffer index(IndexBuffer b) {
        enter();
        if (!(b instanceof CudaIndexBuffer c) || c.backend() != this) {
            throw new IllegalArgumentException("index buffer " + IndexBuffer.describe(b) + " does not belong to backend "
                    + name);
        }
        if (c.storage.closed) {
            throw new IllegalStateException("index buffer " + IndexBuffer.describe(b) + " is closed");
        }
        return c;
    }
}
