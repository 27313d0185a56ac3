package io.pinsage.nn.model;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Tensor;

/**
 * The max-margin loss of a minibatch on the model's output rows: gathers the query, positive, shared-negative
 * and hard-negative rows of {@code z} by index (a node may serve in several roles and several pairs), calls
 * {@link Backend#maxMarginLoss}, and scatter-adds the row gradients back into {@code ∂L/∂z}, ready for
 * {@link PinSageModel#backward}.
 *
 * <p>Indices are row numbers of {@code z} (positions among the graph's outputs). Hard negatives are
 * {@code B·H} rows, {@code H} per query, query-major; pass null for none. Confined to the backend's thread;
 * allocation-free once its workspaces have grown. Cost: the loss kernel's {@code O(B·(S + H)·d)} plus
 * gathers and scatters of {@code O((2B + S + B·H)·d)}.
 */
public final class MaxMarginLoss {

    private final Backend backend;
    private final Workspace queries;
    private final Workspace positives;
    private final Workspace shared;
    private final Workspace hard;
    private final Workspace dQueries;
    private final Workspace dPositives;
    private final Workspace dShared;
    private final Workspace dHard;
    private final Tensor loss;

    /** A loss head for embeddings of width {@code dim}. */
    public MaxMarginLoss(Backend backend, int dim) {
        this.backend = backend;
        queries = new Workspace(backend, "loss.queries", dim);
        positives = new Workspace(backend, "loss.positives", dim);
        shared = new Workspace(backend, "loss.sharedNegatives", dim);
        hard = new Workspace(backend, "loss.hardNegatives", dim);
        dQueries = new Workspace(backend, "loss.queries.grad", dim);
        dPositives = new Workspace(backend, "loss.positives.grad", dim);
        dShared = new Workspace(backend, "loss.sharedNegatives.grad", dim);
        dHard = new Workspace(backend, "loss.hardNegatives.grad", dim);
        loss = backend.allocate("loss", 1, 1);
    }

    /**
     * Computes the loss and overwrites {@code dz} (same shape as {@code z}) with its gradient.
     *
     * @return the {@code 1 x 1} loss, valid until the next call (download it to read it)
     * @throws IllegalArgumentException on shape mismatches (named by the backend)
     */
    public Tensor compute(Tensor z, IndexBuffer queryRows, IndexBuffer positiveRows, IndexBuffer sharedNegativeRows,
                          IndexBuffer hardNegativeRows, float margin, Tensor dz) {
        Tensor q = gather(z, queryRows, queries);
        Tensor p = gather(z, positiveRows, positives);
        Tensor s = gather(z, sharedNegativeRows, shared);
        Tensor h = hardNegativeRows == null ? null : gather(z, hardNegativeRows, hard);
        Tensor dq = dQueries.rows(q.rows());
        Tensor dp = dPositives.rows(p.rows());
        Tensor ds = dShared.rows(s.rows());
        Tensor dh = h == null ? null : dHard.rows(h.rows());
        backend.maxMarginLoss(q, p, s, h, margin, loss, dq, dp, ds, dh);
        backend.fill(dz, 0f);
        backend.scatterAddRows(dq, queryRows, dz);
        backend.scatterAddRows(dp, positiveRows, dz);
        backend.scatterAddRows(ds, sharedNegativeRows, dz);
        if (h != null) {
            backend.scatterAddRows(dh, hardNegativeRows, dz);
        }
        return loss;
    }

    private Tensor gather(Tensor z, IndexBuffer rows, Workspace into) {
        Tensor t = into.rows(rows.length());
        backend.gatherRows(z, rows, t);
        return t;
    }
}
