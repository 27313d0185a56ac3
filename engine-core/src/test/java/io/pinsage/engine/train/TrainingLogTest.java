package io.pinsage.engine.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrainingLogTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadBackWhatItWroteAndNameTheLineThatIsNot() throws IOException {
        assertEquals(List.of(), TrainingLog.read(dir), "no log: no epochs");
        TrainingLog log = new TrainingLog(dir, "val recall@20");
        log.epochDone(new TrainingListener.EpochStats(1, 2.5, 0.125, 1f, 3.0, 0.1, 0.2, 0, true));
        log.epochDone(new TrainingListener.EpochStats(2, 2.25, Double.NaN, 0.5f, 3.0, 0.1, 0.2, 1, false));
        List<TrainingLog.Entry> read = TrainingLog.read(dir);
        assertEquals(List.of(new TrainingLog.Entry(1, 2.5, 0.125)), read.subList(0, 1));
        assertEquals(2, read.get(1).epoch());
        assertEquals(Double.NaN, read.get(1).validation(), "a NaN score reads back as NaN");
        Files.writeString(dir.resolve(TrainingLog.FILE), "{\"epoch\":1.5,\"loss\":1,\"validation\":0}\n", StandardOpenOption.APPEND);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> TrainingLog.read(dir));
        assertEquals(dir.resolve(TrainingLog.FILE) + ":3: expected a JSON object with numbers epoch, loss and validation, "
                + "as training writes one per epoch", e.getMessage());
    }
}
