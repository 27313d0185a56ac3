package io.pinsage.engine.pipeline;

import io.pinsage.csr.format.FileWrites;
import io.pinsage.engine.train.CorruptCheckpointException;
import io.pinsage.engine.util.Differences;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * A model directory's {@code model.properties}: the dataset format it was trained on ({@code format}) and the
 * dataset's shape (node and edge counts), written when training starts and checked before resuming or evaluating,
 * so that a model is never trained on or scored against a dataset of another shape. Published atomically (written
 * aside, then moved). Stateless; the files are plain ASCII {@link Properties} text.
 */
final class ModelProperties {

    static final String FILE = "model.properties";
    /** Provenance: the {@link io.pinsage.csr.format.StoreLineage} fingerprint of the store generation trained on. */
    static final String STORE_FINGERPRINT = "storeFingerprint";
    private static final String FORMAT = "format";
    /** The training recipe's keys are recorded with this prefix. */
    private static final String RECIPE_PREFIX = "training.";
    /** LightGCN shapes start with this key: directories written before {@code format} existed held LightGCN models only. */
    private static final String LEGACY_LIGHTGCN_KEY = "items";

    private ModelProperties() {
    }

    /** The format and shape a file records. */
    private record Recorded(String format, Map<String, String> shape) {
    }

