package io.pinsage.engine.cli;

import io.pinsage.csr.format.StoreDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandsTest {

    private static final long SEED = 9;

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    private Path dataset() throws Exception {
        return LightGcnFiles.write(dir, SEED, 120, 20, 6);
    }

    @Test
    void shouldTrainThenPrintRecallAndNdcgWithFourDecimals() throws Exception {
        Path data = dataset();
        Path model = dir.resolve("model");
        CliRun train = run("train", "--dataset", "lightgcn:" + data, "--out", model.toString(), "--epochs", "3", "--threads", "1");
        assertEquals(0, train.code(), train.err());
        CliRun eval = run("evaluate", "--model", model.toString(), "--dataset", "lightgcn:" + data, "--threads", "1");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().strip().matches("recall@20=\\d\\.\\d{4} ndcg@20=\\d\\.\\d{4}"), "seed=" + SEED + " " + eval.out());
    }

    @Test
    void shouldTrainAndEvaluateWithoutConvolveLayersBuildingNoNeighbourhoods() throws Exception {
        Path data = dataset();
        Path model = dir.resolve("model");
        CliRun train = run("train", "--dataset", "lightgcn:" + data, "--out", model.toString(), "--layers", "0",
                "--epochs", "1", "--threads", "1");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.console().contains("layers=0: each node is embedded from its own id embedding and log-degree; "
                + "no neighbourhoods\n"), train.console());
        assertTrue(Files.notExists(model.resolve("graph")) && Files.notExists(model.resolve("neighborhoods.left")),
                "nothing pools over them");
        CliRun eval = run("evaluate", "--model", model.toString(), "--dataset", "lightgcn:" + data, "--threads", "1");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().strip().matches("recall@20=\\d\\.\\d{4} ndcg@20=\\d\\.\\d{4}"), eval.out());
    }

    /** A pin–board store's model always has its two CONVOLVE layers: zero is refused before the store is opened. */
    @Test
    void shouldRefuseNoConvolveLayerOnAStore() {
        String expected = "error: --layers=0: a model without CONVOLVE layers trains on lightgcn:DIR data only; "
                + "store:DIR trains PinSage's two layers";
        CliRun train = run("train", "--dataset", "store:" + dir.resolve("none"), "--out", dir.resolve("m").toString(),
                "--layers", "0");
        assertEquals(CliErrors.BAD_INPUT, train.code(), train.err());
        assertEquals(expected, train.err().strip());
        CliRun sampler = run("sampler", "store:" + dir.resolve("none"), "--work", dir.resolve("w").toString(), "--listen",
                "127.0.0.1:0", "--secret-file", dir.resolve("secret").toString(), "--layers", "0");
        assertEquals(CliErrors.BAD_INPUT, sampler.code(), sampler.err());
        assertEquals(expected, sampler.err().strip());
    }

    @Test
    void shouldReportADivergedRunAsOneLineNamingStepAndTensor() throws Exception {
        Path data = dataset();
        CliRun r = run("train", "--dataset", "lightgcn:" + data, "--out", dir.resolve("m").toString(), "--epochs", "2",
                "--threads", "1", "--lr", "1e38", "--embedding-lr", "1e38");
        assertEquals(CliErrors.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("error: step ") && r.err().contains("non-finite"), "seed=" + SEED + " " + r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace expected: " + r.err());
    }

    @Test
    void shouldNameABadDatasetSpec() {
        CliRun r = run("train", "--dataset", "parquet:/nowhere", "--out", dir.resolve("m").toString());
        assertEquals(CliErrors.BAD_INPUT, r.code());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DatasetSpec.parse("parquet:/nowhere"));
        assertTrue(e.getMessage().contains("dataset=parquet:/nowhere"), e.getMessage());
    }

    @Test
    void shouldNameABadIdEmbeddingsValue() {
        for (String bad : new String[] {"hashed:0", "hashed:x", "hashed:", "some"}) {
            CliRun r = run("train", "--dataset", "store:" + dir, "--out", dir.resolve("m").toString(), "--id-embeddings", bad);
            assertEquals(CliErrors.BAD_INPUT, r.code(), r.err());
            assertTrue(r.err().contains("error: --id-embeddings=" + bad + ": expected on, off or hashed:N"), r.err());
        }
    }

    @Test
    void shouldRefuseAblationsWithSamplersAndASamplerGivenTwoDatasets() {
        CliRun r = run("train", "--dataset", "store:" + dir, "--out", dir.resolve("m").toString(), "--ablations",
                "--local-samplers", "1");
        assertEquals(CliErrors.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("error: --ablations: "), r.err());
        CliRun s = run("sampler", "store:" + dir, "--dataset", "store:" + dir, "--work", dir.toString(), "--listen",
                "127.0.0.1:0", "--secret-file", dir.resolve("secret").toString());
        assertEquals(CliErrors.BAD_INPUT, s.code(), s.err());
        assertTrue(s.err().startsWith("error: --dataset: give the trainer's dataset once"), s.err());
    }

    @Test
    void shouldRefuseToEvaluateWithoutAModel() throws Exception {
        Path data = dataset();
        CliRun r = run("evaluate", "--model", dir.resolve("missing").toString(), "--dataset", "lightgcn:" + data);
        assertEquals(CliErrors.BAD_INPUT, r.code());
        try (io.pinsage.nn.backend.cpu.CpuBackend backend = new io.pinsage.nn.backend.cpu.CpuBackend(1)) {
            java.nio.file.NoSuchFileException e = org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.NoSuchFileException.class,
                    () -> io.pinsage.engine.pipeline.LightGcnRecommender.evaluate(dir.resolve("missing"),
                            io.pinsage.engine.data.LightGcnDataset.load(data), backend, 1));
            assertTrue(e.getMessage().contains("model.properties"), e.getMessage());
        }
    }

    @Test
    void shouldNameTheFileAndLineOfABadDatasetToken() throws Exception {
        Path data = dataset();
        Files.writeString(data.resolve("test.txt"), "0 1\n1 two\n");
        CliRun r = run("train", "--dataset", "lightgcn:" + data, "--out", dir.resolve("m").toString());
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(Files.notExists(dir.resolve("m").resolve("model.bin")), "nothing written for bad input");
    }

    @Test
    void shouldRefuseAnIdThatSizesTheTablesBeyondTheHeapNamingItsLine() throws Exception {
        Path data = dataset();
        Files.writeString(data.resolve("train.txt"), "120 3 2000000000\n", java.nio.file.StandardOpenOption.APPEND);
        CliRun r = run("train", "--dataset", "lightgcn:" + data, "--out", dir.resolve("m").toString(), "--threads", "1");
        assertEquals(CliErrors.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("error: " + data.resolve("train.txt") + ":121: item id 2000000000 makes users=121 "
                + "items=2000000001: needs about "), r.err());
        assertTrue(r.err().contains("ids must be dense (0..n-1)"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void shouldRefuseSizesBeyondTheirBoundsBeforeBuildingAnything() throws Exception {
        Path data = dataset();
        String[][] cases = {
                {"--dim", "1000000", "error: --dim=1000000: must lie in [1, 16384]"},
                {"--layers", "-1", "error: layers=-1: must be >= 0 (0: no CONVOLVE layer)"},
                {"--width", "2000000000", "error: width=2000000000: must lie in [1, 65536]"},
                {"--user-items", "2000000000", "error: userItems=2000000000: must lie in [0, 65536]"},
                {"--negatives", "2000000000", "error: nodes=180 width=10 userItems=200 dim=64 embedDim=64 batchSize=512 "
                        + "sharedNegatives=2000000000: needs about "},
                {"--threads", "100000", "error: threads=100000: must lie in [1, 1024]"},
        };
        for (String[] c : cases) {
            Path out = dir.resolve("m" + c[0]);
            CliRun r = run("train", "--dataset", "lightgcn:" + data, "--out", out.toString(), c[0], c[1]);
            assertEquals(CliErrors.BAD_INPUT, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().startsWith(c[2]), c[0] + ": " + r.err());
            assertTrue(Files.notExists(out.resolve("neighborhoods.left")) && Files.notExists(out.resolve("graph")),
                    c[0] + ": refused before the graph and the neighbourhoods");
        }
    }

    @Test
    void shouldRefuseABadHardNegativeCountOrBandInOneLineNamingTheOption() throws Exception {
        Path data = dataset();
        String[][] cases = {
                {"lightgcn:" + data, "--hard-negatives", "-1", "error: --hard-negatives=-1: must lie in [0, 16]"},
                {"lightgcn:" + data, "--hard-negatives", "17", "error: --hard-negatives=17: must lie in [0, 16]"},
                {"lightgcn:" + data, "--hard-band", "50-10", "error: --hard-band: hardBand=50-10: "},
                {"lightgcn:" + data, "--hard-band", "ten", "error: --hard-band: hardBand=ten: expected FROM-TO"},
                {"store:" + dir, "--hard-negatives", "1", "error: --hard-negatives=1: for lightgcn:DIR datasets"},
        };
        for (String[] c : cases) {
            Path out = dir.resolve("m" + c[2]);
            CliRun r = run("train", "--dataset", c[0], "--out", out.toString(), c[1], c[2]);
            assertEquals(CliErrors.BAD_INPUT, r.code(), c[2] + ": " + r.err());
            assertTrue(r.err().startsWith(c[3]), c[2] + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(Files.notExists(out.resolve("graph")), c[2] + ": refused before the graph");
        }
    }

    /** {@code --hard-negatives 1}: the second epoch's log line counts one per query; the band is logged. */
    @Test
    void shouldTrainWithTheHardNegativesAsked() throws Exception {
        Path data = LightGcnFiles.tiny(dir);
        Path model = dir.resolve("model");
        CliRun train = run("train", "--dataset", "lightgcn:" + data, "--out", model.toString(), "--epochs", "2",
                "--threads", "1", "--hard-negatives", "1", "--hard-band", "2-6");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.console().contains("hard negatives: PPR ranks 1-2 (16 walk steps per query)"), train.console());
        List<String> log = Files.readAllLines(model.resolve("training-log.jsonl"));
        assertEquals(2, log.size(), String.join("\n", log));
        assertTrue(log.get(0).contains("\"hard_negatives\":0,") && log.get(1).contains("\"hard_negatives\":1,"),
                String.join("\n", log));
    }

    @Test
    void shouldBeatBothBaselinesThenEvaluateTheSyntheticModelWithTrainsNumbers() throws Exception {
        Path store = dir.resolve("store");
        assertEquals(0, run("generate", "--out", store.toString(), "--pins", "3000", "--boards", "300", "--edges", "30000",
                "--seed", Long.toString(SEED)).code());
        Path model = dir.resolve("model");
        CliRun train = run("train", "--dataset", "store:" + store, "--out", model.toString(), "--epochs", "2", "--threads", "1");
        assertEquals(0, train.code(), train.err());
        // 3,000 pins allow a band ending at rank 75: PinSage's 2000-5000 scaled by 75/5000.
        assertTrue(train.out().contains("hard-negative band: PPR ranks 30-75 (300 walk steps per query)"), train.out());
        for (String stage : new String[] {"Pixie [", "neighborhoods ["}) {
            assertTrue(train.console().contains(stage + "##############################] 100% "), stage + " bar: " + train.console());
        }
        assertTrue(train.console().contains("ranked on the sampler threads as queries need them"), train.console());
        assertTableAligned(train.out());
        double[] pinSage = hitAndMrr(train.out(), "PinSage");
        String expected = String.format(java.util.Locale.ROOT, "hit@10=%.4f mrr=%.4f", pinSage[0], pinSage[1]);
        for (String baseline : new String[] {"content-only", "Pixie"}) {
            double[] b = hitAndMrr(train.out(), baseline);
            // Measured margins on this store: content-only +0.07 hit@10 / +0.14 MRR, Pixie +0.22 / +0.20 (seeds 1-3 of the
            // same size: Pixie +0.15 or more on both).
            assertTrue(pinSage[0] > b[0] && pinSage[1] > b[1], "seed=" + SEED + " PinSage must beat " + baseline + ":\n" + train.out());
        }

        CliRun eval = run("evaluate", "--model", model.toString(), "--dataset", "synthetic:" + store, "--threads", "2");
        assertEquals(0, eval.code(), eval.err());
        assertEquals(expected, eval.out().strip(), "seed=" + SEED + " train printed:\n" + train.out());

        // run again on the finished model: its neighbourhood stores are mapped, not computed again
        Path left = model.resolve("neighborhoods.left");
        String generation = StoreDirectory.openCurrent(left).name();
        CliRun again = run("train", "--dataset", "store:" + store, "--out", model.toString(), "--epochs", "2", "--threads", "1");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.console().contains("neighbourhoods: " + left + " reused ("), again.console());
        assertTrue(!again.console().contains("neighborhoods [##############################] 100% "), again.console());
        assertEquals(generation, StoreDirectory.openCurrent(left).name());
    }

    /** The pins' rows that the neighborhoods command published into the store, with training's settings, are trained on. */
    @Test
    void shouldTrainOnTheStoresNeighborhoodsWhenTheyHaveTrainingsSettings() throws Exception {
        Path store = dir.resolve("store");
        assertEquals(0, run("generate", "--out", store.toString(), "--pins", "2000", "--boards", "200", "--edges", "10000").code());
        CliRun rows = run("neighborhoods", store.toString(), "--top", "10", "--steps", "100", "--seed", "7", "--threads", "1");
        assertEquals(0, rows.code(), rows.err());
        Path model = dir.resolve("model");
        CliRun train = run("train", "--dataset", "store:" + store, "--out", model.toString(), "--epochs", "1", "--threads", "1");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.console().contains("neighbourhoods: " + store.resolve("neighborhoods.left") + " reused for "
                + model.resolve("neighborhoods.left")), train.console());
        assertTrue(train.console().contains("neighbourhoods: building " + model.resolve("neighborhoods.right")), train.console());
    }

    @Test
    void shouldRefuseToEvaluateOrResumeASyntheticModelOnAStoreOfAnotherShape() throws Exception {
        Path store = dir.resolve("store");
        Path other = dir.resolve("other");
        assertEquals(0, run("generate", "--out", store.toString(), "--pins", "2000", "--boards", "200", "--edges", "10000").code());
        assertEquals(0, run("generate", "--out", other.toString(), "--pins", "2500", "--boards", "200", "--edges", "10000").code());
        Path model = dir.resolve("model");
        assertEquals(0, run("train", "--dataset", "synthetic:" + store, "--out", model.toString(), "--epochs", "1", "--threads", "1").code());
        CliRun r = run("evaluate", "--model", model.toString(), "--dataset", "synthetic:" + other);
        assertEquals(CliErrors.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("was trained on pins=2000") && r.err().contains("has pins=2500"), r.err());

        CliRun resume = run("train", "--dataset", "synthetic:" + other, "--out", model.toString(), "--epochs", "1", "--threads", "1");
        assertEquals(CliErrors.BAD_INPUT, resume.code(), resume.err());
        assertEquals("error: checkpoint in " + model + " was trained with pins=2000, this store has pins=2500; to train afresh,"
                + " give another --out or delete " + model, resume.err().strip());
        assertEquals("", resume.out(), "no baseline may run first");
        assertTrue(!resume.console().contains("hard negatives"), resume.console());
    }

    @Test
    void shouldNameAnUnknownDatasetSchemeWhenEvaluating() {
        CliRun r = run("evaluate", "--model", dir.resolve("m").toString(), "--dataset", "movielens:/nowhere");
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(r.err().contains("unknown kind 'movielens', expected lightgcn, store or synthetic (another name for store)"), r.err());
    }

    private CliRun trainLightGcn(Path data, Path model, int epochs) {
        CliRun r = run("train", "--dataset", "lightgcn:" + data, "--out", model.toString(), "--epochs", Integer.toString(epochs),
                "--threads", "1");
        assertEquals(0, r.code(), r.err());
        return r;
    }

    @Test
    void shouldSayWhereATrainingRunResumes() throws Exception {
        Path data = dataset();
        Path model = dir.resolve("model");
        CliRun first = trainLightGcn(data, model, 1);
        // the library's notes reach the console as bare lines, through the command line's SLF4J backend
        assertTrue(first.console().lines().anyMatch(l -> l.matches("training pairs: \\d+, validation users: \\d+")), first.console());
        CliRun more = trainLightGcn(data, model, 2);
        assertTrue(more.console().contains("resuming from epoch 2 (batch 0) in " + model.resolve("checkpoint") + "\n"), more.console());
        assertTrue(more.out().startsWith("trained 2 epochs in "), more.out());
        assertTrue(Files.exists(model.resolve("loss.png")) && Files.exists(model.resolve("validation.png")),
                "the command line draws the plots beside the log");
    }

    /**
     * {@code --keep-epochs} keeps every epoch once across a resume; {@code evaluate --per-epoch} prints each epoch's test
     * figures as evaluating that epoch's model alone prints them, beside the log's validation score, then the line of
     * {@code model.bin}, and writes {@code recall.png} and {@code test-by-epoch.jsonl}.
     */
    @Test
    void shouldKeepEveryEpochAcrossAResumeAndEvaluateEachAsItsModelAlone() throws Exception {
        Path data = dataset();
        Path model = dir.resolve("model");
        assertEquals(0, run("train", "--dataset", "lightgcn:" + data, "--out", model.toString(), "--epochs", "1", "--threads", "1",
                "--keep-epochs").code());
        CliRun more = run("train", "--dataset", "lightgcn:" + data, "--out", model.toString(), "--epochs", "3", "--threads", "1",
                "--keep-epochs");
        assertEquals(0, more.code(), more.err());
        assertTrue(more.console().contains("resuming from epoch 2 (batch 0)"), more.console());
        try (var files = Files.list(model.resolve("epochs"))) {
            assertEquals(List.of("epoch-001.bin", "epoch-002.bin", "epoch-003.bin"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        String[] eval = {"evaluate", "--model", model.toString(), "--dataset", "lightgcn:" + data, "--threads", "1"};
        CliRun plain = run(eval);
        CliRun perEpoch = run(Stream.concat(Arrays.stream(eval), Stream.of("--per-epoch")).toArray(String[]::new));
        assertEquals(0, perEpoch.code(), perEpoch.err());
        List<String> lines = perEpoch.out().lines().toList();
        assertEquals(4, lines.size(), perEpoch.out());
        assertEquals(plain.out().strip(), lines.get(3), "the last line is model.bin's");
        List<String> log = Files.readAllLines(model.resolve("training-log.jsonl"));
        List<String> jsonl = Files.readAllLines(model.resolve("test-by-epoch.jsonl"));
        assertEquals(3, jsonl.size(), String.join("\n", jsonl));
        for (int e = 1; e <= 3; e++) {
            Matcher m = Pattern.compile("epoch " + e + " (recall@20=\\d\\.\\d{4} ndcg@20=\\d\\.\\d{4}) "
                    + "\\(val recall@20=(\\d\\.\\d{4})\\)").matcher(lines.get(e - 1));
            assertTrue(m.matches(), lines.get(e - 1));
            double validation = Double.parseDouble(log.get(e - 1).replaceAll(".*\"validation\":([0-9.]+).*", "$1"));
            assertEquals(String.format(Locale.ROOT, "%.4f", validation), m.group(2), log.get(e - 1));
            assertTrue(jsonl.get(e - 1).startsWith("{\"epoch\":" + e + ",\"k\":20,\"recall\":"), jsonl.get(e - 1));
            // that epoch's model alone, in model.bin's place
            Files.copy(model.resolve("epochs").resolve(String.format(Locale.ROOT, "epoch-%03d.bin", e)),
                    model.resolve("model.bin"), StandardCopyOption.REPLACE_EXISTING);
            assertEquals(m.group(1), run(eval).out().strip(), "seed=" + SEED + " epoch " + e);
        }
        Path png = model.resolve("recall.png");
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 4096, "a plot, not an empty image: " + bytes.length + " bytes");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(List.of(640, 400), List.of(image.getWidth(), image.getHeight()), "validation.png's size");
    }

    @Test
    void shouldRefuseToKeepOrEvaluateEpochsWhereNoneCanBeKept() throws Exception {
        CliRun keep = run("train", "--dataset", "store:" + dir, "--out", dir.resolve("m").toString(), "--keep-epochs");
        assertEquals(CliErrors.BAD_INPUT, keep.code(), keep.err());
        assertEquals("error: --keep-epochs: lightgcn:DIR datasets only; a store:DIR run keeps its final model (model.bin) alone",
                keep.err().strip());
        CliRun store = run("evaluate", "--model", dir.resolve("m").toString(), "--dataset", "store:" + dir, "--per-epoch");
        assertEquals(CliErrors.BAD_INPUT, store.code(), store.err());
        assertEquals("error: --per-epoch: lightgcn:DIR datasets only; a store:DIR run keeps no epoch's model (train "
                + "--keep-epochs is for lightgcn:DIR too)", store.err().strip());
        Path data = dataset();
        Path model = dir.resolve("model");
        trainLightGcn(data, model, 1);
        CliRun none = run("evaluate", "--model", model.toString(), "--dataset", "lightgcn:" + data, "--per-epoch");
        assertEquals(CliErrors.BAD_INPUT, none.code(), none.err());
        assertEquals("error: " + model.resolve("epochs") + ": no epoch's model was kept; train with --keep-epochs keeps each "
                + "(a resumed run keeps those it trains from then on)", none.err().strip());
        assertEquals("", none.out());
    }

    @Test
    void shouldSayThatADirectoryAlreadyHoldsAFinishedModel() throws Exception {
        Path data = dataset();
        Path model = dir.resolve("model");
        String first = trainLightGcn(data, model, 1).out();
        CliRun again = trainLightGcn(data, model, 1);
        assertTrue(again.console().contains(model + " already holds a finished model (checkpoint in " + model.resolve("checkpoint")
                + " after epoch 1): nothing is trained and the results printed are that model's; to train again, give another"
                + " --out or delete " + model), again.console());
        assertTrue(!again.console().contains("epoch 1/1 ["), "no batch may run: " + again.console());
        String recall = first.substring(first.indexOf("best validation"), first.indexOf(';', first.indexOf("best validation")));
        assertEquals("already trained (1 epochs); " + recall + "; model in " + model, again.out().strip());
    }

    /**
     * A directory whose checkpoint was trained with other settings is neither reported finished nor continued: the
     * run stops before any work, naming only the settings that differ; more epochs continue the same training.
     */
    @Test
    void shouldRefuseToResumeOrReportATrainingOfOtherSettings() throws Exception {
        Path data = dataset();
        Path model = dir.resolve("model");
        trainLightGcn(data, model, 1);
        byte[] before = Files.readAllBytes(model.resolve("model.bin"));
        CliRun other = run("train", "--dataset", "lightgcn:" + data, "--out", model.toString(), "--epochs", "1",
                "--threads", "1", "--lr", "0.001", "--embedding-lr", "0.01", "--user-items", "50");
        assertEquals(CliErrors.BAD_INPUT, other.code(), other.err());
        assertEquals("error: checkpoint in " + model + " was trained with learningRate=0.003 userItems=200, this run asks for "
                + "learningRate=0.001 userItems=50; to continue it, give the same settings; to train afresh, give another "
                + "--out or delete " + model, other.err().strip());
        assertEquals("", other.out());
        assertArrayEquals(before, Files.readAllBytes(model.resolve("model.bin")), "the finished model stays as it was");
        CliRun longer = trainLightGcn(data, model, 2);
        assertTrue(longer.out().startsWith("trained 2 epochs"), longer.out());
    }

    @Test
    void shouldSayWhatAnUnfinishedModelDirectoryHoldsAndFinishItWhenRunAgain() throws Exception {
        Path data = dataset();
        Path model = dir.resolve("model");
        trainLightGcn(data, model, 1);
        // killed after the epoch's checkpoint and best.bin, before model.bin
        Files.delete(model.resolve("model.bin"));
        CliRun eval = run("evaluate", "--model", model.toString(), "--dataset", "lightgcn:" + data, "--threads", "1");
        assertEquals(CliErrors.BAD_INPUT, eval.code(), eval.err());
        assertEquals("error: " + model.resolve("model.bin") + ": training into " + model + " has not finished: "
                + model.resolve("checkpoint") + " holds 1 epochs, best.bin the best model so far; run train again with --out "
                + model + " to finish it", eval.err().strip());
        trainLightGcn(data, model, 1);
        CliRun after = run("evaluate", "--model", model.toString(), "--dataset", "lightgcn:" + data, "--threads", "1");
        assertEquals(0, after.code(), after.err());
    }

    @Test
    void shouldNameAGarbledModelPropertiesFileAndWhatItShouldHold() throws Exception {
        Path data = dataset();
        Path model = dir.resolve("model");
        trainLightGcn(data, model, 1);
        Path properties = model.resolve("model.properties");
        Files.write(properties, new byte[] {'f', 'o', 'r', (byte) 0xC3, 0x28, '=', 1, (byte) 0xFF});
        String expected = "error: " + properties + ": not ASCII text (byte 0xc3 at offset 3); expected the lines train writes:"
                + " format=lightgcn or format=synthetic, then items=N, users=N, trainEdges=N";
        CliRun eval = run("evaluate", "--model", model.toString(), "--dataset", "lightgcn:" + data);
        assertEquals(CliErrors.BAD_INPUT, eval.code(), eval.err());
        assertEquals(expected, eval.err().strip());
        CliRun train = run("train", "--dataset", "lightgcn:" + data, "--out", model.toString(), "--epochs", "1", "--threads", "1");
        assertEquals(CliErrors.BAD_INPUT, train.code(), train.err());
        assertEquals(expected, train.err().strip());
        Files.writeString(properties, "format=lightgcn\nitems=60\n");
        CliRun partial = run("evaluate", "--model", model.toString(), "--dataset", "lightgcn:" + data);
        assertTrue(partial.err().startsWith("error: " + properties + ": no users line; expected"), partial.err());
    }

    /** Every line of the comparison table (header to last row) as long as the others, so its columns line up. */
    static void assertTableAligned(String out) {
        List<String> table = out.lines().dropWhile(l -> !l.startsWith("method ")).takeWhile(l -> !l.startsWith("(")).toList();
        assertTrue(table.size() >= 4, out);
        assertEquals(1, table.stream().mapToInt(String::length).distinct().count(), "columns out of line:\n" + out);
    }

    /** hit@10 and MRR of the comparison table's row starting with {@code method}. */
    private static double[] hitAndMrr(String table, String method) {
        String[] cols = table.lines().filter(l -> l.startsWith(method)).findFirst().orElseThrow().trim().split("\\s+");
        return new double[] {Double.parseDouble(cols[cols.length - 3]), Double.parseDouble(cols[cols.length - 2])};
    }
}
