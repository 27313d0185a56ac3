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
 * and log-degree, plus a learnable id embedding where the data has no (or too few) content features. An id
 * table narrower (or wider) than {@code h⁰} is projected too: {@code E[id u]·P_E} takes the place of
 * {@code E[id u]}.
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
    private final Parameter idProjection;
    private final Workspace idRows;
    private final Workspace idRowGradient;
    private final Workspace sharedRowGradient;
    private final Workspace output;
    private Tensor input;
    private IndexBuffer ids;
    private IndexBuffer gradientSlots;
    private IndexBuffer gradientRows;
    private Tensor lastOutput;

    /**
     * @param inputWidth  columns of the input matrix (features, plus one for log-degree when used); 0 if none
     * @param idCount     rows of the id embedding table, 0 for none
     * @param idDim       columns of the id embedding table; when it differs from {@code dim} they are projected
     * @throws IllegalArgumentException if there is no input at all or a size is negative
     */
    InputProjection(Backend backend, int inputWidth, int idCount, int idDim, int dim, Random random) {
        if (inputWidth < 0 || idCount < 0 || dim < 1 || (inputWidth == 0 && idCount == 0)) {
            throw new IllegalArgumentException("input projection: inputWidth=" + inputWidth + " idCount=" + idCount
                    + " dim=" + dim + " (expected features, log-degree or id embeddings, and dim >= 1)");
        }
        this.backend = backend;
        this.inputWidth = inputWidth;
        this.projection = inputWidth > 0 ? Parameter.glorot(backend, "input.P", inputWidth, dim, random) : null;
        this.bias = Parameter.dense(backend, "input.b", 1, dim, null);
        this.idEmbeddings = idCount > 0
                ? Parameter.sparseNormal(backend, "input.E", idCount, idDim, 0.1f, random) : null;
        boolean projected = idCount > 0 && idDim != dim;
        this.idProjection = projected ? Parameter.glorot(backend, "input.P_E", idDim, dim, random) : null;
        this.idRows = projected ? new Workspace(backend, "input.E.rows", idDim) : null;
        this.idRowGradient = projected ? new Workspace(backend, "input.E.rows.grad", idDim) : null;
        this.sharedRowGradient = idCount > 0 ? new Workspace(backend, "input.E.shared.grad", idDim) : null;
        this.output = new Workspace(backend, "h0", dim);
    }

    /**
     * Computes {@code h⁰} for {@code rows} nodes from their input matrix {@code x} ({@code rows x inputWidth},
     * null when the width is 0) and their distinct ids (null without id embeddings).
     */
    public Tensor forward(int rows, Tensor x, IndexBuffer nodeIds) {
        return forward(rows, x, nodeIds, null, null);
    }

    /**
     * As {@link #forward(int, Tensor, IndexBuffer)} for ids that may repeat (a hashed table, where nodes share
     * rows): {@code nodeIds} gives each node's table row, {@code gradientRows} the distinct rows and
     * {@code gradientSlots} each node's place among them, so that the backward pass sums the gradients of a shared
     * row before the sparse update. Both null: the ids are distinct.
     */
    public Tensor forward(int rows, Tensor x, IndexBuffer nodeIds, IndexBuffer gradientSlots, IndexBuffer gradientRows) {
        input = x;
        ids = nodeIds;
        this.gradientSlots = gradientSlots;
        this.gradientRows = gradientRows;
        Tensor h = output.rows(rows);
        if (idProjection != null) {
            Tensor e = idRows.rows(rows);
            backend.gatherRows(idEmbeddings.value(), nodeIds, e);
            backend.gemm(false, false, 1f, e, idProjection.value(), 0f, h);
        } else if (idEmbeddings != null) {
            backend.gatherRows(idEmbeddings.value(), nodeIds, h);
        }
        if (projection != null) {
            backend.gemm(false, false, 1f, x, projection.value(), idEmbeddings != null ? 1f : 0f, h);
        }
        backend.biasActivation(h, bias.value(), Activation.NONE, h);
        lastOutput = h;
        return h;
    }

    /** The output of the last forward pass, or null before the first. */
    Tensor lastOutput() {
        return lastOutput;
    }

    /** Accumulates parameter gradients for {@code dH} ({@code ∂L/∂h⁰}), which must stay untouched until the optimiser steps. */
    public void backward(Tensor dH) {
        backend.biasActivationBackward(Activation.NONE, dH, dH, dH, bias.gradient());
        if (projection != null) {
            backend.gemm(true, false, 1f, input, dH, 1f, projection.gradient());
        }
        if (idProjection != null) {
            Tensor e = idRows.rows(dH.rows());
            backend.gemm(true, false, 1f, e, dH, 1f, idProjection.gradient());
            Tensor dE = idRowGradient.rows(dH.rows());
            backend.gemm(false, true, 1f, dH, idProjection.value(), 0f, dE);
            setIdGradient(dE);
        } else if (idEmbeddings != null) {
            setIdGradient(dH);
        }
    }

    private void setIdGradient(Tensor perNode) {
        if (gradientSlots == null) {
            idEmbeddings.setSparseGradient(ids, perNode);
            return;
        }
        Tensor perRow = sharedRowGradient.rows(gradientRows.length());
        backend.fill(perRow, 0f);
        backend.scatterAddRows(perNode, gradientSlots, perRow);
        idEmbeddings.setSparseGradient(gradientRows, perRow);
    }

    /**
     * Whether {@code h⁰ = x·P + b} depends on the input matrix alone (content features and log-degree, no id
     * embeddings): then the first CONVOLVE layer can fold {@code P} into its message weight ({@link FoldedInput}).
     */
    boolean linearInInputs() {
        return projection != null && idEmbeddings == null;
    }

    /** {@code P}, or null without an input matrix. */
    Parameter projectionWeight() {
        return projection;
    }

    /** {@code b}. */
    Parameter projectionBias() {
        return bias;
    }

    /** Columns of the input matrix this layer expects. */
    public int inputWidth() {
        return inputWidth;
    }

    /** {@code [P, b, E, P_E]}, those that exist. */
    public List<Parameter> parameters() {
        List<Parameter> list = new ArrayList<>(4);
        if (projection != null) {
            list.add(projection);
        }
        list.add(bias);
        if (idEmbeddings != null) {
            list.add(idEmbeddings);
        }
        if (idProjection != null) {
            list.add(idProjection);
        }
        return list;
    }
}
