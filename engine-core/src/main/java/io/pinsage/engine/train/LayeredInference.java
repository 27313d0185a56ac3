package io.pinsage.engine.train;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStoreWriter;
import io.pinsage.csr.format.FileWrites;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.engine.util.StageProgress;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Embeds every node into an embedding store layer by layer, out of core, as PinSage's MapReduce inference: stage 0
 * projects every node's inputs into {@code h⁰}; for each CONVOLVE layer k, a <em>map</em> stage computes every node's
 * message {@code ReLU(Q·h^{k-1} + q)} once, and a <em>reduce</em> stage joins each node's neighbourhood row with
 * those messages and pools, concatenates, applies the dense layer and normalises; after the last layer (after stage 0
 * for a model without CONVOLVE layers) the head (G1, G2, normalisation) writes the rows of the store. Each stage's
 * rows go to a mapped scratch file in the work directory, so no layer's activations are held in the heap, and every
 * stage walks the nodes in chunks whose size follows the memory budget. The math is the model's own
 * ({@link io.pinsage.nn.model.ConvolveLayer#messages}, {@link io.pinsage.nn.model.ConvolveLayer#reduce},
 * {@link PinSageModel#head}) on the model's backend.
 *
 * <p>Resumable: after each chunk its rows are forced to disk and a progress record (stage, chunk) replaces the last
 * one; a run killed at any point and started again with the same model, node count and chunk size continues after
 * the last recorded chunk, and produces the same bytes as an uninterrupted run. The store is published only when
 * the last chunk is done, atomically; until then the previous generation stays current. The work directory is
 * deleted after the store is published.
 *
 * <p>Threading: the caller's thread, which must own the model's backend. Memory: heap and device buffers of one
 * chunk ({@code chunkRows × T × hiddenDim} floats for the gathered messages dominate), independent of the node
 * count; disk: {@code nodeCount × (d_{k-1} + hidden + d_k)} floats at most, one layer's, the outputs standing for
 * {@code d_k} in the last: a stage deletes the scratch files no later stage reads before it starts, and the outputs'
 * files are created by the last stage. Cost:
 * O(K · nodes · (T · hidden + d²)) flops, and per layer one read of every node's neighbourhood row and T random
 * reads of message rows per node.
 */
public final class LayeredInference {

    /**
     * One embedding store the run writes: nodes {@code [firstNode, firstNode + nodeCount)} of the run's node space,
     * in order, as rows {@code 0 .. nodeCount-1} of the store of {@code side} under {@code root}.
     */
    public record Output(Side side, Path root, int firstNode, int nodeCount) {
        public Output {
            Objects.requireNonNull(side, "side");
            Objects.requireNonNull(root, "root");
            if (firstNode < 0 || nodeCount < 0) {
                throw new IllegalArgumentException("firstNode=" + firstNode + " nodeCount=" + nodeCount + ": must be >= 0");
            }
        }
    }

    /**
     * What a run needs besides the model: the stores it writes (together covering the node space, each node once),
     * a work directory of its own (scratch files and the progress record; on the stores' file system), the model's
     * fingerprint and the memory budget that sizes the chunks.
     */
    public record Job(List<Output> outputs, Path workDirectory, String fingerprint, long memoryBudgetBytes) {
        public Job {
            outputs = List.copyOf(outputs);
            Objects.requireNonNull(workDirectory, "workDirectory");
            if (memoryBudgetBytes < 1) {
                throw new IllegalArgumentException("memoryBudgetBytes=" + memoryBudgetBytes + ": must be >= 1");
            }
        }

        /** One store of {@code side} under {@code root} holding every node. */
        public static Job single(Side side, Path root, int nodeCount, Path workDirectory, String fingerprint,
                                 long memoryBudgetBytes) {
            return new Job(List.of(new Output(side, root, 0, nodeCount)), workDirectory, fingerprint, memoryBudgetBytes);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LayeredInference.class);

    static final String PROGRESS = "progress";
    static final String OUTPUT_PREFIX = "embeddings.";

    private LayeredInference() {
    }

    /**
     * The name under which stage {@code stage} (0 .. 2K: the inputs, then the map and the reduce of each layer)
     * reports to a {@link StageProgress}: "input", "layer k map", "layer k reduce".
     */
    public static String stageName(int stage) {
        return stage == 0 ? "input" : "layer " + (stage + 1) / 2 + (stage % 2 == 1 ? " map" : " reduce");
    }

    /** Rows per chunk for {@code budget} bytes: the heap and device buffers of one chunk, at least one row. */
    public static int chunkRows(PinSageConfig c, int width, int nodeCount, long budget) {
        long widest = Math.max(Math.max(c.inputWidth(), c.inputDim()), Math.max(c.convolveDim(), Math.max(c.denseDim(), c.outputDim())));
        long perRow = 4L * (2L * width * (c.hiddenDim() + 2) + 6 * widest + 2 * c.hiddenDim());
        // Host buffers are int-indexed: a chunk's gathered messages and its widest rows must stay under 2^31 floats.
        long byArrays = (Integer.MAX_VALUE - 8) / Math.max((long) width * Math.max(c.hiddenDim(), 1), widest);
        return (int) Math.max(1, Math.min(Math.min(budget / perRow, byArrays), Math.max(nodeCount, 1)));
    }

    /**
     * Embeds nodes {@code 0 .. nodeCount-1} (ids of {@code hood} and {@code inputs}) into the job's stores.
     * Each stage the run executes starts a stage of {@code progress} named by {@link #stageName} counting "nodes",
     * told first the nodes a resumed stage had done, then the nodes done after each chunk, on the caller's thread.
     *
     * @return the published generations, in the order of the job's outputs
     *
     * @throws IllegalArgumentException if the inputs' feature width or an id table does not fit the model
     * @throws IOException              naming the file, if a scratch file or the store cannot be written (disk full:
     *                                  the previous generation stays current)
     */
    public static List<StoreGeneration> embedAll(PinSageModel model, ComputationGraphBuilder.Neighborhoods hood,
                                           ComputationGraphBuilder.NodeInputs inputs, int nodeCount, Job job,
                                           StageProgress progress) throws IOException {
        Objects.requireNonNull(progress, "progress");
        PinSageConfig c = model.config();
        if (inputs.featureDim() != c.featureDim()) {
            throw new IllegalArgumentException("featureDim=" + inputs.featureDim() + ": the model expects featureDim="
                    + c.featureDim());
        }
        if (c.idEmbeddings() != 0 && !c.sharesIdRows() && c.idEmbeddings() != nodeCount) {
            throw new IllegalArgumentException("nodeCount=" + nodeCount + ": the model's id table has idEmbeddings="
                    + c.idEmbeddings() + " rows");
        }
        long covered = 0;
        for (Output o : job.outputs()) {
            if ((long) o.firstNode() + o.nodeCount() > nodeCount) {
                throw new IllegalArgumentException("output " + o + ": beyond the node space of " + nodeCount + " nodes");
            }
            covered += o.nodeCount();
        }
        if (covered != nodeCount) {
            throw new IllegalArgumentException("outputs " + job.outputs() + " hold " + covered + " rows: expected the "
                    + nodeCount + " nodes, each once");
        }
        int chunk = chunkRows(c, hood.width(), nodeCount, job.memoryBudgetBytes());
        Files.createDirectories(job.workDirectory());
        Progress start = Progress.read(job.workDirectory(), job.fingerprint(), nodeCount, chunk);
        if (!start.filesPresent(job.workDirectory(), job.outputs().size(), 2 * model.config().layers())) {
            // A file the record relies on is gone (a store published by a run that died before the next): start over.
            LOG.info("{}: a work file its progress record relies on is gone; starting over", job.workDirectory());
            deleteWorkDirectory(job.workDirectory());
            Files.createDirectories(job.workDirectory());
            start = new Progress(0, 0);
        }
        if (start.stage() > 0 || start.chunk() > 0) {
            LOG.info("{}: resuming at {}, after node {} of {}", job.workDirectory(), stageName(start.stage()),
                    Math.min(start.chunk() * chunk, nodeCount), nodeCount);
        }
        try (Run run = new Run(model, hood, inputs, nodeCount, chunk, job, progress)) {
            return run.execute(start);
        }
    }

    /** Deletes the work directory and the files in it (it holds no sub-directories). */
    private static void deleteWorkDirectory(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /** Where a run is: the next chunk of a stage, for the model, node count and chunk size it was started with. */
    record Progress(int stage, long chunk) {
        static Progress read(Path dir, String fingerprint, int nodeCount, int chunk) throws IOException {
            Path file = dir.resolve(PROGRESS);
            if (Files.exists(file)) {
                String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
                if (f.length == 5 && f[0].equals(fingerprint) && f[1].equals(Integer.toString(nodeCount))
                        && f[2].equals(Integer.toString(chunk))) {
                    return new Progress(Integer.parseInt(f[3]), Long.parseLong(f[4]));
                }
            }
            // Another model, graph or chunk size: the scratch rows mean nothing for this run.
            deleteWorkDirectory(dir);
            Files.createDirectories(dir);
            return new Progress(0, 0);
        }

        /**
         * Whether the files a run resumed here reads exist: the stage's inputs, and the outputs' work files once the
         * last stage, {@code lastStage}, has written some of them.
         */
        boolean filesPresent(Path dir, int outputs, int lastStage) {
            if (stage == 0 && chunk == 0) {
                return true;
            }
            for (int i = 0; stage == lastStage && chunk > 0 && i < outputs; i++) {
                if (!Files.exists(dir.resolve(OUTPUT_PREFIX + i))) {
                    return false;
                }
            }
            int layer = (stage + 1) / 2;
            boolean reduce = stage > 0 && stage % 2 == 0;
            return (stage == 0 || Files.exists(dir.resolve("h" + (layer - 1))))
                    && (!reduce || Files.exists(dir.resolve("m" + layer)));
        }

        void write(Path dir, String fingerprint, int nodeCount, int chunk) throws IOException {
            Path tmp = dir.resolve(PROGRESS + ".tmp");
            FileWrites.writeString(tmp, fingerprint + " " + nodeCount + " " + chunk + " " + stage + " " + chunk() + "\n");
            Files.move(tmp, dir.resolve(PROGRESS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One run's buffers and scratch mappings. */
    private static final class Run implements AutoCloseable {
        private final PinSageModel model;
        private final PinSageConfig c;
        private final Backend backend;
        private final ComputationGraphBuilder.Neighborhoods hood;
        private final ComputationGraphBuilder.NodeInputs inputs;
        private final int nodeCount;
        private final int chunk;
        private final int width;
        private final Job job;
        private final StageProgress progress;
        private final float[] host;
        private final int[] ids;
        private final int[] offsets;
        private final int[] rowIds;
        private final float[] weights;
        private final Tensor input;
        private final Tensor selfInput;
        private final Tensor selfConvolved;
        private final Tensor gathered;
        private final Tensor alpha;
        private final IndexBuffer nodeIds;
        private final IndexBuffer offsetBuffer;
        private final IndexBuffer neighbourBuffer;

        Run(PinSageModel model, ComputationGraphBuilder.Neighborhoods hood, ComputationGraphBuilder.NodeInputs inputs,
            int nodeCount, int chunk, Job job, StageProgress progress) {
            this.model = model;
            this.c = model.config();
            this.backend = model.backend();
            this.hood = hood;
            this.inputs = inputs;
            this.nodeCount = nodeCount;
            this.chunk = chunk;
            this.width = hood.width();
            this.job = job;
            this.progress = progress;
            int widest = Math.max(Math.max(c.inputWidth(), c.inputDim()), Math.max(c.convolveDim(), c.outputDim()));
            int edges = chunk * width;
            host = new float[Math.max(chunk * widest, edges * c.hiddenDim())];
            ids = new int[chunk];
            offsets = new int[chunk + 1];
            rowIds = new int[edges];
            weights = new float[edges];
            input = c.inputWidth() > 0 ? backend.allocate("infer.x", chunk, c.inputWidth()) : null;
            nodeIds = c.idEmbeddings() > 0 ? backend.allocateIndex("infer.ids", chunk) : null;
            selfInput = backend.allocate("infer.h0", chunk, c.inputDim());
            selfConvolved = backend.allocate("infer.h", chunk, c.convolveDim());
            gathered = backend.allocate("infer.gathered", Math.max(edges, 1), c.hiddenDim());
            alpha = backend.allocate("infer.alpha", Math.max(edges, 1), 1);
            offsetBuffer = backend.allocateIndex("infer.offsets", chunk + 1);
            neighbourBuffer = backend.allocateIndex("infer.neighbours", Math.max(edges, 1));
        }

        List<StoreGeneration> execute(Progress start) throws IOException {
            int layers = c.layers();
            int stages = 2 * layers + 1;
            Path dir = job.workDirectory();
            List<EmbeddingStoreWriter> outs = new ArrayList<>();
            try {
                for (int stage = 0; stage < stages; stage++) {
                    int layer = (stage + 1) / 2;
                    boolean map = stage % 2 == 1;
                    boolean last = stage == stages - 1;
                    long chunks = (nodeCount + (long) chunk - 1) / chunk;
                    long first = stage < start.stage() ? chunks : stage == start.stage() ? start.chunk() : 0;
                    // also for a stage a resumed run skips: what that stage no longer reads, no later one does
                    releaseScratchBefore(layer);
                    if (last) {
                        // Opened for the last stage only, which writes them: the earlier stages' scratch and the
                        // outputs are never on disk together.
                        for (Output o : job.outputs()) {
                            outs.add(EmbeddingStoreWriter.resume(o.root(), dir.resolve(OUTPUT_PREFIX + outs.size()),
                                    o.side(), o.nodeCount(), c.outputDim(), job.fingerprint(), c.normalizeOutput()));
                        }
                    }
                    if (first >= chunks) {
                        continue;
                    }
                    int inDim = layer <= 1 ? c.inputDim() : c.convolveDim();
                    // Each stage maps its files in an arena of its own, so a file the next stages no longer read is
                    // unmapped, and its disk space returned, once it is deleted.
                    try (Arena mapped = Arena.ofShared()) {
                        MemorySegment messages = map || stage == 0 ? null : scratch("m" + layer, c.hiddenDim(), mapped);
                        MemorySegment previous = stage == 0 ? null : scratch("h" + (layer - 1), inDim, mapped);
                        MemorySegment target = last ? null
                                : stage == 0 ? scratch("h0", c.inputDim(), mapped)
                                : map ? scratch("m" + layer, c.hiddenDim(), mapped)
                                : scratch("h" + layer, c.convolveDim(), mapped);
                        LongConsumer done = progress.start(stageName(stage), "nodes", nodeCount);
                        if (first > 0) {
                            done.accept(first * chunk);
                        }
                        for (long j = first; j < chunks; j++) {
                            int from = (int) (j * chunk);
                            int rows = (int) Math.min(chunk, nodeCount - (long) from);
                            Tensor result = stage == 0 ? projectInputs(from, rows)
                                    : map ? model.convolveLayer(layer).messages(upload(previous, from, rows, inDim))
                                    : reduce(layer, previous, messages, from, rows, inDim);
                            backend.download(result, host, 0);
                            if (last) {
                                storeOutputs(outs, from, rows);
                            } else {
                                store(target, result.cols(), from, rows);
                            }
                            // A finished stage is recorded as the next one's start, so a resumed run does not look
                            // for the files that stage released.
                            Progress next = j + 1 == chunks && !last ? new Progress(stage + 1, 0) : new Progress(stage, j + 1);
                            next.write(dir, job.fingerprint(), nodeCount, chunk);
                            done.accept(from + (long) rows);
                        }
                    }
                }
                List<StoreGeneration> published = new ArrayList<>();
                for (EmbeddingStoreWriter out : outs) {
                    published.add(out.commit());
                }
                deleteWorkDirectory(dir);
                return published;
            } finally {
                for (EmbeddingStoreWriter out : outs) {
                    out.close();
                }
            }
        }

        /** Rows {@code [from, from + rows)} of the host buffer into the stores whose nodes they are. */
        private void storeOutputs(List<EmbeddingStoreWriter> outs, int from, int rows) {
            int dim = c.outputDim();
            for (int i = 0; i < outs.size(); i++) {
                Output o = job.outputs().get(i);
                int lo = Math.max(from, o.firstNode());
                int hi = (int) Math.min((long) from + rows, (long) o.firstNode() + o.nodeCount());
                if (lo < hi) {
                    MemorySegment slice = outs.get(i).rows().asSlice(4L * (lo - o.firstNode()) * dim, 4L * (hi - lo) * dim);
                    MemorySegment.copy(host, (lo - from) * dim, slice, StoreFileFormat.FLOAT, 0, (hi - lo) * dim);
                    slice.force();
                }
            }
        }

        private Tensor projectInputs(int from, int rows) {
            int f = c.featureDim();
            int w = c.inputWidth();
            if (input != null) {
                for (int i = 0; i < rows; i++) {
                    inputs.copyFeatures(from + i, host, i * w);
                    if (c.useLogDegree()) {
                        host[i * w + f] = inputs.logDegree(from + i);
                    }
                }
                backend.upload(host, 0, input.rows(0, rows));
            }
            IndexBuffer idView = null;
            if (nodeIds != null) {
                for (int i = 0; i < rows; i++) {
                    ids[i] = c.idRow(from + i);
                }
                idView = nodeIds.slice(0, rows);
                backend.upload(ids, 0, idView);
            }
            Tensor h0 = model.inputLayer().forward(rows, input == null ? null : input.rows(0, rows), idView);
            // without CONVOLVE layers this stage is the last
            return c.layers() == 0 ? model.head(h0) : h0;
        }

        private Tensor upload(MemorySegment rowsOf, int from, int rows, int dim) {
            Tensor t = (dim == c.inputDim() ? selfInput : selfConvolved).rows(0, rows);
            MemorySegment.copy(rowsOf, ValueLayout.JAVA_FLOAT, 4L * from * dim, host, 0, rows * dim);
            backend.upload(host, 0, t);
            return t;
        }

        private Tensor reduce(int layer, MemorySegment previous, MemorySegment messages, int from, int rows, int inDim) {
            int hidden = c.hiddenDim();
            int edges = 0;
            offsets[0] = 0;
            for (int i = 0; i < rows; i++) {
                int n = hood.read(from + i, rowIds, weights, edges);
                for (int e = edges; e < edges + n; e++) {
                    MemorySegment.copy(messages, ValueLayout.JAVA_FLOAT, 4L * rowIds[e] * hidden, host, e * hidden, hidden);
                    rowIds[e] = e;
                }
                edges += n;
                offsets[i + 1] = edges;
            }
            Tensor m = gathered.rows(0, Math.max(edges, 1));
            backend.upload(host, 0, m);
            backend.upload(weights, 0, alpha.rows(0, Math.max(edges, 1)));
            backend.upload(offsets, 0, offsetBuffer.slice(0, rows + 1));
            backend.upload(rowIds, 0, neighbourBuffer.slice(0, Math.max(edges, 1)));
            Tensor selfRows = upload(previous, from, rows, inDim);
            Tensor h = model.convolveLayer(layer).reduce(selfRows, m, offsetBuffer.slice(0, rows + 1),
                    neighbourBuffer.slice(0, Math.max(edges, 1)), alpha.rows(0, Math.max(edges, 1)));
            return layer == c.layers() ? model.head(h) : h;
        }

        /** The chunk's rows, first in the host buffer, as rows {@code [from, from + rows)} of a scratch file. */
        private void store(MemorySegment target, int dim, int from, int rows) {
            MemorySegment slice = target.asSlice(4L * from * dim, 4L * rows * dim);
            MemorySegment.copy(host, 0, slice, ValueLayout.JAVA_FLOAT, 0, rows * dim);
            slice.force();
        }

        /**
         * Deletes the scratch files no stage of {@code layer} or later reads: {@code h^j} for {@code j < layer - 1} and
         * the messages {@code m^j} for {@code j < layer}. Disk in use then peaks at {@code h^{k-1}}, {@code m^k} and
         * {@code h^k} (or the outputs) of one layer, not the sum over all layers.
         */
        private void releaseScratchBefore(int layer) throws IOException {
            for (int j = 0; j < layer; j++) {
                if (j < layer - 1) {
                    Files.deleteIfExists(job.workDirectory().resolve("h" + j));
                }
                if (j > 0) {
                    Files.deleteIfExists(job.workDirectory().resolve("m" + j));
                }
            }
        }

        /** The scratch file {@code name} of {@code dim} floats per node, mapped in {@code arena}; created zeroed if absent. */
        private MemorySegment scratch(String name, int dim, Arena arena) throws IOException {
            Path file = job.workDirectory().resolve(name);
            long bytes = 4L * nodeCount * dim;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                // Written out before mapping: a full disk fails here, naming the file, not as a fault on a store.
                FileWrites.allocate(ch, bytes, file);
                return ch.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(bytes, 1), arena).asSlice(0, bytes);
            }
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {input, selfInput, selfConvolved, gathered, alpha}) {
                if (t != null) {
                    t.close();
                }
            }
            for (IndexBuffer b : new IndexBuffer[] {nodeIds, offsetBuffer, neighbourBuffer}) {
                if (b != null) {
                    b.close();
                }
            }
        }
    }
}
