package io.pinsage.engine.train;

import io.pinsage.engine.util.Differences;
import io.pinsage.engine.util.FileTrees;
import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.model.AdamOptimizer;
import io.pinsage.nn.model.CorruptModelFileException;
import io.pinsage.nn.model.ModelFormat;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's position: next epoch and batch, the global step, the learning-rate scale and the early-stopping
 * state. With the model and the optimiser it is everything needed to resume training exactly. Randomness needs
 * no saved state of its own: every epoch's shuffle and every batch's draws come from generators seeded by
 * (seed, epoch, batch), so the position is the RNG state.
 *
 * <pre>
 * MODEL_DIR/checkpoint/
 *   model.bin      the model, {@link PinSageModel#save} (nn-runtime's ModelFormat, codec "pinsage-model")
 *   optimizer.bin  Adam's step, settings and moments, {@link AdamOptimizer#save} (codec "pinsage-adam")
 *   trainer.bin    this record, ModelFormat codec "pinsage-trainer" with no tensors and the metadata
 *                  epoch, batch, globalStep, lrScale, best, badEpochs
 * </pre>
 *
 * The three files are published together: written into {@code checkpoint.tmp/}, then the old directory is
 * renamed to {@code checkpoint.old/}, the new one into place, and the old one deleted; a crash between the
 * renames leaves {@code checkpoint.old/}, which {@link #load} then reads. Files are verified when read (ModelFormat
 * checks length, magic, checksum, codec and version); a damaged or mismatched checkpoint is a
 * {@link CorruptCheckpointException} naming the file, and nothing is overwritten.
 */
record Checkpoint(int epoch, int batch, long globalStep, float lrScale, double best, int badEpochs) {

    static final String DIR = "checkpoint";
    static final String MODEL = "model.bin";
    static final String OPTIMIZER = "optimizer.bin";
    static final String TRAINER = "trainer.bin";
    static final String TRAINER_CODEC = "pinsage-trainer";

    /** A model, its optimiser and the position, as read back. */
    record Loaded(PinSageModel model, AdamOptimizer optimizer, Checkpoint position) {
    }

    /** Whether {@code outDir} holds a checkpoint (possibly one interrupted between its renames). */
    static boolean exists(Path outDir) {
        return Files.isDirectory(outDir.resolve(DIR)) || Files.isDirectory(outDir.resolve(DIR + ".old"));
    }

    /** The directory a load reads: {@code checkpoint/}, or {@code checkpoint.old/} when a crash fell between the renames. */
    static Path directory(Path outDir) {
        Path dir = outDir.resolve(DIR);
        return Files.isDirectory(dir) ? dir : outDir.resolve(DIR + ".old");
    }

    /** Writes the checkpoint of {@code model} and {@code optimizer} at this position, replacing the previous one. */
    void save(Path outDir, PinSageModel model, AdamOptimizer optimizer) throws IOException {
        Path tmp = outDir.resolve(DIR + ".tmp");
        Path current = outDir.resolve(DIR);
        Path old = outDir.resolve(DIR + ".old");
        FileTrees.delete(tmp);
        Files.createDirectories(tmp);
        model.save(tmp.resolve(MODEL));
        optimizer.save(tmp.resolve(OPTIMIZER));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", Integer.toString(epoch));
        meta.put("batch", Integer.toString(batch));
        meta.put("globalStep", Long.toString(globalStep));
        meta.put("lrScale", Float.toString(lrScale));
        meta.put("best", Double.toString(best));
        meta.put("badEpochs", Integer.toString(badEpochs));
        ModelFormat.write(tmp.resolve(TRAINER), TRAINER_CODEC, meta, List.of());
        if (Files.isDirectory(current)) {
            FileTrees.delete(old);
            Files.move(current, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, current, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.delete(old);
    }

    /**
     * Reads the checkpoint of {@code outDir} onto {@code backend}, checking that its model is of the shape
     * {@code expected}; the optimiser's settings are those saved.
     *
     * @throws CorruptCheckpointException naming the file if one is damaged or written for another model
     */
    static Loaded load(Path outDir, Backend backend, PinSageConfig expected) throws IOException {
        Path dir = directory(outDir);
        Checkpoint position = position(outDir);
        Path file = dir.resolve(MODEL);
        try {
            PinSageModel model = PinSageModel.load(file, backend);
            requireSameModel(file, model.config(), expected);
            file = dir.resolve(OPTIMIZER);
            // The settings are placeholders until load restores the saved ones.
            AdamOptimizer optimizer = new AdamOptimizer(backend, model.parameters(), AdamConfig.of(1e-3f));
            optimizer.load(file);
            return new Loaded(model, optimizer, position);
        } catch (CorruptModelFileException | java.nio.file.NoSuchFileException e) {
            throw new CorruptCheckpointException(file.toString(), e.getMessage());
        }
    }

    /**
     * Reads only the trainer state of the checkpoint in {@code outDir}.
     *
     * @throws CorruptCheckpointException naming {@code trainer.bin} if it is missing, damaged or incomplete
     */
    static Checkpoint position(Path outDir) throws IOException {
        Path file = directory(outDir).resolve(TRAINER);
        try {
            Map<String, String> m = ModelFormat.read(file, TRAINER_CODEC).metadata();
            return new Checkpoint(Integer.parseInt(field(m, "epoch")), Integer.parseInt(field(m, "batch")),
                    Long.parseLong(field(m, "globalStep")), Float.parseFloat(field(m, "lrScale")),
                    Double.parseDouble(field(m, "best")), Integer.parseInt(field(m, "badEpochs")));
        } catch (CorruptModelFileException | java.nio.file.NoSuchFileException e) {
            throw new CorruptCheckpointException(file.toString(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CorruptCheckpointException(file.toString(), "bad trainer state: " + e.getMessage());
        }
    }

    /**
     * Checks that the checkpoint's model in {@code outDir} has the configuration {@code expected}, reading its model
     * file's configuration without a backend (the file is read whole, once).
     *
     * @throws CorruptCheckpointException naming the file if it is unreadable, or naming the fields that differ
     */
    static void checkModel(Path outDir, PinSageConfig expected) throws IOException {
        Path file = directory(outDir).resolve(MODEL);
        PinSageConfig found;
        try {
            found = PinSageConfig.fromMap(ModelFormat.read(file, ModelFormat.MODEL_CODEC).metadata());
        } catch (CorruptModelFileException | java.nio.file.NoSuchFileException e) {
            throw new CorruptCheckpointException(file.toString(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CorruptCheckpointException(file.toString(), "bad configuration: " + e.getMessage());
        }
        requireSameModel(file, found, expected);
    }

    private static void requireSameModel(Path file, PinSageConfig found, PinSageConfig expected) throws CorruptCheckpointException {
        Differences d = Differences.between(found.toMap(), expected.toMap());
        if (!d.none()) {
            throw new CorruptCheckpointException(file.toString(), "written for a model with " + d.was() + ", but this run trains one"
                    + " with " + d.is());
        }
    }

    private static String field(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
        return v;
    }
}
