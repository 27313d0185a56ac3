package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench pipeline} at the smallest size: every stage reports, the files are listed, bad sizes are named. */
class BenchPipelineCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldRunEveryStageAndReportItsTimeMemoryAndFiles() {
        Path work = dir.resolve("work");
        CliRun r = CliRun.run("bench", "pipeline", "--edges", "32000", "--steps", "3", "--sample", "5", "--threads", "1",
                "--device", "cpu", "--work", work.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("pipeline: 32,000 edges, 2,000 pins, 320 boards; 3 training steps; 1 threads"), out);
        for (String stage : new String[] {"generate", "neighborhoods", "train", "embed", "recursive sample"}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(stage + " ") && l.contains("/s")), stage + " in\n" + out);
        }
        assertTrue(out.contains("training step: median "), out);
        assertTrue(out.contains("; 3 steps)"), out);
        assertTrue(out.contains("inference: embed "), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("store/") && l.contains("left.features")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("store/embeddings.left/")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("model/neighborhoods.left/")), out);
        assertTrue(Files.isDirectory(work.resolve("store")), "--work is kept");

        CliRun small = CliRun.run("bench", "pipeline", "--edges", "100");
        assertEquals(CliErrors.BAD_INPUT, small.code());
        assertTrue(small.err().contains("edges=100: must lie in [32000, "), small.err());
        CliRun used = CliRun.run("bench", "pipeline", "--edges", "32000", "--work", work.toString());
        assertEquals(CliErrors.BAD_INPUT, used.code());
        assertTrue(used.err().contains("expected a missing or empty directory"), used.err());
    }
}
