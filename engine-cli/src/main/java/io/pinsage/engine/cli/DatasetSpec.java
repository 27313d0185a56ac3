package io.pinsage.engine.cli;

import java.nio.file.Path;

/**
 * A {@code --dataset} value: {@code KIND:PATH}, where KIND is {@code lightgcn} (a directory with train.txt and
 * test.txt) or {@code synthetic} (a directory written by {@code pinsage generate}).
 */
record DatasetSpec(String kind, Path path) {

    static DatasetSpec parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("dataset=" + spec + ": expected KIND:PATH, e.g. lightgcn:../shared/datasets/gowalla");
        }
        String kind = spec.substring(0, colon);
        if (!kind.equals("lightgcn") && !kind.equals("synthetic")) {
            throw new IllegalArgumentException("dataset=" + spec + ": unknown kind '" + kind + "', expected lightgcn or synthetic");
        }
        return new DatasetSpec(kind, Path.of(spec.substring(colon + 1)));
    }
}
