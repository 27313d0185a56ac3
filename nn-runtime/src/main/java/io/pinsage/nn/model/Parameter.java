package io.pinsage.nn.model;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Tensor;

import java.util.Random;

/**
 * A learnable tensor with its gradient. Dense parameters keep a gradient tensor of their own shape, which
 * backward passes accumulate into; <em>sparse</em> ones (large id embedding tables) instead record which
 * rows the last backward pass touched and those rows' gradients ({@link #sparseRows()},
 * {@link #sparseGradient()}), so that an optimiser step costs O(touched rows), not O(table).
 *
 * <p>Ownership: the value and gradient tensors belong to this parameter (and the backend that allocated
 * them); the sparse gradient views belong to the layer that set them and stay valid until that layer's next
 * forward pass. Threading: confined to the backend's thread.
 */
public final class Parameter {

    private final String name;
    private final Tensor value;
    private final Tensor gradient;
    private IndexBuffer sparseRows;
    private Tensor sparseGradient;

    private Parameter(String name, Tensor value, Tensor gradient) {
        this.name = name;
        this.value = value;
        this.gradient = gradient;
    }

    /** A dense parameter initialised Glorot-uniform ({@code ±sqrt(6 / (rows + cols))}) from {@code random}. */
    static Parameter glorot(Backend backend, String name, int rows, int cols, Random random) {
        if ((long) rows * cols > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(name + " rows=" + rows + " cols=" + cols + ": rows·cols must be below 2^31 - 64");
        }
        float limit = (float) Math.sqrt(6.0 / (rows + cols));
        float[] init = new float[rows * cols];
        for (int i = 0; i < init.length; i++) {
            init[i] = (2 * random.nextFloat() - 1) * limit;
        }
        return dense(backend, name, rows, cols, init);
    }

    /** A dense parameter with the given initial values (zeros when {@code init} is null). */
    static Parameter dense(Backend backend, String name, int rows, int cols, float[] init) {
        Tensor value = backend.allocate(name, rows, cols);
        if (init != null) {
            backend.upload(init, 0, value);
        }
        return new Parameter(name, value, backend.allocate(name + ".grad", rows, cols));
    }

    /** A sparse parameter (embedding table) initialised from a normal distribution with deviation {@code std}. */
    static Parameter sparseNormal(Backend backend, String name, int rows, int cols, float std, Random random) {
        Tensor value = backend.allocate(name, rows, cols);
        // Blocks of rows bound the host buffer for large tables while keeping uploads few (each may be a DMA).
        int blockRows = Math.max(1, Math.min(rows, (1 << 20) / cols));
        float[] block = new float[blockRows * cols];
        for (int r0 = 0; r0 < rows; r0 += blockRows) {
            int r1 = Math.min(rows, r0 + blockRows);
            for (int i = 0; i < (r1 - r0) * cols; i++) {
                block[i] = (float) (random.nextGaussian() * std);
            }
            backend.upload(block, 0, value.rows(r0, r1));
        }
        return new Parameter(name, value, null);
    }

    /** The name under which model files store it, for example {@code "conv1.W_self"}. */
    public String name() {
        return name;
    }

    /** The current value. */
    public Tensor value() {
        return value;
    }

    /** Whether gradients arrive as touched rows ({@link #sparseRows()}) instead of a dense tensor. */
    public boolean isSparse() {
        return gradient == null;
    }

    /** The accumulated dense gradient; null for a sparse parameter. */
    public Tensor gradient() {
        return gradient;
    }

    /** Distinct rows touched by the last backward pass, or null if none since {@link #zeroGradient()}. */
    public IndexBuffer sparseRows() {
        return sparseRows;
    }

    /** Gradient rows matching {@link #sparseRows()}, or null. */
    public Tensor sparseGradient() {
        return sparseGradient;
    }

    /**
     * Records the gradient of a sparse parameter.
     *
     * @throws IllegalStateException if a gradient is already recorded: two backward passes before one
     *                               optimiser step would need their rows merged, which this type does not do
     */
    void setSparseGradient(IndexBuffer rows, Tensor gradientRows) {
        if (sparseRows != null) {
            throw new IllegalStateException("parameter " + name + " already holds a sparse gradient: step the"
                    + " optimiser (or zero gradients) between backward passes");
        }
        sparseRows = rows;
        sparseGradient = gradientRows;
    }

    /** Clears the gradient: zero-fills a dense one, forgets the touched rows of a sparse one. */
    public void zeroGradient() {
        if (gradient != null) {
            value.backend().fill(gradient, 0f);
        }
        sparseRows = null;
        sparseGradient = null;
    }

    @Override
    public String toString() {
        return "Parameter " + Tensor.describe(value) + (isSparse() ? " (sparse)" : "");
    }
}
