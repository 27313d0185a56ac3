package io.pinsage.nn.model;

import io.pinsage.nn.backend.Activation;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Tensor;

import io.pinsage.nn.backend.Tensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * PinSage: an {@link InputProjection}, {@code K} {@link ConvolveLayer}s, then G1 (dense + ReLU) and G2 (dense),
 * optionally L2-normalised, evaluated on a {@link ComputationGraph} with an explicit backward pass. With
 * {@code K = 0} the head reads {@code h⁰} itself: each node is embedded from its own inputs, its graph lists the
 * outputs alone.
 *
 * <h2>Both sides of a bipartite graph</h2>
 * The model does not know about sides. Shared weights: one model, and node ids of both sides mapped into one
 * id space (for example items {@code [0, I)}, users {@code [I, I + U)}), possibly in the same graph. Separate
 * weights: one model per side, each with its own graphs and optimiser.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * Tensor z = model.forward(graph);          // outputs x outputDim, valid until the next forward
 * ... loss and dZ (gradient w.r.t. z) ...
 * model.zeroGradients();                    // or after the step
 * model.backward(dZ);                       // accumulates into every Parameter; dZ is overwritten
 * optimizer.step();
 * }</pre>
 * At most one backward pass per optimiser step when id embeddings are on (their sparse gradient is not
 * merged); more would throw {@link IllegalStateException}.
 *
 * <p>Threading: confined to the backend's thread. Allocation: none in steady state beyond view objects;
 * workspaces grow to the largest minibatch seen. Cost per step: dominated by the GEMMs,
 * {@code ≈ 2·(n_{k-1}·(in·hidden) + n_k·(in + hidden)·out)} flops per layer and direction, where layer 1's
 * {@code in} is the input's width rather than {@code h⁰}'s when {@code h⁰} is linear in the features
 * ({@link FoldedInput}: layer 0 holds most of a batch's nodes).
 */
public final class PinSageModel {

    private final Backend backend;
    private final PinSageConfig config;
    private final InputProjection input;
    private final ConvolveLayer[] convolve;
    /** The input layer and layer 1 together when {@code h⁰} is linear in the features, else null. */
    private final FoldedInput folded;
    private final DenseLayer g1;
    private final DenseLayer g2;
    private final List<Parameter> parameters;
    /** The gradients {@link #firstNonFiniteGradient()} checks, refilled on each call (sparse ones change shape). */
    private final List<Tensor> gradientsToCheck = new ArrayList<>();
    /** Two sets of device buffers for a graph's inputs: the one the last forward read, and one for {@link #stage}. */
    private final InputSet[] inputSets = new InputSet[2];
    /** The set the last forward read (its kernels may still be queued), or -1. */
    private int inUse = -1;
    private final Workspace[] hiddenGrads;
    private final Workspace denseGrad;
    private final Workspace layerGradient;
    private final Workspace output;
    private final Workspace outputNorms;
    private float[] hostFloats = new float[0];
    private final int[] layerCounts;
    private Tensor lastOutput;
    private Tensor lastNorms;

    /** A freshly initialised model (weights drawn from {@code config.seed()}). */
    public PinSageModel(Backend backend, PinSageConfig config) {
        this.backend = backend;
        this.config = config;
        Random random = new Random(config.seed());
        input = new InputProjection(backend, config.inputWidth(), config.idEmbeddings(), config.idEmbeddingDim(),
                config.inputDim(), random);
        convolve = new ConvolveLayer[config.layers()];
        layerCounts = new int[config.layers() + 1];
        hiddenGrads = new Workspace[config.layers()];
        int in = config.inputDim();
        for (int k = 1; k <= config.layers(); k++) {
            convolve[k - 1] = new ConvolveLayer(backend, "conv" + k, in, config.hiddenDim(), config.convolveDim(),
                    config.pooling(), random);
            hiddenGrads[k - 1] = new Workspace(backend, "h" + (k - 1) + ".grad", in);
            in = config.convolveDim();
        }
        folded = config.layers() > 0 && input.linearInInputs() ? new FoldedInput(backend, input, convolve[0]) : null;
        g1 = new DenseLayer(backend, "G1", in, config.denseDim(), Activation.RELU, random);
        g2 = new DenseLayer(backend, "G2", config.denseDim(), config.outputDim(), Activation.NONE, random);
        List<Parameter> all = new ArrayList<>(input.parameters());
        for (ConvolveLayer layer : convolve) {
            all.addAll(layer.parameters());
        }
        all.addAll(g1.parameters());
        all.addAll(g2.parameters());
        parameters = Collections.unmodifiableList(all);
        inputSets[0] = new InputSet(0);
        inputSets[1] = new InputSet(1);
        denseGrad = new Workspace(backend, "G1.grad", config.denseDim());
        output = new Workspace(backend, "embeddings", config.outputDim());
        outputNorms = new Workspace(backend, "embeddings.norms", 1);
        layerGradient = new Workspace(backend, "h" + config.layers() + ".grad", in);
    }

    /** The backend every tensor of this model lives on. */
    public Backend backend() {
        return backend;
    }

    /** The shape this model was built with. */
    public PinSageConfig config() {
        return config;
    }

    /** Every parameter in a fixed order (the order of model files): input, conv1..convK, G1, G2. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Parameter named {@code name}, or null. */
    public Parameter parameter(String name) {
        for (Parameter p : parameters) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** Clears every parameter's gradient. */
    public void zeroGradients() {
        for (Parameter p : parameters) {
            p.zeroGradient();
        }
    }

    /**
     * Uploads {@code graph}'s inputs (features, ids, neighbourhoods and their weights) ahead of its
     * {@link #forward}, into device buffers the last forward's kernels do not read: a trainer stages the next
     * minibatch while the current step still runs on the device, so the transfers, and a backend's preparation of
     * the neighbourhoods ({@link Backend#prepareNeighborhood}), leave the step's critical path. Optional: a forward
     * of a graph that was not staged uploads it itself. A staging serves the next forward only, and only if that
     * forward is of the same graph object; its contents must not change in between.
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public void stage(ComputationGraph graph) {
        checkFits(graph);
        InputSet set = inputSets[inUse == 0 ? 1 : 0];
        set.upload(graph);
        set.staged = true;
        for (int k = 1; k <= config.layers(); k++) {
            backend.prepareNeighborhood(set.offsets[k], set.neighbours[k]);
        }
    }

    /**
     * Computes the embeddings of {@code graph}'s {@code outputCount()} output nodes, uploading its inputs first
     * unless {@link #stage} already did.
     *
     * @return {@code outputCount x outputDim}, a view valid until the next forward
     * @throws IllegalArgumentException if the graph's layer count, feature width or ids do not fit this model
     */
    public Tensor forward(ComputationGraph graph) {
        InputSet free = inputSets[inUse == 0 ? 1 : 0];
        InputSet set = free;
        if (!free.staged || free.graph != graph) {
            // Not staged: the set in use is rewritten (the backend orders the upload after the kernels still reading
            // it), so a caller that never stages keeps one set of input buffers, however large its graphs.
            set = inputSets[Math.max(inUse, 0)];
            checkFits(graph);
            set.upload(graph);
        }
        free.staged = false;
        inUse = set.index;
        for (int k = 0; k <= graph.layers(); k++) {
            layerCounts[k] = graph.nodeCount(k);
        }
        Tensor h;
        int k = 1;
        if (folded != null) {
            h = folded.forward(set.x, graph.nodeCount(1), set.offsets[1], set.neighbours[1], set.alpha[1]);
            k = 2;
        } else {
            h = input.forward(graph.nodeCount(0), set.x, set.nodeIds, set.gradientSlots, set.gradientRows);
        }
        for (; k <= config.layers(); k++) {
            h = convolve[k - 1].forward(h, graph.nodeCount(k), set.offsets[k], set.neighbours[k], set.alpha[k]);
        }
        lastOutput = head(h);
        return lastOutput;
    }

    /**
     * The layers after the last CONVOLVE: G1, G2 and, if configured, normalisation, for rows of {@code h^K}
     * (used alone by inference that runs the model layer by layer).
     *
     * @return {@code rows x outputDim}, a view valid until the next call or forward
     */
    public Tensor head(Tensor hK) {
        Tensor y = g2.forward(g1.forward(hK));
        if (config.normalizeOutput()) {
            Tensor out = output.rows(y.rows());
            lastNorms = outputNorms.rows(y.rows());
            backend.l2Normalize(y, out, lastNorms);
            y = out;
        }
        return y;
    }

    private void checkFits(ComputationGraph graph) {
        if (graph.layers() != config.layers() || graph.featureDim() != config.featureDim()) {
            throw new IllegalArgumentException("graph " + graph + " does not fit the model: layers="
                    + config.layers() + " featureDim=" + config.featureDim());
        }
        if (config.idEmbeddings() > 0) {
            int[] idArray = graph.nodeIds();
            for (int i = 0; i < graph.nodeCount(0); i++) {
                if (!config.hasIdRow(idArray[i])) {
                    throw new IllegalArgumentException("graph node " + i + " has id " + idArray[i]
                            + " outside the id embedding table of " + config.idEmbeddings() + " rows");
                }
            }
        }
    }

    /**
     * Device buffers holding one graph's inputs. {@link #stage} writes the set the last forward did not read, so its
     * upload never waits for kernels that read the other; a forward of a graph that was not staged rewrites the set in
     * use, so the second set exists only for callers that stage.
     */
    private final class InputSet {
        final int index;
        final Workspace inputs;
        final Workspace ids;
        final Workspace slotSpace;
        final Workspace sharedRowSpace;
        final Workspace[] offsetSpace;
        final Workspace[] neighbourSpace;
        final Workspace[] weightSpace;
        final IndexBuffer[] offsets;
        final IndexBuffer[] neighbours;
        final Tensor[] alpha;
        /** The graph these buffers hold, or null. */
        ComputationGraph graph;
        /** Whether {@link #stage} filled this set and no forward has read it yet. */
        boolean staged;
        Tensor x;
        /** Each layer-0 node's row of the id table. */
        IndexBuffer nodeIds;
        /** With a hashed table: each node's place in {@link #gradientRows}, the distinct rows; else null. */
        IndexBuffer gradientSlots;
        IndexBuffer gradientRows;

        InputSet(int index) {
            this.index = index;
            int layers = config.layers();
            inputs = new Workspace(backend, "graph.inputs" + suffix(), Math.max(1, config.inputWidth()));
            ids = new Workspace(backend, "graph.ids" + suffix(), 1);
            slotSpace = new Workspace(backend, "graph.idSlots" + suffix(), 1);
            sharedRowSpace = new Workspace(backend, "graph.idRows" + suffix(), 1);
            offsetSpace = new Workspace[layers + 1];
            neighbourSpace = new Workspace[layers + 1];
            weightSpace = new Workspace[layers + 1];
            offsets = new IndexBuffer[layers + 1];
            neighbours = new IndexBuffer[layers + 1];
            alpha = new Tensor[layers + 1];
            for (int k = 1; k <= layers; k++) {
                offsetSpace[k] = new Workspace(backend, "graph.offsets" + k + suffix(), 1);
                neighbourSpace[k] = new Workspace(backend, "graph.neighbours" + k + suffix(), 1);
                weightSpace[k] = new Workspace(backend, "graph.alpha" + k + suffix(), 1);
            }
        }

        private String suffix() {
            return index == 0 ? "" : "'";
        }

        void upload(ComputationGraph g) {
            graph = null;
            int n0 = g.nodeCount(0);
            x = config.inputWidth() > 0 ? uploadInputs(g, inputs) : null;
            nodeIds = null;
            gradientSlots = null;
            gradientRows = null;
            if (config.sharesIdRows()) {
                uploadHashedRows(g.nodeIds(), n0);
            } else if (config.idEmbeddings() > 0) {
                nodeIds = ids.ints(n0);
                backend.upload(g.nodeIds(), 0, nodeIds);
            }
            for (int k = 1; k <= config.layers(); k++) {
                offsets[k] = offsetSpace[k].ints(g.offsets(k).length);
                backend.upload(g.offsets(k), 0, offsets[k]);
                neighbours[k] = neighbourSpace[k].ints(g.neighbours(k).length);
                backend.upload(g.neighbours(k), 0, neighbours[k]);
                alpha[k] = weightSpace[k].rows(g.weights(k).length);
                backend.upload(g.weights(k), 0, alpha[k]);
            }
            graph = g;
        }

        /**
         * The rows of a hashed table: each node's row for the gather, and since nodes may share a row, the distinct
         * rows and each node's place among them, so that the sparse gradient sums the shares of a row once.
         */
        private void uploadHashedRows(int[] nodeIdArray, int n0) {
            int[] rows = new int[n0];
            for (int i = 0; i < n0; i++) {
                rows[i] = config.idRow(nodeIdArray[i]);
            }
            int[] distinct = java.util.Arrays.stream(rows).sorted().distinct().toArray();
            int[] slots = new int[n0];
            for (int i = 0; i < n0; i++) {
                slots[i] = java.util.Arrays.binarySearch(distinct, rows[i]);
            }
            nodeIds = ids.ints(n0);
            backend.upload(rows, 0, nodeIds);
            gradientSlots = slotSpace.ints(n0);
            backend.upload(slots, 0, gradientSlots);
            gradientRows = sharedRowSpace.ints(distinct.length);
            backend.upload(distinct, 0, gradientRows);
        }
    }

    private Tensor uploadInputs(ComputationGraph graph, Workspace inputs) {
        int n0 = graph.nodeCount(0);
        int width = config.inputWidth();
        int f = config.featureDim();
        if (hostFloats.length < n0 * width) {
            hostFloats = new float[n0 * width];
        }
        float[] features = graph.features();
        float[] logDegrees = graph.logDegrees();
        for (int i = 0; i < n0; i++) {
            System.arraycopy(features, i * f, hostFloats, i * width, f);
            if (config.useLogDegree()) {
                hostFloats[i * width + f] = logDegrees[i];
            }
        }
        Tensor x = inputs.rows(n0);
        backend.upload(hostFloats, 0, x);
        return x;
    }

    /**
     * Accumulates every parameter's gradient for {@code dEmbeddings} ({@code ∂L/∂z} of the last forward's
     * output, same shape; overwritten).
     *
     * @throws IllegalStateException without a preceding forward, or on a second backward with id embeddings
     *                               before the optimiser stepped
     */
    public void backward(Tensor dEmbeddings) {
        if (lastOutput == null) {
            throw new IllegalStateException("backward without a forward pass");
        }
        if (dEmbeddings.rows() != lastOutput.rows() || dEmbeddings.cols() != lastOutput.cols()) {
            throw new IllegalArgumentException("backward: gradient " + Tensor.describe(dEmbeddings)
                    + " does not match the output " + Tensor.describe(lastOutput));
        }
        int outputs = lastOutput.rows();
        if (config.normalizeOutput()) {
            backend.l2NormalizeBackward(lastOutput, lastNorms, dEmbeddings, dEmbeddings);
        }
        Tensor dDense = denseGrad.rows(outputs);
        g2.backward(dEmbeddings, dDense);
        Tensor dH = layerGradient.rows(outputs);
        g1.backward(dDense, dH);
        for (int k = config.layers(); k >= (folded != null ? 2 : 1); k--) {
            Tensor dPrev = hiddenGrads[k - 1].rows(layerCounts[k - 1]);
            convolve[k - 1].backward(dH, dPrev);
            dH = dPrev;
        }
        if (folded != null) {
            folded.backward(dH);
        } else {
            input.backward(dH);
        }
    }

    /**
     * Writes the configuration and every parameter to {@code file} in {@link ModelFormat} (codec
     * {@link ModelFormat#MODEL_CODEC}), atomically. Waits for preceding operations.
     */
    public void save(Path file) throws IOException {
        List<ModelFormat.NamedMatrix> matrices = new ArrayList<>(parameters.size());
        for (Parameter p : parameters) {
            Tensor v = p.value();
            matrices.add(new ModelFormat.NamedMatrix(p.name(), v.rows(), v.cols(), Tensors.toArray(v)));
        }
        ModelFormat.write(file, ModelFormat.MODEL_CODEC, config.toMap(), matrices);
    }

    /**
     * Reads a model written by {@link #save} onto {@code backend}.
     *
     * @throws CorruptModelFileException if the file is damaged, or its configuration or parameters do not
     *                                   describe a consistent model
     */
    public static PinSageModel load(Path file, Backend backend) throws IOException {
        ModelFormat.Contents contents = ModelFormat.read(file, ModelFormat.MODEL_CODEC);
        PinSageConfig config;
        try {
            config = PinSageConfig.fromMap(contents.metadata());
        } catch (IllegalArgumentException e) {
            throw new CorruptModelFileException(file, "bad configuration: " + e.getMessage(), e);
        }
        PinSageModel model = new PinSageModel(backend, config);
        for (Parameter p : model.parameters) {
            ModelFormat.NamedMatrix m = contents.matrix(p.name());
            Tensor v = p.value();
            if (m == null || m.rows() != v.rows() || m.cols() != v.cols()) {
                throw new CorruptModelFileException(file, "parameter " + Tensor.describe(v) + " is "
                        + (m == null ? "missing" : "stored as " + m.rows() + "x" + m.cols()));
            }
            backend.upload(m.values(), 0, v);
        }
        return model;
    }

    /**
     * Names the first activation of the last forward pass, in computation order, that holds a NaN or an
     * infinity ({@code h0 (input layer)}, {@code conv1.messages}, {@code conv1.h}, ..., {@code G1.out},
     * {@code G2.out}), or returns null when all are finite: where a diverged step went wrong. Waits for
     * preceding operations; O(activations), meant for after a non-finite loss.
     */
    public String firstNonFiniteActivation() {
        if (lastOutput == null) {
            return null;
        }
        if (!backend.allFinite(input.lastOutput())) {
            return "h0 (input layer: id embeddings, features, log-degree)";
        }
        for (int k = 1; k <= config.layers(); k++) {
            Tensor[] acts = convolve[k - 1].lastActivations();
            if (!backend.allFinite(acts[0])) {
                return "conv" + k + ".messages";
            }
            if (!backend.allFinite(acts[1])) {
                return "conv" + k + ".h";
            }
        }
        if (!backend.allFinite(g1.lastOutput())) {
            return "G1.out";
        }
        if (!backend.allFinite(g2.lastOutput())) {
            return "G2.out";
        }
        return backend.allFinite(lastOutput) ? null : "embeddings";
    }

    /**
     * Names the first parameter (in {@link #parameters()} order) whose accumulated gradient holds a NaN or an
     * infinity, as {@code name.grad}, or returns null. Waits for preceding operations; one check of all the
     * gradients together ({@link Backend#allFinite(List)}: one device read-back), and one per parameter only when
     * that finds a non-finite value.
     */
    public String firstNonFiniteGradient() {
        gradientsToCheck.clear();
        for (Parameter p : parameters) {
            Tensor g = p.isSparse() ? p.sparseGradient() : p.gradient();
            if (g != null) {
                gradientsToCheck.add(g);
            }
        }
        if (backend.allFinite(gradientsToCheck)) {
            return null;
        }
        for (Parameter p : parameters) {
            Tensor g = p.isSparse() ? p.sparseGradient() : p.gradient();
            if (g != null && !backend.allFinite(g)) {
                return p.name() + ".grad";
            }
        }
        return null;
    }

    /** The input layer. */
    public InputProjection inputLayer() {
        return input;
    }

    /** CONVOLVE layer {@code k}, {@code 1 <= k <= K}. */
    public ConvolveLayer convolveLayer(int k) {
        return convolve[k - 1];
    }

    /** G1 (dense + ReLU). */
    public DenseLayer g1() {
        return g1;
    }

    /** G2 (dense, linear). */
    public DenseLayer g2() {
        return g2;
    }
}
