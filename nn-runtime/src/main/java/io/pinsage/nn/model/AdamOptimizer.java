package io.pinsage.nn.model;

import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam over a list of {@link Parameter}s: dense parameters take {@link Backend#adam}, sparse ones (id
 * embedding tables) take the lazy {@link Backend#sparseAdam} on the rows their last backward pass touched.
 * Moments live on the backend beside the parameters. The configuration may change between steps (learning
 * rate schedules).
 *
 * <p>{@link #save}/{@link #load} persist the step count, configuration and moments in {@link ModelFormat}
 * (codec {@link ModelFormat#OPTIMIZER_CODEC}) so a resumed run continues exactly. Confined to the backend's
 * thread.
 */
public final class AdamOptimizer {

    private final Backend backend;
    private final List<Parameter> parameters;
    private final Tensor[] firstMoments;
    private final Tensor[] secondMoments;
    private AdamConfig config;
    private AdamConfig sparseConfig;
    private long steps;

    /** Zero moments for every parameter. */
    public AdamOptimizer(Backend backend, List<Parameter> parameters, AdamConfig config) {
        this.backend = backend;
        this.parameters = List.copyOf(parameters);
        this.config = config;
        this.sparseConfig = config;
        firstMoments = new Tensor[parameters.size()];
        secondMoments = new Tensor[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) {
            Tensor v = parameters.get(i).value();
            firstMoments[i] = backend.allocate(parameters.get(i).name() + ".m", v.rows(), v.cols());
            secondMoments[i] = backend.allocate(parameters.get(i).name() + ".v", v.rows(), v.cols());
        }
    }

    /**
     * Applies one update from the accumulated gradients, then clears them (dense gradients to zero, sparse
     * ones forgotten). A sparse parameter without a recorded gradient is left alone.
     */
    public void step() {
        steps++;
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            if (p.isSparse()) {
                if (p.sparseRows() != null) {
                    backend.sparseAdam(sparseConfig, steps, p.value(), p.sparseRows(), p.sparseGradient(), firstMoments[i],
                            secondMoments[i]);
                }
            } else {
                backend.adam(config, steps, p.value(), p.gradient(), firstMoments[i], secondMoments[i]);
            }
            p.zeroGradient();
        }
    }

    /** Number of steps taken (the bias-correction {@code t} of the last step). */
    public long steps() {
        return steps;
    }

    /** The current hyper-parameters. */
    public AdamConfig config() {
        return config;
    }

    /** The hyper-parameters of sparse parameters (id embedding tables). */
    public AdamConfig sparseConfig() {
        return sparseConfig;
    }

    /** Replaces the hyper-parameters of every parameter from the next step on. */
    public void setConfig(AdamConfig config) {
        setConfig(config, config);
    }

    /**
     * Replaces the hyper-parameters from the next step on: {@code dense} for dense parameters, {@code sparse}
     * for sparse ones (embedding tables often want a larger learning rate than the weights).
     */
    public void setConfig(AdamConfig dense, AdamConfig sparse) {
        this.config = dense;
        this.sparseConfig = sparse;
    }

    /** Writes step, configuration and moments atomically. Waits for preceding operations. */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("steps", Long.toString(steps));
        putConfig(meta, "", config);
        putConfig(meta, "sparse.", sparseConfig);
        List<ModelFormat.NamedMatrix> matrices = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            for (Tensor t : new Tensor[] {firstMoments[i], secondMoments[i]}) {
                matrices.add(new ModelFormat.NamedMatrix(t.name(), t.rows(), t.cols(), Tensors.toArray(t)));
            }
        }
        ModelFormat.write(file, ModelFormat.OPTIMIZER_CODEC, meta, matrices);
    }

    /**
     * Restores what {@link #save} wrote, for the same parameter list.
     *
     * @throws CorruptModelFileException if the file is damaged or its moments do not match the parameters
     */
    public void load(Path file) throws IOException {
        ModelFormat.Contents contents = ModelFormat.read(file, ModelFormat.OPTIMIZER_CODEC);
        Map<String, String> meta = contents.metadata();
        long restoredSteps;
        AdamConfig restored;
        AdamConfig restoredSparse;
        try {
            restoredSteps = Long.parseLong(require(meta, "steps"));
            restored = readConfig(meta, "");
            // Files from before sparse settings existed used one configuration for every parameter.
            restoredSparse = meta.containsKey("sparse.learningRate") ? readConfig(meta, "sparse.") : restored;
        } catch (IllegalArgumentException e) {
            throw new CorruptModelFileException(file, "bad optimiser metadata: " + e.getMessage(), e);
        }
        for (int i = 0; i < parameters.size(); i++) {
            for (Tensor t : new Tensor[] {firstMoments[i], secondMoments[i]}) {
                ModelFormat.NamedMatrix m = contents.matrix(t.name());
                if (m == null || m.rows() != t.rows() || m.cols() != t.cols()) {
                    throw new CorruptModelFileException(file, "moment " + Tensor.describe(t) + " is "
                            + (m == null ? "missing" : "stored as " + m.rows() + "x" + m.cols()));
                }
            }
        }
        for (int i = 0; i < parameters.size(); i++) {
            for (Tensor t : new Tensor[] {firstMoments[i], secondMoments[i]}) {
                backend.upload(contents.matrix(t.name()).values(), 0, t);
            }
        }
        steps = restoredSteps;
        config = restored;
        sparseConfig = restoredSparse;
    }

    private static void putConfig(Map<String, String> meta, String prefix, AdamConfig c) {
        meta.put(prefix + "learningRate", Float.toString(c.learningRate()));
        meta.put(prefix + "beta1", Float.toString(c.beta1()));
        meta.put(prefix + "beta2", Float.toString(c.beta2()));
        meta.put(prefix + "epsilon", Float.toString(c.epsilon()));
        meta.put(prefix + "weightDecay", Float.toString(c.weightDecay()));
    }

    private static AdamConfig readConfig(Map<String, String> meta, String prefix) {
        return new AdamConfig(Float.parseFloat(require(meta, prefix + "learningRate")),
                Float.parseFloat(require(meta, prefix + "beta1")), Float.parseFloat(require(meta, prefix + "beta2")),
                Float.parseFloat(require(meta, prefix + "epsilon")), Float.parseFloat(require(meta, prefix + "weightDecay")));
    }

    private static String require(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
        return v;
    }
}
