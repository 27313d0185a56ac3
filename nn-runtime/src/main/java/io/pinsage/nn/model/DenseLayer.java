package io.pinsage.nn.model;

import io.pinsage.nn.backend.Activation;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Tensor;

import java.util.List;
import java.util.Random;

/**
 * {@code Y = act(X·W + b)} with {@code W: in x out}, {@code b: 1 x out}: PinSage's G1 (ReLU) and G2 (linear).
 *
 * <p>{@link #forward} keeps a reference to its input for {@link #backward}; the returned output is a view of
 * this layer's workspace, valid until the next forward. Confined to the backend's thread; allocation-free
 * once the workspace has grown to the largest batch. Cost: {@code 2·rows·in·out} flops each way (three GEMMs
 * backward, the input gradient skipped when not wanted).
 */
public final class DenseLayer {

    private final Backend backend;
    private final Activation activation;
    private final Parameter weight;
    private final Parameter bias;
    private final Workspace output;
    private Tensor input;
    private Tensor lastOutput;

    DenseLayer(Backend backend, String name, int in, int out, Activation activation, Random random) {
        this.backend = backend;
        this.activation = activation;
        this.weight = Parameter.glorot(backend, name + ".W", in, out, random);
        this.bias = Parameter.dense(backend, name + ".b", 1, out, null);
        this.output = new Workspace(backend, name + ".out", out);
    }

    /** Computes the output for {@code x} ({@code rows x in}). */
    public Tensor forward(Tensor x) {
        input = x;
        Tensor y = output.rows(x.rows());
        backend.gemm(false, false, 1f, x, weight.value(), 0f, y);
        backend.biasActivation(y, bias.value(), activation, y);
        lastOutput = y;
        return y;
    }

    /**
     * Accumulates the parameter gradients for upstream gradient {@code dY} (overwritten: it becomes the
     * pre-activation gradient) and writes the input gradient into {@code dX} unless it is null.
     */
    public void backward(Tensor dY, Tensor dX) {
        backend.biasActivationBackward(activation, lastOutput, dY, dY, bias.gradient());
        backend.gemm(true, false, 1f, input, dY, 1f, weight.gradient());
        if (dX != null) {
            backend.gemm(false, true, 1f, dY, weight.value(), 0f, dX);
        }
    }

    /** Output width. */
    public int outputDim() {
        return weight.value().cols();
    }

    /** {@code [W, b]}. */
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
