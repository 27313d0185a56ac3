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
    void shouldStopAfterTrainingAndSayWhatEachStepReadAndWaitedFor() {
        CliRun r = CliRun.run("bench", "pipeline", "--edges", "32000", "--steps", "3", "--threads", "1", "--device", "cpu",
                "--work", dir.resolve("w").toString(), "--width", "4", "--train-only", "--read-first");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.lines().anyMatch(l -> l.startsWith("train ") && l.contains("/s")), out);
        assertTrue(out.lines().noneMatch(l -> l.startsWith("embed ") || l.startsWith("recursive sample")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("training step: median of the first 1 steps [0-9.]+ ms, of the last 1 "
                + "[0-9.]+ ms; waited for minibatches: median [0-9.]+ ms a step, [0-9]+ % of the steps' time; nodes a batch "
                + "reads, mean: layer 0 [0-9,]+, layer 1 [0-9,]+, layer 2 [0-9,]+ \\(layer 0: the inputs\\); read first: "
                + "[1-9][0-9]* files, [0-9,.]+ MiB in [0-9.]+ s")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("model/neighborhoods.left/")), out);
    }

    @Test
    void shouldRunEveryStageAndReportItsTimeMemoryAndFiles() {
        Path work = dir.resolve("work");
        CliRun r = CliRun.run("bench", "pipeline", "--edges", "48000", "--steps", "3", "--sample", "5", "--threads", "1",
                "--device", "cpu", "--work", work.toString(), "--width", "4", "--compare-edges", "32000");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("pipeline: 48,000 edges, 3,000 pins, 480 boards; 3 training steps; T=4; 1 threads"), out);
        for (String stage : new String[] {"generate", "neighborhoods", "train", "embed", "recursive sample", "generate @32k",
                "neighborhoods @32k", "train @32k"}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(stage + " ") && l.contains("/s")), stage + " in\n" + out);
        }
        assertTrue(out.contains("training step: median ") && out.contains("T=4, K=2"), out);
        assertTrue(out.contains("training step @32k: median "), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("training step, same run: median [0-9.]+ ms at 48,000 edges against "
                + "[0-9.]+ ms at 32,000 edges: [0-9.]+x")), out);
        assertTrue(out.contains("inference against the machine's limits, same run: random reads of 64-float rows"), out);
        for (String stage : new String[] {"layer 1 map", "layer 1 reduce", "layer 2 map", "layer 2 reduce"}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith("  " + stage + " ") && l.matches(".* [0-9.]+ (read|GEMM)$")),
                    stage + " against its bound in\n" + out);
        }
        assertTrue(!Files.exists(work.resolve("random-rows.probe")), "the probe's file is deleted");
        assertTrue(Files.isDirectory(work.resolve("compare/store")) && out.lines().noneMatch(l -> l.startsWith("compare/")),
                "the compared store's files are not counted per node of the first:\n" + out);
        assertTrue(out.contains("; 3 steps)"), out);
        assertTrue(out.contains("inference: embed "), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("store/") && l.contains("left.features")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("store/embeddings.left/")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("model/neighborhoods.left/")), out);
        assertTrue(Files.isDirectory(work.resolve("store")), "--work is kept");
        // the embed stage ends with the store, the model and the embeddings on disk, so its peak is at least the total
        assertTrue(out.contains("peak disk MiB"), out);
        String[] all = out.lines().filter(l -> l.startsWith("all files")).findFirst().orElseThrow().trim().split("\\s+");
        double total = Double.parseDouble(all[all.length - 2].replace(",", "")) / 1048576.0;
        String[] embed = out.lines().filter(l -> l.startsWith("embed ")).findFirst().orElseThrow().trim().split("\\s+");
        double embedPeak = Double.parseDouble(embed[embed.length - 1]);
        assertTrue(embedPeak >= total - 0.1, "embed's peak disk " + embedPeak + " MiB against " + total + " MiB of files:\n" + out);

        CliRun small = CliRun.run("bench", "pipeline", "--edges", "100");
        assertEquals(CliErrors.BAD_INPUT, small.code());
        assertTrue(small.err().contains("edges=100: must lie in [32000, "), small.err());
        CliRun used = CliRun.run("bench", "pipeline", "--edges", "32000", "--work", work.toString());
        assertEquals(CliErrors.BAD_INPUT, used.code());
        assertTrue(used.err().contains("expected a missing or empty directory"), used.err());
    }
}
