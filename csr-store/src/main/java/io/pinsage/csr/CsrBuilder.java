package io.pinsage.csr;

import io.pinsage.csr.format.FileWrites;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreFileWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Builds the CSR files of a graph store from a stream of edges with bounded memory, so that graphs far larger
 * than the heap (billions of edges) build on one machine.
 *
 * <p>Three passes: (1) producers hand edges to {@link Sink}s, which spill them into one file per bucket of
 * {@link CsrBuildOptions#bucketNodes()} left nodes; (2) consecutive buckets are grouped into shards of at most
 * {@link CsrBuildOptions#edgesPerShard()} edges, and each shard is counting-sorted by left node in memory
 * (a count pass and a scatter pass over its spill files), each node's neighbours sorted and deduplicated,
 * and written as a left neighbour shard; (3) right shards are filled by scanning the finished left shards
 * sequentially, once per range of right nodes that fits the budget, which yields each right node's neighbours
 * already sorted. Passes 2 and 3 run {@link CsrBuildOptions#threads()} shards at once. Heap use is about
 * {@code threads * edgesPerShard * 4} bytes (8 when weighted) plus 4 bytes per node; disk use is the spill
 * (8 bytes per edge, 12 weighted) plus the store.
 *
 * <p>Threading: {@link #newSink()} may be called from any thread; each {@link Sink} belongs to one producer
 * thread. {@link #build} runs once, after every sink is closed. Errors in any pass abort the build; the
 * caller's {@link io.pinsage.csr.format.Publication} then discards the half-written generation.
 */
public final class CsrBuilder {

    private static final int SINK_BUFFER_INTS = 1 << 14;
    private static final int READ_BUFFER_BYTES = 1 << 22;

    private final Path out;
    private final Path spill;
    private final CsrBuildOptions options;
    private final int recordInts;
    private final List<Sink> sinks = new ArrayList<>();
    private boolean built;

    /**
     * @param out   directory the store files are written into (a publication's generation directory)
     * @param spill directory for spill files, created if absent (a publication's scratch directory)
     */
    public CsrBuilder(Path out, Path spill, CsrBuildOptions options) throws IOException {
        this.out = out;
        this.spill = spill;
        this.options = options;
        this.recordInts = options.weighted() ? 3 : 2;
        Files.createDirectories(spill);
    }

    public CsrBuildOptions options() {
        return options;
    }

    /**
     * Refuses a build that could not fit the heap, before any of it is allocated: about 8 bytes per left node
     * (degrees, and a shard's cursor), 4 bytes per right node per thread plus one (degree counts), and
     * {@code min(edgesPerShard, edges)} edges of 4 bytes (8 when the output is weighted) per thread sorting at once.
     * O(1).
     *
     * @param edges the edges to build, or an upper bound
     * @throws IllegalArgumentException naming the counts, the estimate and the heap's maximum
     */
    public static void requireHeap(int leftCount, int rightCount, long edges, CsrBuildOptions options) {
        long perShard = Math.min(options.edgesPerShard(), edges);
        long sorting = Math.min(options.threads(), Math.max(1, (edges + options.edgesPerShard() - 1) / options.edgesPerShard()));
        long bytes = ResourceLimits.plus(ResourceLimits.plus(ResourceLimits.bytes(leftCount, 8),
                        ResourceLimits.bytes(rightCount, 4L * (options.threads() + 1))),
                ResourceLimits.bytes(sorting * perShard, options.weightedOutput() ? 8 : 4));
        ResourceLimits.requireHeap("leftCount=" + leftCount + " rightCount=" + rightCount + " edges=" + edges + " threads="
                + options.threads() + " edgesPerShard=" + options.edgesPerShard(), bytes,
                "fewer nodes (ids must be dense, 0..n-1), fewer threads or edges per shard, or a larger heap");
    }

    /** A new sink for one producer thread. */
    public synchronized Sink newSink() {
        if (built) {
            throw new IllegalStateException("build already ran");
        }
        Sink s = new Sink(sinks.size());
        sinks.add(s);
        return s;
    }

    /**
     * Receives the edges of one producer and spills them by left-node bucket. Not thread-safe: one thread.
     * Cost of {@link #add}: a division, an array store, and every {@code 2^14} ints a file write.
     */
    public final class Sink implements AutoCloseable {
        private final int id;
        private int[][] buffers = new int[0][];
        private int[] fill = new int[0];
        private FileChannel[] channels = new FileChannel[0];
        private final ByteBuffer io = ByteBuffer.allocateDirect(SINK_BUFFER_INTS * 4).order(StoreFileFormat.BYTE_ORDER);
        private long edges;
        private int maxLeft = -1;
        private int maxRight = -1;
        private boolean closed;

        private Sink(int id) {
            this.id = id;
        }

        /** Adds an edge of weight 1 (the only kind on an unweighted build). */
        public void add(int left, int right) throws IOException {
            add(left, right, 1f);
        }

        /**
         * Adds an edge.
         *
         * @throws IllegalArgumentException if an id is negative, or the build is weighted and the weight is not
         *                                  positive and finite
         */
        public void add(int left, int right, float weight) throws IOException {
            if ((left | right) < 0) {
                throw new IllegalArgumentException("edge (" + left + ", " + right + "): ids must be >= 0");
            }
            int b = left / options.bucketNodes();
            if (b >= buffers.length) {
                grow(b + 1);
            }
            int[] buf = buffers[b];
            int f = fill[b];
            if (buf == null) {
                buf = buffers[b] = new int[SINK_BUFFER_INTS - SINK_BUFFER_INTS % recordInts];
            } else if (f == buf.length) {
                flush(b);
                f = 0;
            }
            buf[f] = left;
            buf[f + 1] = right;
            if (recordInts == 3) {
                if (!EdgeWeight.valid(weight)) {
                    throw new IllegalArgumentException("edge (" + left + ", " + right + ") weight=" + weight + ": must be positive and finite");
                }
                buf[f + 2] = Float.floatToRawIntBits(weight);
            }
            fill[b] = f + recordInts;
            edges++;
            maxLeft = Math.max(maxLeft, left);
            maxRight = Math.max(maxRight, right);
        }

        public long edges() {
            return edges;
        }

        private void grow(int n) {
            buffers = Arrays.copyOf(buffers, n);
            fill = Arrays.copyOf(fill, n);
            channels = Arrays.copyOf(channels, n);
        }

        private void flush(int b) throws IOException {
            if (fill[b] == 0) {
                return;
            }
            if (channels[b] == null) {
                channels[b] = FileChannel.open(spillFile(b, id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            io.clear();
            io.asIntBuffer().put(buffers[b], 0, fill[b]);
            io.limit(fill[b] * 4);
            FileWrites.write(channels[b], io, spillFile(b, id));
            fill[b] = 0;
        }

        /** Flushes and closes this sink's spill files; the edges then belong to the build. */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            for (int b = 0; b < buffers.length; b++) {
                flush(b);
                if (channels[b] != null) {
                    channels[b].close();
                }
            }
            buffers = null;
        }
    }

    private Path spillFile(int bucket, int sink) {
        return spill.resolve("b" + bucket + "-s" + sink + ".edges");
    }

    /** A shard to build: left nodes [from, to), fed by the spill files of buckets [firstBucket, lastBucket]. */
    private record Range(int from, int to, long edges) {
    }

    /**
     * Sorts the spilled edges into CSR shards for both directions and writes the offsets files.
     *
     * @param leftCount  number of left nodes; every spilled left id must be below it
     * @param rightCount number of right nodes; every spilled right id must be below it
     * @throws IllegalArgumentException naming the offending id if one is out of range, or the counts if the build
     *                                  could not fit the heap ({@link #requireHeap})
     * @throws IllegalStateException    if a sink is still open or build already ran
     */
    public synchronized CsrBuildStats build(int leftCount, int rightCount) throws IOException {
        if (built) {
            throw new IllegalStateException("build already ran");
        }
        built = true;
        long edgesIn = 0;
        int maxLeft = -1, maxRight = -1;
        for (Sink s : sinks) {
            if (!s.closed) {
                throw new IllegalStateException("sink " + s.id + " is still open: close every sink before build");
            }
            edgesIn += s.edges;
            maxLeft = Math.max(maxLeft, s.maxLeft);
            maxRight = Math.max(maxRight, s.maxRight);
        }
        if (maxLeft >= leftCount || maxRight >= rightCount || leftCount < 0 || rightCount < 0) {
            throw new IllegalArgumentException("largest ids seen: left " + maxLeft + ", right " + maxRight
                    + "; out of range for leftCount=" + leftCount + " rightCount=" + rightCount);
        }
        requireHeap(leftCount, rightCount, edgesIn, options);
        long spillBytes = 0;
        try (var files = Files.list(spill)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                spillBytes += Files.size(p);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "csr-build");
            t.setDaemon(true);
            return t;
        });
        try (Arena arena = Arena.ofShared()) {
            List<Range> ranges = planLeft(leftCount);
            List<LeftShard> left = buildLeft(pool, ranges, rightCount);
            int[] rightDegree = new int[rightCount];
            long edgesOut = 0;
            for (LeftShard s : left) {
                edgesOut += s.edges;
            }
            for (int[] d : rightDegrees) {
                for (int v = 0; v < rightCount; v++) {
                    rightDegree[v] += d[v];
                }
            }
            rightDegrees.clear();
            writeOffsets(Side.LEFT, leftCount, edgesOut, left.stream().map(s -> s.degree).toList());
            deleteSpill();
            for (LeftShard s : left) {
                s.open(arena);
            }
            List<int[]> rightRanges = planRight(rightDegree);
            buildRight(pool, rightRanges, rightDegree, left);
            writeOffsets(Side.RIGHT, rightCount, edgesOut, List.of(rightDegree));
            return new CsrBuildStats(edgesIn, edgesOut, leftCount, rightCount, left.size(), rightRanges.size(), spillBytes);
        } finally {
            pool.shutdownNow();
            deleteSpill();
        }
    }

    private void deleteSpill() throws IOException {
        try (var files = Files.list(spill)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Groups consecutive buckets into shards of at most edgesPerShard edges, splitting buckets that exceed it. */
    private List<Range> planLeft(int leftCount) throws IOException {
        int buckets = (int) ((leftCount + (long) options.bucketNodes() - 1) / options.bucketNodes());
        List<Range> ranges = new ArrayList<>();
        int from = 0;
        long edges = 0;
        for (int b = 0; b < buckets; b++) {
            int bFrom = b * options.bucketNodes();
            int bTo = (int) Math.min(leftCount, (long) bFrom + options.bucketNodes());
            long e = bucketEdges(b);
            if (edges + e > options.edgesPerShard() && bFrom > from) {
                ranges.add(new Range(from, bFrom, edges));
                from = bFrom;
                edges = 0;
            }
            if (e > options.edgesPerShard()) {
                splitBucket(b, bFrom, bTo, ranges);
                from = bTo;
                continue;
            }
            edges += e;
        }
        if (from < leftCount || ranges.isEmpty()) {
            ranges.add(new Range(from, leftCount, edges));
        }
        return ranges;
    }

    private long bucketEdges(int b) throws IOException {
        long bytes = 0;
        for (Sink s : sinks) {
            Path f = spillFile(b, s.id);
            if (Files.exists(f)) {
                bytes += Files.size(f);
            }
        }
        return bytes / (4L * recordInts);
    }

    /** A bucket too big for one shard: count its nodes' degrees and cut it into ranges that fit. */
    private void splitBucket(int b, int bFrom, int bTo, List<Range> ranges) throws IOException {
        int[] degree = new int[bTo - bFrom];
        scan(bFrom, bTo, (l, r, w) -> degree[l - bFrom]++);
        int from = bFrom;
        long edges = 0;
        for (int u = bFrom; u < bTo; u++) {
            int d = degree[u - bFrom];
            if (edges + d > options.edgesPerShard() && u > from) {
                ranges.add(new Range(from, u, edges));
                from = u;
                edges = 0;
            }
            edges += d;
        }
        ranges.add(new Range(from, bTo, edges));
    }

    @FunctionalInterface
    private interface EdgeVisitor {
        void visit(int left, int right, int weightBits);
    }

    /** Reads every spilled edge whose left node lies in [from, to). */
    private void scan(int from, int to, EdgeVisitor visitor) throws IOException {
        int firstBucket = from / options.bucketNodes();
        int lastBucket = (to - 1) / options.bucketNodes();
        ByteBuffer buf = ByteBuffer.allocateDirect(READ_BUFFER_BYTES - READ_BUFFER_BYTES % (4 * recordInts)).order(StoreFileFormat.BYTE_ORDER);
        int[] ints = new int[buf.capacity() / 4];
        for (int b = firstBucket; b <= lastBucket && to > from; b++) {
            for (Sink s : sinks) {
                Path f = spillFile(b, s.id);
                if (!Files.exists(f)) {
                    continue;
                }
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    buf.clear();
                    while (ch.read(buf) > 0 || buf.position() > 0) {
                        buf.flip();
                        int n = buf.remaining() / (4 * recordInts) * recordInts;
                        IntBuffer ib = buf.asIntBuffer();
                        ib.get(ints, 0, n);
                        buf.position(4 * n);
                        buf.compact();
                        for (int i = 0; i < n; i += recordInts) {
                            int l = ints[i];
                            if (l >= from && l < to) {
                                visitor.visit(l, ints[i + 1], recordInts == 3 ? ints[i + 2] : ONE_BITS);
                            }
                        }
                        if (n == 0) {
                            break;
                        }
                    }
                }
            }
        }
    }

    private static final int ONE_BITS = Float.floatToRawIntBits(1f);

    /** A written left shard: its node range, the post-policy degree of each node, and (later) its mapping. */
    private final class LeftShard {
        final int index;
        final int from;
        final int[] degree;
        final long edges;
        MemorySegment neighbors;
        MemorySegment weights;

        LeftShard(int index, int from, int[] degree, long edges) {
            this.index = index;
            this.from = from;
            this.degree = degree;
            this.edges = edges;
        }

        void open(Arena arena) throws IOException {
            neighbors = MappedStoreFile.open(out.resolve(CsrLayout.neighbors(Side.LEFT, index)), NeighborShardFormat.NEIGHBORS, arena).body();
            if (options.weightedOutput()) {
                weights = MappedStoreFile.open(out.resolve(CsrLayout.weights(Side.LEFT, index)), NeighborShardFormat.WEIGHTS, arena).body();
            }
        }
    }

    private final List<int[]> rightDegrees = new ArrayList<>();
    private final ThreadLocal<int[]> localRightDegree = new ThreadLocal<>();

    private int[] rightDegreeOfThisThread(int rightCount) {
        int[] d = localRightDegree.get();
        if (d == null) {
            d = new int[rightCount];
            localRightDegree.set(d);
            synchronized (rightDegrees) {
                rightDegrees.add(d);
            }
        }
        return d;
    }

    private List<LeftShard> buildLeft(ExecutorService pool, List<Range> ranges, int rightCount) throws IOException {
        List<Future<LeftShard>> futures = new ArrayList<>();
        CompletableFuture<Long> previousEnd = CompletableFuture.completedFuture(0L);
        for (int k = 0; k < ranges.size(); k++) {
            int index = k;
            Range range = ranges.get(k);
            CompletableFuture<Long> firstEdge = previousEnd;
            CompletableFuture<Long> end = new CompletableFuture<>();
            previousEnd = end;
            futures.add(pool.submit(() -> {
                try {
                    LeftShard s = sortLeftShard(index, range, firstEdge, end, rightCount);
                    return s;
                } catch (Throwable t) {
                    end.completeExceptionally(t);
                    throw t;
                }
            }));
        }
        List<LeftShard> shards = new ArrayList<>();
        for (Future<LeftShard> f : futures) {
            shards.add(await(f));
        }
        return shards;
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    private LeftShard sortLeftShard(int index, Range range, CompletableFuture<Long> firstEdge, CompletableFuture<Long> end,
                                    int rightCount) throws IOException {
        int n = range.to - range.from;
        int[] degree = new int[n];
        int from = range.from;
        scan(range.from, range.to, (l, r, w) -> degree[l - from]++);
        int[] cursor = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            cursor[i] = (int) total;
            total += degree[i];
        }
        if (total > options.edgesPerShard() && Arrays.stream(degree).max().orElse(0) < total) {
            throw new IllegalStateException("shard " + index + " holds " + total + " edges, planned " + range.edges);
        }
        int m = (int) total;
        boolean keyed = options.weightedOutput();
        int[] nbr = keyed ? null : new int[m];
        long[] keys = keyed ? new long[m] : null;
        if (keyed) {
            scan(range.from, range.to, (l, r, w) -> keys[cursor[l - from]++] = ((long) r << 32) | (w & 0xffffffffL));
        } else {
            scan(range.from, range.to, (l, r, w) -> nbr[cursor[l - from]++] = r);
        }
        int[] rightDegree = rightDegreeOfThisThread(rightCount);
        int write = 0;
        int read = 0;
        for (int i = 0; i < n; i++) {
            int d = degree[i];
            int kept = keyed ? sortKeys(keys, read, d, write) : sortIds(nbr, read, d, write);
            for (int j = write; j < write + kept; j++) {
                rightDegree[keyed ? (int) (keys[j] >>> 32) : nbr[j]]++;
            }
            degree[i] = kept;
            read += d;
            write += kept;
        }
        try (StoreFileWriter nw = new StoreFileWriter(out.resolve(CsrLayout.neighbors(Side.LEFT, index)), NeighborShardFormat.NEIGHBORS, 1 << 22);
             StoreFileWriter ww = keyed ? new StoreFileWriter(out.resolve(CsrLayout.weights(Side.LEFT, index)), NeighborShardFormat.WEIGHTS, 1 << 22) : null) {
            if (keyed) {
                writeKeys(keys, write, nw, ww);
            } else {
                nw.putInts(nbr, 0, write);
            }
            long first = firstEdge.join();
            long[] counts = {range.from, n, first, write, Side.LEFT.ordinal()};
            nw.finish(counts);
            if (ww != null) {
                ww.finish(counts);
            }
            end.complete(first + write);
        }
        return new LeftShard(index, range.from, degree, write);
    }

    /** Sorts ids[read, read+d), applies the duplicate policy, moves the result to ids[write, ...); returns its length. */
    private int sortIds(int[] ids, int read, int d, int write) {
        Arrays.sort(ids, read, read + d);
        if (options.duplicates() == DuplicatePolicy.KEEP) {
            System.arraycopy(ids, read, ids, write, d);
            return d;
        }
        int w = write;
        for (int j = read; j < read + d; j++) {
            if (w == write || ids[w - 1] != ids[j]) {
                ids[w++] = ids[j];
            }
        }
        return w - write;
    }

    /** As {@link #sortIds} for (id, weight bits) keys; SUM adds the weights of equal ids. */
    private int sortKeys(long[] keys, int read, int d, int write) {
        Arrays.sort(keys, read, read + d);
        if (options.duplicates() == DuplicatePolicy.KEEP) {
            System.arraycopy(keys, read, keys, write, d);
            return d;
        }
        int w = write;
        for (int j = read; j < read + d; j++) {
            if (w > write && (keys[w - 1] >>> 32) == (keys[j] >>> 32)) {
                if (options.duplicates() == DuplicatePolicy.SUM) {
                    float sum = Float.intBitsToFloat((int) keys[w - 1]) + Float.intBitsToFloat((int) keys[j]);
                    keys[w - 1] = (keys[w - 1] & 0xffffffff00000000L) | (Float.floatToRawIntBits(sum) & 0xffffffffL);
                }
            } else {
                keys[w++] = keys[j];
            }
        }
        return w - write;
    }

    private static void writeKeys(long[] keys, int count, StoreFileWriter nw, StoreFileWriter ww) throws IOException {
        int[] ids = new int[Math.min(count, 1 << 16)];
        float[] ws = new float[ids.length];
        for (int base = 0; base < count; base += ids.length) {
            int n = Math.min(ids.length, count - base);
            for (int i = 0; i < n; i++) {
                long k = keys[base + i];
                ids[i] = (int) (k >>> 32);
                ws[i] = Float.intBitsToFloat((int) k);
            }
            nw.putInts(ids, 0, n);
            ww.putFloats(ws, 0, n);
        }
    }

    /** Cuts the right nodes into ranges of at most edgesPerShard edges (a bigger node gets a range alone). */
    private List<int[]> planRight(int[] degree) {
        List<int[]> ranges = new ArrayList<>();
        int from = 0;
        long edges = 0;
        for (int v = 0; v < degree.length; v++) {
            if (edges + degree[v] > options.edgesPerShard() && v > from) {
                ranges.add(new int[] {from, v});
                from = v;
                edges = 0;
            }
            edges += degree[v];
        }
        ranges.add(new int[] {from, degree.length});
        return ranges;
    }

    private void buildRight(ExecutorService pool, List<int[]> ranges, int[] degree, List<LeftShard> left) throws IOException {
        long[] firstEdge = new long[ranges.size()];
        long e = 0;
        for (int k = 0; k < ranges.size(); k++) {
            firstEdge[k] = e;
            for (int v = ranges.get(k)[0]; v < ranges.get(k)[1]; v++) {
                e += degree[v];
            }
        }
        List<Future<Void>> futures = new ArrayList<>();
        for (int k = 0; k < ranges.size(); k++) {
            int index = k;
            futures.add(pool.submit(() -> {
                fillRightShard(index, ranges.get(index)[0], ranges.get(index)[1], firstEdge[index], degree, left);
                return null;
            }));
        }
        for (Future<Void> f : futures) {
            await(f);
        }
    }

    private void fillRightShard(int index, int from, int to, long firstEdge, int[] degree, List<LeftShard> left) throws IOException {
        int n = to - from;
        int[] cursor = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            cursor[i] = (int) total;
            total += degree[from + i];
        }
        int m = (int) total;
        int[] nbr = new int[m];
        float[] wgt = options.weightedOutput() ? new float[m] : null;
        for (LeftShard s : left) {
            MemorySegment seg = s.neighbors;
            long pos = 0;
            for (int i = 0; i < s.degree.length; i++) {
                int u = s.from + i;
                long stop = pos + s.degree[i];
                for (; pos < stop; pos++) {
                    int v = seg.getAtIndex(StoreFileFormat.INT, pos) - from;
                    if (v >= 0 && v < n) {
                        int p = cursor[v]++;
                        nbr[p] = u;
                        if (wgt != null) {
                            wgt[p] = s.weights.getAtIndex(StoreFileFormat.FLOAT, pos);
                        }
                    }
                }
            }
        }
        long[] counts = {from, n, firstEdge, m, Side.RIGHT.ordinal()};
        try (StoreFileWriter nw = new StoreFileWriter(out.resolve(CsrLayout.neighbors(Side.RIGHT, index)), NeighborShardFormat.NEIGHBORS, 1 << 22)) {
            nw.putInts(nbr, 0, m);
            nw.finish(counts);
        }
        if (wgt != null) {
            try (StoreFileWriter ww = new StoreFileWriter(out.resolve(CsrLayout.weights(Side.RIGHT, index)), NeighborShardFormat.WEIGHTS, 1 << 22)) {
                ww.putFloats(wgt, 0, m);
                ww.finish(counts);
            }
        }
    }

    private void writeOffsets(Side side, int nodeCount, long edges, List<int[]> degrees) throws IOException {
        long[] chunk = new long[1 << 16];
        int fill = 0;
        long offset = 0;
        int max = 0;
        try (StoreFileWriter w = new StoreFileWriter(out.resolve(CsrLayout.offsets(side)), OffsetsFormat.INSTANCE, 1 << 22)) {
            chunk[fill++] = 0;
            for (int[] deg : degrees) {
                for (int d : deg) {
                    offset += d;
                    max = Math.max(max, d);
                    if (fill == chunk.length) {
                        w.putLongs(chunk, 0, fill);
                        fill = 0;
                    }
                    chunk[fill++] = offset;
                }
            }
            w.putLongs(chunk, 0, fill);
            if (offset != edges) {
                throw new IllegalStateException(side + " offsets end at " + offset + ", expected " + edges);
            }
            w.finish(nodeCount, edges, max, side.ordinal());
        }
    }
}
