package io.pinsage.engine.pipeline;

import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.engine.data.InteractionLists;
import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.eval.RankingMetrics;
import io.pinsage.engine.train.CorruptCheckpointException;
import io.pinsage.engine.train.Trainer;
import io.pinsage.engine.train.BatchSupply;
import io.pinsage.engine.train.EpochSnapshots;
import io.pinsage.engine.train.TrainingBatches;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingLog;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
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
        return new RecommenderOptions(16, 16, layers, 4, 50, NeighborhoodKind.WALK, 6, RecommenderOptions.USER_BAND, 20,
                new TrainingConfig(epochs, 64, 30, false, 0, RankingLossKind.SOFTMAX, 0.1f, 0.2f, lr, lr, 0.5f, 4, SEED, 2, 1, 2, 0, false, 0f));
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
    void shouldTrainUsersWithoutIdRowsOfTheirOwnAndEmbedEachFromItsItems() throws IOException {
        LightGcnDataset data = LightGcnDataset.load(clusteredDataset());
        Path model = dir.resolve("shared");
        LightGcnRecommender.train(data, model, small().withUserIds(false), backend, TrainingProgress.NONE);
        io.pinsage.nn.model.PinSageConfig c = io.pinsage.nn.model.PinSageModel.load(model.resolve(LightGcnRecommender.MODEL),
                backend).config();
        // items keep a row each, every user shares the one after them: the table does not grow with the users
        assertEquals(data.itemCount() + 1, c.idEmbeddings());
        assertEquals(data.itemCount(), c.sharedIdFrom());
        assertEquals(data.itemCount(), c.idRow(data.itemCount() + data.userCount() - 1));
        assertEquals(data.itemCount() - 1, c.idRow(data.itemCount() - 1));
        RankingMetrics m = LightGcnRecommender.evaluate(model, data, backend, 2);
        // random ranking finds about 20 % of the test items in the top 20: users told apart by their items alone
        assertTrue(m.recall() > 0.4, "seed=" + SEED + " " + m.summaryLine());
        CorruptCheckpointException other = assertThrows(CorruptCheckpointException.class,
                () -> LightGcnRecommender.train(data, model, small(1, 6, 1e-2f), backend, TrainingProgress.NONE));
        assertTrue(other.getMessage().contains("written for a model with idEmbeddings=" + (data.itemCount() + 1)),
                other.getMessage());
    }

    @Test
    void shouldRefuseUsersWithoutIdRowsWhereTheyWouldPoolOverNothing() {
        // K = 0 pools over nothing; user rows of related users pool over users who have no rows either
        RecommenderOptions[] cases = {withoutConvolve(1), small()};
        int[] itemsPooled = {cases[0].userItems(), 0};
        for (int c = 0; c < cases.length; c++) {
            RecommenderOptions o = cases[c];
            int userItems = itemsPooled[c];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RecommenderOptions(
                    o.embedDim(), o.dim(), o.layers(), o.width(), o.stepsPerNode(), o.neighborhoods(), userItems,
                    o.hardBand(), o.validationUsers(), o.training(), false));
            assertTrue(e.getMessage().startsWith("userIds=false layers=" + o.layers() + " userItems=" + userItems + ": "),
                    e.getMessage());
        }
    }

    @Test
    void shouldRefuseANegativeLayerCountNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small(-1, 1, 1e-2f));
        assertTrue(e.getMessage().startsWith("layers=-1: "), e.getMessage());
    }

    /** 300 users in 3 groups of 160 items (480 items: a band of ranks 5-12), 12 training items each. */
    private Path widerDataset() throws IOException {
        Random rnd = new Random(SEED);
        StringBuilder train = new StringBuilder();
        for (int u = 0; u < 300; u++) {
            train.append(u);
            for (int k = 0; k < 12; k++) {
                train.append(' ').append((u % 3) * 160 + rnd.nextInt(160));
            }
            train.append('\n');
        }
        Path data = Files.createDirectories(dir.resolve("wider"));
        Files.writeString(data.resolve("train.txt"), train);
        Files.writeString(data.resolve("test.txt"), "0 1\n");
        return data;
    }

    /**
     * {@link #small()} with up to {@code maxHard} hard negatives per user, batches built on {@code samplerThreads}; the
     * default band with 200 steps per rank, since walks of a few steps per lane would pass little but a user's own items.
     */
    private static RecommenderOptions withHardNegatives(int maxHard, int samplerThreads) {
        RecommenderOptions o = small();
        TrainingConfig t = o.training();
        return new RecommenderOptions(o.embedDim(), o.dim(), o.layers(), o.width(), o.stepsPerNode(), o.neighborhoods(),
                o.userItems(), new HardNegativeBand(2000, 5000, 200), o.validationUsers(), new TrainingConfig(3, t.batchSize(), t.sharedNegatives(),
                t.inBatchNegatives(), maxHard, t.loss(), t.margin(), t.temperature(), t.learningRate(), t.embeddingRate(),
                t.lrDecay(), t.patience(), t.seed(), t.threads(), samplerThreads, t.queueCapacity(), t.checkpointEvery(), false, 0f));
    }

    /**
     * The first batches of epochs 0-2 with up to 2 hard negatives per user: none in the first epoch, then one more per
     * epoch, items of the user's band and none of its own training items; the same on 1 and 3 sampler threads.
     */
    @Test
    void shouldDrawUsersHardItemNegativesFromTheSecondEpochWhateverTheSamplerThreads() throws Exception {
        LightGcnDataset data = LightGcnDataset.load(widerDataset());
        assertEquals(new HardNegativeBand(5, 12, 200), LightGcnRecommender.hardBand(data, withHardNegatives(2, 1)));
        List<List<int[]>> runs = new ArrayList<>();
        for (int threads : new int[] {1, 3}) {
            List<int[]> drawn = new ArrayList<>();
            try (TrainingBatches batches = LightGcnRecommender.samplerBatches(data, dir.resolve("work"),
                    withHardNegatives(2, threads))) {
                for (int epoch = 0; epoch < 3; epoch++) {
                    try (MiniBatchSource source = batches.localSources().open(epoch, 0)) {
                        for (int b = 0; b < 3; b++) {
                            drawn.add(hardItems(source.take(epoch, b), data, epoch));
                        }
                    }
                }
            }
            runs.add(drawn);
        }
        int found = 0;
        for (int i = 0; i < runs.get(0).size(); i++) {
            assertArrayEquals(runs.get(0).get(i), runs.get(1).get(i), "batch " + i + " on 1 and 3 sampler threads");
            for (int item : runs.get(0).get(i)) {
                found += item >= 0 ? 1 : 0;
            }
        }
        assertTrue(found > 9 * 64 / 2, "most users have a band: " + found + " hard negatives of 576 draws");
    }

    /** The batch's hard negatives (node ids, -1 for none), checked: {@code epoch} per user, none of its own items. */
    private static int[] hardItems(MiniBatch m, LightGcnDataset data, int epoch) {
        assertEquals(epoch, m.hardPerQuery(), "the curriculum's hard negatives in epoch " + epoch);
        int[] ids = m.graph().nodeIds();
        int[] items = new int[m.hardRows().length];
        for (int i = 0; i < items.length; i++) {
            int row = m.hardRows()[i];
            items[i] = row < 0 ? -1 : ids[row];
            if (row >= 0) {
                int user = ids[m.queryRows()[i / m.hardPerQuery()]] - data.itemCount();
                assertTrue(items[i] < data.itemCount(), "user " + user + " drew node " + items[i] + ", not an item");
                InteractionLists train = data.train();
                for (int k = train.start(user); k < train.start(user) + train.count(user); k++) {
                    assertTrue(train.item(k) != items[i], "user " + user + " drew its own item " + items[i]);
                }
            }
        }
        return items;
    }

    /** The training log's hard_negatives field follows the curriculum: 0, then 1 and 2; the run's fingerprint names the band. */
    @Test
    void shouldLogTheCurriculumsHardNegativesAndFingerprintTheBand() throws Exception {
        LightGcnDataset data = LightGcnDataset.load(clusteredDataset());
        Path model = dir.resolve("model");
        LightGcnRecommender.train(data, model, withHardNegatives(2, 1), backend, TrainingProgress.NONE);
        List<String> log = Files.readAllLines(model.resolve(TrainingLog.FILE));
        assertEquals(3, log.size(), String.join("\n", log));
        for (int e = 0; e < 3; e++) {
            assertTrue(log.get(e).contains("\"hard_negatives\":" + e + ","), log.get(e));
        }
        try (TrainingBatches batches = LightGcnRecommender.samplerBatches(data, dir.resolve("work"), withHardNegatives(2, 1))) {
            String training = batches.fingerprint().parts().get("training");
            assertTrue(training.contains("hardNegatives=PPR ranks 1-2 (400 walk steps per query) kept=16"), training);
        }
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

    /** In-batch negatives with the softmax corrected for the items' popularity learn the groups too. */
    @Test
    void shouldLearnClusteredPreferencesWithInBatchNegativesCorrectedForPopularity() throws IOException {
        LightGcnDataset data = LightGcnDataset.load(clusteredDataset());
        Path model = dir.resolve("model");
        RecommenderOptions o = new RecommenderOptions(16, 16, 1, 4, 50, NeighborhoodKind.WALK, 6, RecommenderOptions.USER_BAND,
                20, new TrainingConfig(4, 64, 30, true, 0, RankingLossKind.SOFTMAX, 0.1f, 0.2f, 1e-2f, 1e-2f, 0.5f, 4, SEED, 2,
                1, 2, 0, false, 0f), true).withPopularityCorrection(true);
        LightGcnRecommender.train(data, model, o, backend, TrainingProgress.NONE);
        RankingMetrics m = LightGcnRecommender.evaluate(model, data, backend, 2);
        assertTrue(m.recall() > 0.5, "seed=" + SEED + " " + m.summaryLine());
        assertTrue(Files.readString(model.resolve("model.properties")).contains("training.popularityCorrection=true"));
    }

    /** Item j is expected B·(n_j + 1)/(P + items) + S/items times among a batch's candidates. */
    @Test
    void shouldCountEachItemsExpectedCandidatesFromThePositivesAndTheUniformDraws() {
        TrainingConfig t = new TrainingConfig(1, 4, 10, true, 0, RankingLossKind.SOFTMAX, 0.1f, 0.2f, 1e-2f, 1e-2f, 0.5f, 1,
                SEED, 1, 1, 1, 0, false, 0f);
        var counts = LightGcnRecommender.candidateCounts(new int[] {0, 0, 0, 1}, 3, t);
        assertEquals(Math.log(4.0 * 4 / 7 + 10.0 / 3), counts.logExpectedCount(0), 1e-6);
        assertEquals(Math.log(4.0 * 2 / 7 + 10.0 / 3), counts.logExpectedCount(1), 1e-6);
        assertEquals(Math.log(4.0 * 1 / 7 + 10.0 / 3), counts.logExpectedCount(2), 1e-6);
        assertEquals(0f, counts.logExpectedCount(3), "a user is never a candidate");
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
                o.neighborhoods(), o.userItems(), o.hardBand(), o.validationUsers(), new TrainingConfig(2, 64, 30, false, 0,
                RankingLossKind.SOFTMAX, 0.1f, 0.2f, 1e-2f, 1e-2f, 0.5f, 4, SEED, 2, 1, 2, 0, false, 0f));
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
