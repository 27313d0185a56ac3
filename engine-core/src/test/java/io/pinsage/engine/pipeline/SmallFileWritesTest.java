package io.pinsage.engine.pipeline;

import io.pinsage.csr.format.StoreLineage;
import io.pinsage.engine.eval.RankingMetrics;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingLog;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The small text files a store or a model directory holds name themselves when the disk is full: each is written
 * through a link to {@code /dev/full}, whose every write fails as a full disk does, with the system's bare words.
 */
class SmallFileWritesTest {

    private static final Path FULL = Path.of("/dev/full");

    @TempDir
    Path dir;

    @Test
    void aFullDiskShouldNameTheFileOfTheLineageTheModelPropertiesTheTrainingLogAndTheTestByEpoch() throws IOException {
        Assumptions.assumeTrue(Files.isWritable(FULL), "needs " + FULL);
        Path lineage = full(StoreLineage.FILE);
        assertNamed(lineage, assertThrows(IOException.class,
                () -> StoreLineage.write(dir, List.of(new StoreLineage.Ancestor("0".repeat(64), 1, 1, 1)))));

        Path properties = full(ModelProperties.FILE + ".tmp");
        assertNamed(properties, assertThrows(IOException.class,
                () -> ModelProperties.write(dir, "synthetic", Map.of("dim", "8"), Map.of(), Map.of(), "model")));

        Path log = full(TrainingLog.FILE);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new TrainingLog(dir, "hit_rate")
                .epochDone(new TrainingListener.EpochStats(1, 2.5, 0.125, 1f, 3.0, 0.1, 0.2, 0, true)));
        assertNamed(log, e.getCause());

        Path byEpoch = full(EpochEvaluation.FILE + ".tmp");
        assertNamed(byEpoch, assertThrows(IOException.class, () -> EpochEvaluation.write(dir,
                List.of(new EpochEvaluation(1, new RankingMetrics(10, 0.5, 0.25, 7), 0.5, "hit_rate")))));
    }

    private Path full(String name) throws IOException {
        return Files.createSymbolicLink(dir.resolve(name), FULL);
    }

    private static void assertNamed(Path file, Throwable e) {
        assertTrue(e.getMessage().startsWith(file + ": cannot write") && e.getMessage().contains("disk is full"),
                e.getMessage());
    }
}