    /**
     * Writes {@code format}, {@code shape}, {@code provenance} and the training {@code recipe} (its keys prefixed
     * {@code training.}) into {@code dir/model.properties}. Provenance (such as {@link #STORE_FINGERPRINT}) is recorded
     * but not compared by {@link #check}: directories written before a key existed lack it; the recipe is compared by
     * {@link #checkRecipe} before a run resumes.
     */
    static void write(Path dir, String format, Map<String, String> shape, Map<String, String> provenance,
                      Map<String, String> recipe, String comment) throws IOException {
        Properties p = new Properties();
        p.setProperty(FORMAT, format);
        shape.forEach(p::setProperty);
        provenance.forEach(p::setProperty);
        recipe.forEach((k, v) -> p.setProperty(RECIPE_PREFIX + k, v));
        Path tmp = dir.resolve(FILE + ".tmp");
        StringWriter text = new StringWriter();
        p.store(text, comment);
        FileWrites.writeString(tmp, text.toString());
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Checks that {@code dir} holds a model trained on data of {@code format} with exactly this {@code shape}.
     *
     * @throws NoSuchFileException        if {@code dir} has no {@code model.properties} (not a model directory)
     * @throws CorruptCheckpointException naming the file and what it should hold if it is not such a file
     * @throws IllegalArgumentException   naming the format, or the counts that differ, if they differ
     */
    static void check(Path dir, String format, Map<String, String> shape, String dataset) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a model directory (run train first)");
        }
        Recorded r = read(file, format, shape);
        if (!r.format().equals(format)) {
            throw new IllegalArgumentException("model " + dir + " was trained on " + r.format() + " data, not on the " + format
                    + " dataset " + dataset);
        }
        Differences d = Differences.between(r.shape(), shape);
        if (!d.none()) {
            throw new IllegalArgumentException("model " + dir + " was trained on " + d.was() + " but dataset " + dataset + " has "
                    + d.is());
        }
    }

    /**
     * The value {@code dir}'s {@code model.properties} records under {@code key}, or empty; for a file {@link #check}
     * has read already.
     */
    static Optional<String> recorded(Path dir, String key) throws IOException {
        return Optional.ofNullable(load(dir.resolve(FILE)).getProperty(key));
    }

    /** The entries of {@code file}, a file {@link #read} has checked. */
    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            p.load(r);
        }
        return p;
    }

    /**
     * Before training into {@code dir}: refuses a directory whose {@code model.properties} records other data than
     * {@code format} of this {@code shape}, so that a run neither resumes from nor overwrites a model of another
     * dataset. A directory without the file passes.
     *
     * @param data       what the data is called in the error, e.g. "store" or "dataset"
     * @param checkpoint whether {@code dir} holds a checkpoint (the error then names it)
     * @throws CorruptCheckpointException naming the file and what it should hold if it is not such a file
     * @throws IllegalArgumentException   naming the format, or only the counts that differ, and what to do
     */
    static void checkBeforeTraining(Path dir, String format, Map<String, String> shape, String data, boolean checkpoint)
            throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return;
        }
        Recorded r = read(file, format, shape);
        String holder = (checkpoint ? "checkpoint in " : "model directory ") + dir;
        String remedy = "; to train afresh, give another --out or delete " + dir;
        if (!r.format().equals(format)) {
            throw new IllegalArgumentException(holder + " was trained on " + r.format() + " data, this " + data + " is " + format
                    + " data" + remedy);
        }
        Differences d = Differences.between(r.shape(), shape);
        if (!d.none()) {
            throw new IllegalArgumentException(holder + " was trained with " + d.was() + ", this " + data + " has " + d.is() + remedy);
        }
    }

    /**
     * Before resuming from (or reporting) the checkpoint in {@code dir}: refuses a run whose {@code recipe} (the
     * settings that decide what its epochs compute, such as {@link io.pinsage.engine.train.TrainingConfig#recipe})
     * differs from the one {@code model.properties} records, so that a run never continues, or calls finished, a
     * training of other settings. Keys the file lacks (directories written before they were recorded) pass.
     *
     * @throws IllegalArgumentException naming only the settings that differ, both ways, and what to do
     */
    static void checkRecipe(Path dir, Map<String, String> recipe) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return;
        }
        Properties p = load(file);
        Map<String, String> recorded = new LinkedHashMap<>();
        Map<String, String> asked = new LinkedHashMap<>();
        recipe.forEach((k, v) -> {
            String was = p.getProperty(RECIPE_PREFIX + k);
            if (was != null) {
                recorded.put(k, was);
                asked.put(k, v);
            }
        });
        Differences d = Differences.between(recorded, asked);
        if (!d.none()) {
            throw new IllegalArgumentException("checkpoint in " + dir + " was trained with " + d.was() + ", this run asks for "
                    + d.is() + "; to continue it, give the same settings; to train afresh, give another --out or delete "
                    + dir);
        }
    }

    /**
     * Reads the format and, when it is {@code format}, every key of {@code shape}.
     *
     * @throws CorruptCheckpointException naming the file and the lines expected if it is not text of such lines
     */
    private static Recorded read(Path file, String format, Map<String, String> shape) throws IOException {
        String expected = "; expected the lines train writes: format=lightgcn or format=synthetic, then "
                + shape.keySet().stream().map(k -> k + "=N").collect(Collectors.joining(", "));
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if ((b < 0x20 || b > 0x7E) && b != '\n' && b != '\r' && b != '\t' && b != '\f') {
                throw new CorruptCheckpointException(file.toString(), String.format("not ASCII text (byte 0x%02x at offset %d)%s",
                        b, i, expected));
            }
        }
        Properties p = new Properties();
        try {
            p.load(new ByteArrayInputStream(bytes));
        } catch (IllegalArgumentException e) {
            throw new CorruptCheckpointException(file.toString(), e.getMessage() + expected);
        }
        String found = p.getProperty(FORMAT, p.containsKey(LEGACY_LIGHTGCN_KEY) ? "lightgcn" : null);
        if (found == null) {
            throw new CorruptCheckpointException(file.toString(), "no format line" + expected);
        }
        Map<String, String> recorded = new LinkedHashMap<>();
        if (found.equals(format)) {
            for (String key : shape.keySet()) {
                String v = p.getProperty(key);
                if (v == null) {
                    throw new CorruptCheckpointException(file.toString(), "no " + key + " line" + expected);
                }
                recorded.put(key, v);
            }
        }
        return new Recorded(found, recorded);
    }
}
