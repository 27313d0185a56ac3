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
    private long steps;

    /** Zero moments for every parameter. */
    public AdamOptimizer(Backend backend, List<Parameter> parameters, AdamConfig config) {
        this.backend = backend;
        this.parameters = List.copyOf(parameters);
        this.config = config;
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
                    backend.sparseAdam(config, steps, p.value(), p.sparseRows(), p.sparseGradient(), firstMoments[i],
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

    /** Replaces the hyper-parameters from the next step on. */
    public void setConfig(AdamConfig config) {
        this.config = config;
    }

    /** Writes step, configuration and moments atomically. Waits for preceding operations. */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("steps", Long.toString(steps));
        meta.put("learningRate", Float.toString(config.learningRate()));
        meta.put("beta1", Float.toString(config.beta1()));
        meta.put("beta2", Float.toString(config.beta2()));
        meta.put("epsilon", Float.toString(config.epsilon()));
        meta.put("weightDecay", Float.toString(config.weightDecay()));
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
        try {
            restoredSteps = Long.parseLong(require(meta, "steps"));
            restored = new AdamConfig(Float.parseFloat(require(meta, "learningRate")),
                    Float.parseFloat(require(meta, "beta1")), Float.parseFloat(require(meta, "beta2")),
                    Float.parseFloat(require(meta, "epsilon")), Float.parseFloat(require(meta, "weightDecay")));
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
    }

    private static String require(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
        return v;
    }
}
