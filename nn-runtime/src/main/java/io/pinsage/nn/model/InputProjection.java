package io.pinsage.nn.model;

import io.pinsage.nn.backend.Activation;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The input layer {@code h⁰_u = [x_u ; log(1+deg u)]·P + E[id u] + b}: a linear projection of content features
 * and log-degree, plus a learnable id embedding where the data has no (or too few) content features.
 *
 * <p>Linear on purpose: the first CONVOLVE layer applies {@code ReLU(Q·h + q)} to it anyway, and a ReLU here
 * would zero half of every id embedding's directions. The id table {@code E} is a sparse {@link Parameter}
 * (lazy Adam touches only the rows of the batch's nodes): its gradient rows are {@code ∂L/∂h⁰} of the batch,
 * valid until the next forward. Confined to the backend's thread.
 */
public final class InputProjection {

    private final Backend backend;
    private final int inputWidth;
    private final Parameter projection;
    private final Parameter bias;
    private final Parameter idEmbeddings;
    private final Workspace output;
    private Tensor input;
    private IndexBuffer ids;

    /**
     * @param inputWidth  columns of the input matrix (features, plus one for log-degree when used); 0 if none
     * @param idCount     rows of the id embedding table, 0 for none
     * @throws IllegalArgumentException if there is no input at all or a size is negative
     */
    InputProjection(Backend backend, int inputWidth, int idCount, int dim, Random random) {
        if (inputWidth < 0 || idCount < 0 || dim < 1 || (inputWidth == 0 && idCount == 0)) {
            throw new IllegalArgumentException("input projection: inputWidth=" + inputWidth + " idCount=" + idCount
                    + " dim=" + dim + " (expected features, log-degree or id embeddings, and dim >= 1)");
        }
        this.backend = backend;
        this.inputWidth = inputWidth;
        this.projection = inputWidth > 0 ? Parameter.glorot(backend, "input.P", inputWidth, dim, random) : null;
        this.bias = Parameter.dense(backend, "input.b", 1, dim, null);
        this.idEmbeddings = idCount > 0
                ? Parameter.sparseNormal(backend, "input.E", idCount, dim, 0.1f, random) : null;
        this.output = new Workspace(backend, "h0", dim);
    }

    /**
     * Computes {@code h⁰} for {@code rows} nodes from their input matrix {@code x} ({@code rows x inputWidth},
     * null when the width is 0) and their distinct ids (null without id embeddings).
     */
    public Tensor forward(int rows, Tensor x, IndexBuffer nodeIds) {
        input = x;
        ids = nodeIds;
        Tensor h = output.rows(rows);
        if (idEmbeddings != null) {
            backend.gatherRows(idEmbeddings.value(), nodeIds, h);
        }
        if (projection != null) {
            backend.gemm(false, false, 1f, x, projection.value(), idEmbeddings != null ? 1f : 0f, h);
        }
        backend.biasActivation(h, bias.value(), Activation.NONE, h);
        return h;
    }

    /** Accumulates parameter gradients for {@code dH} ({@code ∂L/∂h⁰}), which must stay untouched until the optimiser steps. */
    public void backward(Tensor dH) {
        backend.biasActivationBackward(Activation.NONE, dH, dH, dH, bias.gradient());
        if (projection != null) {
            backend.gemm(true, false, 1f, input, dH, 1f, projection.gradient());
        }
        if (idEmbeddings != null) {
            idEmbeddings.setSparseGradient(ids, dH);
        }
    }

    /** Columns of the input matrix this layer expects. */
    public int inputWidth() {
        return inputWidth;
    }

    /** {@code [P, b, E]}, those that exist. */
    public List<Parameter> parameters() {
        List<Parameter> list = new ArrayList<>(3);
        if (projection != null) {
            list.add(projection);
        }
        list.add(bias);
        if (idEmbeddings != null) {
            list.add(idEmbeddings);
        }
        return list;
    }
}
