package io.pinsage.nn.model;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Tensor;

/**
 * A grow-only activation buffer: hands out a view of the first {@code rows} rows of a tensor that is
 * reallocated (1.5x) only when a minibatch is larger than any before, so steady-state training allocates
 * no backend memory; the last view is cached, so a steady minibatch size allocates no view objects either.
 * One per activation; confined to the backend's thread.
 */
final class Workspace {

    private final Backend backend;
    private final String name;
    private final int cols;
    private Tensor storage;
    private Tensor view;
    private IndexBuffer indexStorage;
    private IndexBuffer indexView;

    Workspace(Backend backend, String name, int cols) {
        this.backend = backend;
        this.name = name;
        this.cols = cols;
    }

    /** A {@code rows x cols} view; its previous contents are unspecified. */
    Tensor rows(int rows) {
        if (storage == null || storage.rows() < rows) {
            if (storage != null) {
                storage.close();
            }
            storage = backend.allocate(name, grow(storage == null ? 0 : storage.rows(), rows), cols);
            view = null;
        }
        if (view == null || view.rows() != rows) {
            view = storage.rows(0, rows);
        }
        return view;
    }

    /** An index view of {@code length} ints ({@code cols} is ignored for index workspaces). */
    IndexBuffer ints(int length) {
        if (indexStorage == null || indexStorage.length() < length) {
            if (indexStorage != null) {
                indexStorage.close();
            }
            indexStorage = backend.allocateIndex(name, grow(indexStorage == null ? 0 : indexStorage.length(), length));
            indexView = null;
        }
        if (indexView == null || indexView.length() != length) {
            indexView = indexStorage.slice(0, length);
        }
        return indexView;
    }

    private static int grow(int current, int needed) {
        return Math.max(needed, current + current / 2);
    }
}
