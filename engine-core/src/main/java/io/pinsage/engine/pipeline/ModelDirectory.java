package io.pinsage.engine.pipeline;

import io.pinsage.engine.train.Trainer;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.nn.model.PinSageConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What both recommenders do with a model directory around training: before any expensive preparation, refuse a
 * directory that holds a model of other data or a checkpoint of another model or training recipe, and log whether the run resumes (and
 * from where) or finds the model already trained; when evaluating, say what an unfinished directory holds instead
 * of its missing model file. Stateless; reads only small files and the checkpoint's model.
 */
final class ModelDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(ModelDirectory.class);

    private ModelDirectory() {
    }

    /**
     * Prepares {@code dir} for a run of {@code training} on a model of {@code model}: checks it (see above), records
     * the data's {@code format} and {@code shape}, the run's {@code recipe} (what decides what its epochs compute,
     * compared before a later run resumes) and the {@code provenance} that is not checked in {@code model.properties}, and logs a line when the run resumes
     * or is already finished (then {@link Trainer#train} trains nothing and loads the best model).
     *
     * @param data what the data is called in messages, e.g. "store" or "dataset"
     * @return the checkpoint's position, or null when the run starts afresh
     * @throws IllegalArgumentException   naming only the differing counts if {@code dir} was trained on other data, or
     *                                    only the differing settings if its checkpoint was trained with another recipe
     * @throws io.pinsage.engine.train.CorruptCheckpointException naming the file if a file there is unreadable, or
     *                                    naming the differing fields if the checkpoint holds another model
     */
    static Trainer.Position openForTraining(Path dir, String format, Map<String, String> shape, Map<String, String> provenance,
                                            String data, String comment, PinSageConfig model, TrainingConfig training,
                                            Map<String, String> recipe) throws IOException {
        Files.createDirectories(dir);
        Trainer.Position at = check(dir, format, shape, data, model, recipe);
        ModelProperties.write(dir, format, shape, provenance, recipe, comment);
        if (at != null && at.finished(training)) {
            LOG.info("{} already holds a finished model (checkpoint in {} after epoch {}): nothing is trained and the results"
                    + " printed are that model's; to train again, give another --out or delete {}", dir, at.checkpoint(), at.epoch(),
                    dir);
        } else if (at != null) {
            LOG.info("resuming from epoch {} (batch {}) in {}", at.epoch() + 1, at.batch(), at.checkpoint());
        }
        return at;
    }

    /**
     * The checks of {@link #openForTraining} alone, writing and logging nothing: for callers with other expensive
     * work to do first. A missing {@code dir} passes.
     *
     * @return the checkpoint's position, or null when there is none
     */
    static Trainer.Position check(Path dir, String format, Map<String, String> shape, String data, PinSageConfig model,
                                  Map<String, String> recipe) throws IOException {
        Trainer.Position at = Trainer.position(dir);
        ModelProperties.checkBeforeTraining(dir, format, shape, data, at != null);
        Trainer.checkResumable(dir, model);
        if (at != null) {
            ModelProperties.checkRecipe(dir, recipe);
        }
        return at;
    }

    /**
     * The model file of a finished training run in {@code dir}.
     *
     * @throws NoSuchFileException naming the missing {@code model.bin}, what {@code dir} holds instead (a checkpoint and
     *                             its position, {@code best.bin}) and how to finish the run
     */
    static Path finishedModel(Path dir) throws IOException {
        Path file = dir.resolve(LightGcnRecommender.MODEL);
        if (Files.exists(file)) {
            return file;
        }
        Trainer.Position at = Trainer.position(dir);
        String holds = at == null ? "training into " + dir + " stopped before its first epoch ended (no checkpoint)"
                : "training into " + dir + " has not finished: " + at.checkpoint() + " holds " + at.epoch() + " epochs"
                + (at.batch() > 0 ? " and " + at.batch() + " batches" : "")
                + (Files.exists(dir.resolve(Trainer.BEST)) ? ", " + Trainer.BEST + " the best model so far" : "");
        throw new NoSuchFileException(file.toString(), null, holds + "; run train again with --out " + dir + " to finish it");
    }
}
