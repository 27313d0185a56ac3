package io.pinsage.engine.cli;

import java.nio.file.Path;

/**
 * A {@code --dataset} value: {@code KIND:PATH}, where KIND is {@code lightgcn} (a directory with train.txt and
 * test.txt) or {@code store} (a pin–board graph store with pin features and held-out pairs, such as
 * {@code pinsage generate} writes); {@code synthetic} is another name for {@code store}, parsed as {@code store}.
 */
record DatasetSpec(String kind, Path path) {

    /** The kind of a pin–board store. */
    static final String STORE = "store";

    /** Whether this names a pin–board store ({@code store:} or its alias {@code synthetic:}). */
    boolean isStore() {
        return kind.equals(STORE);
    }

    static DatasetSpec parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("dataset=" + spec + ": expected KIND:PATH, e.g. lightgcn:../shared/datasets/gowalla");
        }
        String kind = spec.substring(0, colon);
        if (!kind.equals("lightgcn") && !kind.equals(STORE) && !kind.equals("synthetic")) {
            throw new IllegalArgumentException("dataset=" + spec + ": unknown kind '" + kind
                    + "', expected lightgcn, store or synthetic (another name for store)");
        }
        return new DatasetSpec(kind.equals("lightgcn") ? kind : STORE, Path.of(spec.substring(colon + 1)));
    }
}
