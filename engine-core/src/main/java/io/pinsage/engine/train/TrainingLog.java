package io.pinsage.engine.train;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pinsage.csr.format.FileWrites;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine-readable training log: one JSON object per epoch, appended to {@code training-log.jsonl}
 * ({@code epoch, loss, validation, lr_scale, seconds, wait_fraction, hard_negatives, improved}) as the epoch ends, so a resumed run's log holds the epochs before the restart. A host draws plots from it (the command
 * line's {@code loss.png} and {@code validation.png}); see {@link TrainingProgress}. {@link #read} reads it back.
 */
public final class TrainingLog implements TrainingListener {

    /** Log file name inside the model directory. */
    public static final String FILE = "training-log.jsonl";

    // a NaN validation score is written as NaN, which strict JSON lacks
    private static final ObjectMapper READER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final Path dir;
    private final String metricName;

    public TrainingLog(Path dir, String metricName) {
        this.dir = dir;
        this.metricName = metricName;
    }

    @Override
    public void epochDone(EpochStats s) {
        String line = String.format(Locale.ROOT,
                "{\"epoch\":%d,\"loss\":%.6f,\"validation\":%.6f,\"metric\":\"%s\",\"lr_scale\":%.6f,\"seconds\":%.3f,"
                        + "\"wait_fraction\":%.5f,\"device_idle_fraction\":%.5f,\"hard_negatives\":%d,\"improved\":%b}%n",
                s.epoch(), s.meanLoss(), s.validation(), metricName, s.lrScale(), s.seconds(), s.waitFraction(),
                s.deviceIdleFraction(), s.hardNegativesPerQuery(), s.improved());
        try {
            FileWrites.appendString(dir.resolve(FILE), line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One epoch's line, as {@link #read} returns it: the epoch (1-based), its mean loss and its validation score. */
    public record Entry(int epoch, double loss, double validation) {
    }

    /**
     * The log of the run in {@code dir}, in file order (a resumed run's epochs after those before the restart); empty
     * when there is no log. Reads the whole file: O(epochs).
     *
     * @throws CorruptCheckpointException naming the file and line if a line is not such an object
     */
    public static List<Entry> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return entries;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line;
            try {
                line = READER.readTree(lines.get(i));
            } catch (IOException e) {
                line = null;
            }
            JsonNode epoch = line == null ? null : line.path("epoch");
            if (epoch == null || !epoch.isIntegralNumber() || !epoch.canConvertToInt() || !line.path("loss").isNumber()
                    || !line.path("validation").isNumber()) {
                throw new CorruptCheckpointException(file + ":" + (i + 1), "expected a JSON object with numbers epoch, loss"
                        + " and validation, as training writes one per epoch");
            }
            entries.add(new Entry(epoch.intValue(), line.get("loss").doubleValue(),
                    line.get("validation").doubleValue()));
        }
        return entries;
    }
}
