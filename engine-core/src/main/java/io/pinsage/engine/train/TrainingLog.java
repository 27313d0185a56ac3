package io.pinsage.engine.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The machine-readable training log: one JSON object per epoch, appended to {@code training-log.jsonl}
 * ({@code epoch, loss, validation, lr_scale, seconds, wait_fraction, hard_negatives, improved}) as the epoch ends, so a resumed run's log holds the epochs before the restart. A host draws plots from it (the command
 * line's {@code loss.png} and {@code validation.png}); see {@link TrainingProgress}.
 */
public final class TrainingLog implements TrainingListener {

    /** Log file name inside the model directory. */
    public static final String FILE = "training-log.jsonl";

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
            Files.writeString(dir.resolve(FILE), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
