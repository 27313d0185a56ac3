package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.walk.NeighborhoodKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code embed}, and what {@code info} and {@code verify} say of the embedding stores it writes. */
class EmbedCommandTest {

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    /** What {@code train --dataset synthetic:} writes, with a model and a run small enough for a test. */
    static void trainQuickly(Path store, Path model) throws IOException {
        PinBoardRecommender.Options d = PinBoardRecommender.Options.defaults(1);
        PinBoardRecommender.Options o = new PinBoardRecommender.Options(1000, 8, 8, false, 4, 10, d.hardBand(), 50, 10,
                d.training().withEpochs(1));
        try (GraphStore s = GraphStore.open(store); CpuBackend backend = new CpuBackend(1)) {
            new PinBoardRecommender(s, o, backend).trainAndEvaluate("PinSage", NeighborhoodKind.WALK, 0, model,
                    TrainingProgress.NONE);
        }
    }

    @Test
    void shouldEmbedEveryPinAndBoardThenListVerifyAndNameADamagedStore() throws Exception {
        Path store = dir.resolve("store");
        Path model = dir.resolve("model");
        generateAndTrain(store, model);
        CliRun embed = run("embed", store.toString(), "--model", model.toString(), "--memory-budget", "1", "--device", "cpu",
                "--compare-recursive", "5");
        assertEquals(0, embed.code(), embed.err());
        assertTrue(embed.out().startsWith("embedded 440 pins and boards in "), embed.out());
        assertTrue(embed.out().contains("per-node recursive evaluation: 5 sampled nodes in "), embed.out());
        assertTrue(embed.console().contains("layer 2 reduce ["), embed.console());
        CliRun info = run("info", store.toString());
        assertTrue(info.out().contains("embeddings.left  400 rows x "), info.out());
        assertTrue(info.out().contains("embeddings.right 40 rows x "), info.out());
        assertFalse(info.out().contains("verified"), info.out());
        CliRun verify = run("verify", store.toString());
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().contains("embeddings.right 40 rows x "), verify.out());

        CliRun negative = run("embed", store.toString(), "--model", model.toString(), "--compare-recursive", "-1");
        assertEquals(2, negative.code());
        assertEquals("error: --compare-recursive=-1: expected a node count >= 0", negative.err().strip());

        Path file = store.resolve("embeddings.right").resolve("gen-00000001").resolve("embeddings");
        byte[] bytes = Files.readAllBytes(file);
        bytes[200] ^= 1;
        Files.write(file, bytes);
        CliRun damaged = run("verify", store.toString());
        assertEquals(2, damaged.code());
        assertTrue(damaged.err().startsWith("error: " + file + ": body checksum"), damaged.err());

        Path other = dir.resolve("other");
        assertEquals(0, run("generate", "--out", other.toString(), "--pins", "401", "--boards", "40", "--edges", "4000").code());
        CliRun mismatch = run("embed", other.toString(), "--model", model.toString(), "--device", "cpu");
        assertEquals(2, mismatch.code());
        // a store with more pins that no compaction of the trained one wrote: both are named, with their counts
        assertTrue(mismatch.err().strip().matches("error: model " + Pattern.quote(model.toString()) + " was trained on store"
                + " generation \\p{XDigit}{32} pins=400 boards=40 edges=4000; store " + Pattern.quote(other.toString())
                + " \\(\\p{XDigit}{32} pins=401 boards=40 edges=\\d+\\) is neither that generation nor a compaction of it:"
                + " train a model on this store"), mismatch.err());
        assertFalse(Files.exists(other.resolve("embeddings.left")));
    }

    @Test
    void aRunThatFailsBetweenPublishingPinsAndBoardsShouldLeaveAMixThatVerifyRefusesUntilEmbedRunsAgain() throws Exception {
        Path store = dir.resolve("store");
        Path model = dir.resolve("model");
        generateAndTrain(store, model);
        String[] embed = {"embed", store.toString(), "--model", model.toString(), "--device", "cpu"};
        assertEquals(0, run(embed).code());
        // where the boards' publication writes CURRENT.tmp: the pins' publication succeeds, the boards' fails
        Path blocker = Files.createDirectories(store.resolve("embeddings.right").resolve("CURRENT.tmp").resolve("blocker"));
        assertEquals(2, run(embed).code());
        Files.delete(blocker);
        Files.delete(blocker.getParent());

        CliRun mixed = run("verify", store.toString());
        assertEquals(2, mixed.code());
        Path pins = store.resolve("embeddings.left").resolve("gen-00000002").resolve("embeddings");
        Path boards = store.resolve("embeddings.right").resolve("gen-00000001").resolve("embeddings");
        assertTrue(mixed.err().strip().matches("error: " + Pattern.quote(pins + ": not of the same embed run as " + boards)
                + " .*: a run failed between publishing the two; run embed over the store again"), mixed.err());
        assertEquals(2, run("index", store.toString()).code());

        assertEquals(0, run(embed).code());
        CliRun verify = run("verify", store.toString());
        assertEquals(0, verify.code(), verify.err());
        assertEquals(0, run("index", store.toString()).code());
    }

    /** A store of 400 pins and 40 boards at {@code store}, and a model trained on it at {@code model}. */
    private static void generateAndTrain(Path store, Path model) throws IOException {
        assertEquals(0, run("generate", "--out", store.toString(), "--pins", "400", "--boards", "40", "--edges", "4000").code());
        trainQuickly(store, model);
    }
}
