package io.pinsage.engine.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * A model directory's {@code model.properties}: the dataset format it was trained on ({@code format}) and the
 * dataset's shape (node and edge counts), written when training starts and checked before evaluating, so that a
 * model is never scored against a dataset of another shape. Published atomically (written aside, then moved).
 * Stateless; the files are plain {@link Properties} text.
 */
final class ModelProperties {

    static final String FILE = "model.properties";
    private static final String FORMAT = "format";

    private ModelProperties() {
    }

    /** Writes {@code format} and {@code shape} (in its iteration order) into {@code dir/model.properties}. */
    static void write(Path dir, String format, Map<String, String> shape, String comment) throws IOException {
        Properties p = new Properties();
        p.setProperty(FORMAT, format);
        shape.forEach(p::setProperty);
        Path tmp = dir.resolve(FILE + ".tmp");
        try (var w = Files.newBufferedWriter(tmp)) {
            p.store(w, comment);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Checks that {@code dir} holds a model trained on data of {@code format} with exactly this {@code shape}.
     *
     * @throws NoSuchFileException      if {@code dir} has no {@code model.properties} (not a model directory)
     * @throws IllegalArgumentException naming both shapes if the format or a count differs
     */
    static void check(Path dir, String format, Map<String, String> shape, String dataset) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a model directory (run train first)");
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        // Directories written before the format key existed held LightGCN models only.
        String found = p.getProperty(FORMAT, "lightgcn");
        if (!found.equals(format)) {
            throw new IllegalArgumentException("model " + dir + " was trained on " + found + " data, not on the " + format
                    + " dataset " + dataset);
        }
        StringBuilder trained = new StringBuilder();
        StringBuilder has = new StringBuilder();
        boolean same = true;
        for (Map.Entry<String, String> e : shape.entrySet()) {
            String v = p.getProperty(e.getKey());
            same &= e.getValue().equals(v);
            trained.append(trained.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(v);
            has.append(has.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
        }
        if (!same) {
            throw new IllegalArgumentException("model " + dir + " was trained on " + trained + " but dataset " + dataset
                    + " has " + has);
        }
    }
}
