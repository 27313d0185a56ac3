package io.pinsage.engine.pipeline;

import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.eval.RankingMetrics;
import io.pinsage.engine.train.CorruptCheckpointException;
import io.pinsage.engine.train.Trainer;
import io.pinsage.engine.train.BatchSupply;
import io.pinsage.engine.train.EpochSnapshots;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingLog;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.walk.NeighborhoodKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LightGcnRecommenderTest {

    private static final long SEED = 5;

    @TempDir
    Path dir;

    private CpuBackend backend;

    @BeforeEach
    void openBackend() {
        backend = new CpuBackend(2);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    /** 200 users in 4 groups; each group engages with its own 25 of 100 items; a fifth of each user's items is test. */
    private Path clusteredDataset() throws IOException {
        Random rnd = new Random(SEED);
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        for (int u = 0; u < 200; u++) {
            int group = u % 4;
            train.append(u);
            test.append(u);
            for (int k = 0; k < 10; k++) {
                int item = group * 25 + rnd.nextInt(25);
                (k < 8 ? train : test).append(' ').append(item);
            }
            train.append('\n');
            test.append('\n');
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("train.txt"), train);
        Files.writeString(data.resolve("test.txt"), test);
        return data;
    }

    private static RecommenderOptions small() {
        return small(1, 4, 1e-2f);
    }

    private static RecommenderOptions small(int layers, int epochs, float lr) {
        return new RecommenderOptions(16, 16, layers, 4, 50, NeighborhoodKind.WALK, 6, 20,
                new TrainingConfig(epochs, 64, 30, false, 0, RankingLossKind.SOFTMAX, 0.1f, 0.2f, lr, lr, 0.5f, 4, SEED, 2, 1, 2, 0, false));
    }

    /** K = 0 at a learning rate its id embeddings, which no neighbour informs, learn from in a few epochs. */
    private static RecommenderOptions withoutConvolve(int epochs) {
        return small(0, epochs, 5e-2f);
    }

    /**
     * K = 0, the id embeddings alone through G1 and G2: trains without a graph store or neighbourhoods, evaluates, and
     * a run stopped after its first epoch and resumed ends where an uninterrupted run does, bit for bit.
     */
    @Test
    void shouldTrainEvaluateAndResumeAModelWithoutConvolveLayers() throws IOException {
        LightGcnDataset data = LightGcnDataset.load(clusteredDataset());
        Path whole = dir.resolve("whole");
        Path resumed = dir.resolve("resumed");
        LightGcnRecommender.Result r = LightGcnRecommender.train(data, whole, withoutConvolve(3), backend, TrainingProgress.NONE);
        assertEquals(3, r.epochs());
        for (String absent : new String[] {"graph", "neighborhoods.left", "neighborhoods.right"}) {
            assertFalse(Files.exists(whole.resolve(absent)), absent + ": nothing pools over it");
        }
        assertEquals(0, io.pinsage.nn.model.PinSageModel.load(whole.resolve(LightGcnRecommender.MODEL), backend).config()
                .layers());
        RankingMetrics m = LightGcnRecommender.evaluate(whole, data, backend, 2);
        // random ranking finds about 20 % of the test items in the top 20; measured 0.58 (K = 1: 0.72)
        assertTrue(m.recall() > 0.4, "seed=" + SEED + " " + m.summaryLine());

        assertEquals(1, LightGcnRecommender.train(data, resumed, withoutConvolve(1), backend, TrainingProgress.NONE).epochs());
        LightGcnRecommender.Result rest = LightGcnRecommender.train(data, resumed, withoutConvolve(3), backend,
                TrainingProgress.NONE);
        assertFalse(rest.alreadyTrained());
        assertEquals(r.validation(), rest.validation());
        assertArrayEquals(Files.readAllBytes(whole.resolve(LightGcnRecommender.MODEL)),
                Files.readAllBytes(resumed.resolve(LightGcnRecommender.MODEL)), "seed=" + SEED);
        // the parameters, the optimiser's state and the trainer's position
        try (var files = Files.list(whole.resolve(Trainer.CHECKPOINT))) {
            for (Path file : files.toList()) {
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(resumed.resolve(Trainer.CHECKPOINT)
                        .resolve(file.getFileName())), "seed=" + SEED + " " + file.getFileName());
            }
        }
        assertEquals(m.summaryLine(), LightGcnRecommender.evaluate(resumed, data, backend, 2).summaryLine());
        CorruptCheckpointException other = assertThrows(CorruptCheckpointException.class,
                () -> LightGcnRecommender.train(data, resumed, small(1, 3, 5e-2f), backend, TrainingProgress.NONE));
        assertTrue(other.getMessage().contains("written for a model with layers=0, but this run trains one with layers=1"),
                other.getMessage());
    }

    @Test
    void shouldRefuseANegativeLayerCountNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small(-1, 1, 1e-2f));
        assertTrue(e.getMessage().startsWith("layers=-1: "), e.getMessage());
    }

    @Test
    void shouldLearnClusteredPreferencesFarAbovePopularity() throws IOException {
        LightGcnDataset data = LightGcnDataset.load(clusteredDataset());
        Path model = dir.resolve("model");
        List<String> seen = new ArrayList<>();
        TrainingProgress progress = (epochs, metric, log) -> {
            seen.add(epochs + " " + metric + " " + model.relativize(log));
            return new TrainingListener() {
                @Override
                public void epochDone(EpochStats stats) {
                    // the host hears of an epoch once the log holds it
                    seen.add(stats.epoch() + " logged " + lines(log));
                }
            };
        };
        LightGcnRecommender.train(data, model, small(), backend, progress);
        RankingMetrics m = LightGcnRecommender.evaluate(model, data, backend, 2);
        // Random ranking of 100 items finds about 20 % of the test items in the top 20; the groups make 80 %+ easy.
        assertTrue(m.recall() > 0.5, "seed=" + SEED + " " + m.summaryLine());
        assertEquals(List.of("4 val recall@20 training-log.jsonl", "1 logged 1", "2 logged 2", "3 logged 3", "4 logged 4"), seen);
        assertFalse(Files.exists(model.resolve("loss.png")), "plots are the host's");
    }

    @Test
    void shouldRefuseToEvaluateOnAnotherDataset() throws IOException {
        LightGcnDataset data = LightGcnDataset.load(clusteredDataset());
        Path model = dir.resolve("model");
        LightGcnRecommender.train(data, model, small(), backend, TrainingProgress.NONE);
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("train.txt"), "0 1 2\n1 2\n");
        Files.writeString(other.resolve("test.txt"), "0 3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LightGcnRecommender.evaluate(model, LightGcnDataset.load(other), backend, 1));
        assertTrue(e.getMessage().contains("was trained on items=100 users=200") && e.getMessage().contains("has items=4 users=2"),
                e.getMessage());
    }

    /**
     * The model directory keeps the graph and neighbourhood stores it trained with: a second run and evaluation map
     * the same generations; a directory of an earlier version (a neighbourhood table) is refused with what to do.
     */
    @Test
    void shouldReuseItsNeighborhoodStoresAndRefuseAnEarlierModelDirectory() throws IOException {
        LightGcnDataset data = LightGcnDataset.load(clusteredDataset());
        Path model = dir.resolve("model");
        TrainingProgress quiet = TrainingProgress.NONE;
        LightGcnRecommender.train(data, model, small(), backend, quiet);
        String[] generations = new String[3];
        String[] roots = {"graph", "neighborhoods.left", "neighborhoods.right"};
        for (int i = 0; i < roots.length; i++) {
            generations[i] = StoreDirectory.openCurrent(model.resolve(roots[i])).name();
        }
        RankingMetrics first = LightGcnRecommender.evaluate(model, data, backend, 2);
        assertTrue(LightGcnRecommender.train(data, model, small(), backend, quiet).alreadyTrained());
        for (int i = 0; i < roots.length; i++) {
            assertEquals(generations[i], StoreDirectory.openCurrent(model.resolve(roots[i])).name(), roots[i]);
        }
        assertEquals(first.summaryLine(), LightGcnRecommender.evaluate(model, data, backend, 2).summaryLine());
        Files.write(model.resolve("neighbourhoods.bin"), new byte[16]);
        for (IllegalArgumentException e : new IllegalArgumentException[] {
                assertThrows(IllegalArgumentException.class, () -> LightGcnRecommender.evaluate(model, data, backend, 1)),
                assertThrows(IllegalArgumentException.class, () -> LightGcnRecommender.train(data, model, small(), backend, quiet))}) {
            assertTrue(e.getMessage().endsWith("retrain the model into a new directory"), e.getMessage());
        }
    }

    /**
     * Test items never steer training: runs on two datasets that differ only in their test split (same node counts)
     * keep the same model of every epoch, log the same validation scores and end with the same model, bit for bit;
     * only evaluating them reads the test split.
     */
    @Test
    void shouldTrainTheSameWhateverTheTestSplitHolds() throws IOException {
        Path data = clusteredDataset();
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.copy(data.resolve("train.txt"), other.resolve("train.txt"));
        StringBuilder test = new StringBuilder();
        for (int u = 0; u < 200; u++) {
            // other groups' items: what a model of these groups ranks last; items 0 and 99 keep the item count
            test.append(u).append(' ').append(((u % 4) * 25 + 50) % 100).append(' ').append(u % 2 == 0 ? 0 : 99).append('\n');
        }
        Files.writeString(other.resolve("test.txt"), test);
        LightGcnDataset a = LightGcnDataset.load(data);
        LightGcnDataset b = LightGcnDataset.load(other);
        assertEquals(a.itemCount(), b.itemCount());
        assertEquals(a.userCount(), b.userCount());
        RecommenderOptions o = small();
        RecommenderOptions twoEpochs = new RecommenderOptions(o.embedDim(), o.dim(), o.layers(), o.width(), o.stepsPerNode(),
                o.neighborhoods(), o.userItems(), o.validationUsers(), new TrainingConfig(2, 64, 30, false, 0,
                RankingLossKind.SOFTMAX, 0.1f, 0.2f, 1e-2f, 1e-2f, 0.5f, 4, SEED, 2, 1, 2, 0, false));
        Path modelA = dir.resolve("a");
        Path modelB = dir.resolve("b");
        LightGcnRecommender.train(a, modelA, twoEpochs, backend, TrainingProgress.NONE, BatchSupply.LOCAL, true);
        LightGcnRecommender.train(b, modelB, twoEpochs, backend, TrainingProgress.NONE, BatchSupply.LOCAL, true);
        assertEquals(List.of(1, 2), EpochSnapshots.list(modelA).stream().map(EpochSnapshots.Snapshot::epoch).toList());
        for (int e = 1; e <= 2; e++) {
            assertArrayEquals(Files.readAllBytes(EpochSnapshots.file(modelA, e)), Files.readAllBytes(EpochSnapshots.file(modelB, e)),
                    "seed=" + SEED + " epoch " + e);
        }
        assertArrayEquals(Files.readAllBytes(modelA.resolve(LightGcnRecommender.MODEL)),
                Files.readAllBytes(modelB.resolve(LightGcnRecommender.MODEL)));
        assertEquals(TrainingLog.read(modelA).stream().map(TrainingLog.Entry::validation).toList(),
                TrainingLog.read(modelB).stream().map(TrainingLog.Entry::validation).toList());
        List<EpochEvaluation> onA = LightGcnRecommender.evaluateEpochs(modelA, a, backend, 2, e -> { });
        List<EpochEvaluation> onB = LightGcnRecommender.evaluateEpochs(modelB, b, backend, 2, e -> { });
        assertTrue(onA.getLast().test().recall() > onB.getLast().test().recall(), "seed=" + SEED + " " + onA + " " + onB);
    }

    private static int lines(Path file) {
        try {
            return Files.readAllLines(file).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
