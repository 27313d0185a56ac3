package io.pinsage.engine.api;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.engine.ann.AnnIndex;
import io.pinsage.engine.ann.TestEmbeddings;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade's contract: answers in external ids, unknown ids, concurrent callers, close. */
class PinSageEngineTest {

    @TempDir
    Path dir;

    private static final EngineOptions CSR = EngineOptions.builder().residency(Residency.MAPPED).walkTable(false).threads(2).build();

    @Test
    void shouldAnswerAsThePixieEngineDoesInExternalIds() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 60);
        RecommendOptions options = RecommendOptions.DEFAULTS.withSteps(20_000).withSeed(7);
        List<ScoredPin> got;
        try (PinSageEngine engine = PinSageEngine.open(store, CSR)) {
            assertEquals(Residency.MAPPED, engine.residency());
            assertFalse(engine.hasWalkTable());
            got = engine.recommend(List.of(new WeightedPin("pin-3", 1f), new WeightedPin("pin-13", 2f)), 5, options);
        }
        try (GraphStore s = GraphStore.open(store)) {
            PixieResult want = new PixieEngine(s.graph()).query(PixieQuery.builder().steps(20_000).seed(7).topPins(5)
                    .pin(s.denseId(Side.LEFT, "pin-3"), 1f).pin(s.denseId(Side.LEFT, "pin-13"), 2f).build());
            assertEquals(5, want.pinCount());
            assertEquals(want.pinCount(), got.size());
            for (int i = 0; i < want.pinCount(); i++) {
                assertEquals(s.ids(Side.LEFT).orElseThrow().external(want.pin(i)), got.get(i).id());
                assertEquals(want.pinScore(i), got.get(i).score());
            }
        }
    }

    @Test
    void shouldLeaveBlockedPinsOutAndWalkATableWhenTheHeapHasRoom() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 60);
        try (PinSageEngine engine = PinSageEngine.open(store, EngineOptions.builder().threads(1).build())) {
            assertTrue(engine.hasWalkTable());
            List<ScoredPin> all = engine.recommend(List.of(new WeightedPin("pin-3", 1f)), 10, RecommendOptions.DEFAULTS);
            assertEquals(10, all.size());
            String top = all.get(0).id();
            List<ScoredPin> blocked = engine.recommend(List.of(new WeightedPin("pin-3", 1f)), 10,
                    RecommendOptions.DEFAULTS.withBlocklist(List.of(top)));
            assertTrue(blocked.stream().noneMatch(p -> p.id().equals(top)), blocked::toString);
            assertTrue(all.stream().noneMatch(p -> p.id().equals("pin-3")), "the query pin is left out");
        }
    }

    @Test
    void aNewPinShouldBeEmbeddedFromItsBoardsAndFoundByLaterRelatedCalls() throws Exception {
        TestStores.Inductive t = TestStores.inductive(dir, 400);
        float[] features;
        List<WeightedPin> boards = new ArrayList<>();
        float[][] stored = new float[400][];
        try (GraphStore s = GraphStore.open(t.store());
             EmbeddingStore e = EmbeddingStore.open(EmbeddingStore.defaultRoot(t.store(), Side.LEFT), false)) {
            FeatureMatrix f = s.features(Side.LEFT).orElseThrow();
            features = new float[f.dim()];
            f.copyRow(7, features, 0);
            for (int i = 0; i < s.graph().degree(Side.LEFT, 7); i++) {
                boards.add(new WeightedPin(Integer.toString(s.graph().neighbor(Side.LEFT, 7, i)), 1f));
            }
            for (int p = 0; p < stored.length; p++) {
                stored[p] = new float[e.dim()];
                e.read(p, stored[p], 0);
            }
        }
        try (PinSageEngine engine = PinSageEngine.open(t.store(), EngineOptions.builder().threads(1).model(t.model()).build())) {
            assertTrue(engine.hasNewPinModel());
            assertEquals(features.length, engine.newPinFeatureDim());
            float[] embedding = engine.embedNewPin(features, boards);
            // a stored pin whose 10th related pin scores below the new pin: it must find the new one once added
            int query = -1;
            float score = 0;
            for (int p = 0; p < stored.length && query < 0; p++) {
                float dot = 0;
                for (int c = 0; c < embedding.length; c++) {
                    dot += embedding[c] * stored[p][c];
                }
                List<ScoredPin> before = engine.relatedExact(Integer.toString(p), 10, null);
                if (dot > before.get(9).score() + 1e-3f) {
                    query = p;
                    score = dot;
                }
            }
            assertTrue(query >= 0, "no stored pin ranks the new pin among its 10 nearest");
            String q = Integer.toString(query);
            assertTrue(engine.related(q, 10).stream().noneMatch(p -> p.id().equals("new-pin")));
            float[] again = engine.addNewPin("new-pin", features, boards);
            assertEquals(embedding.length, again.length);
            for (List<ScoredPin> after : List.of(engine.related(q, 10), engine.relatedExact(q, 10, null))) {
                assertEquals(10, after.size());
                ScoredPin found = after.stream().filter(p -> p.id().equals("new-pin")).findFirst().orElseThrow(
                        () -> new AssertionError("the added pin is missing from " + after));
                assertEquals(score, found.score(), 1e-3f);
                for (int i = 1; i < after.size(); i++) {
                    assertTrue(after.get(i - 1).score() >= after.get(i).score(), after::toString);
                }
            }
            assertTrue(engine.related(q, 10, id -> !id.equals("new-pin")).stream().noneMatch(p -> p.id().equals("new-pin")));
            List<ScoredPin> fromNew = engine.related("new-pin", 5);
            assertEquals(5, fromNew.size());
            assertTrue(fromNew.stream().noneMatch(p -> p.id().equals("new-pin")));
            assertThrows(IllegalArgumentException.class, () -> engine.addNewPin("new-pin", features, boards));
            assertThrows(IllegalArgumentException.class, () -> engine.addNewPin("7", features, boards));
            assertThrows(UnknownIdException.class, () -> engine.embedNewPin(features, List.of(new WeightedPin("board-x", 1f))));
            assertThrows(IllegalArgumentException.class, () -> engine.embedNewPin(new float[3], boards));
        }
        try (PinSageEngine engine = PinSageEngine.open(t.store(), CSR)) {
            assertFalse(engine.hasNewPinModel());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> engine.embedNewPin(features, boards));
            assertTrue(e.getMessage().contains("--id-embeddings off"), e.getMessage());
        }
    }

    @Test
    void aNewPinSavedWithPinsOfOneTopicShouldLandNearerThatTopicThanAnyOther() throws Exception {
        // 8 topics, none confusable, 5 boards each on average; rows of 10 pins from 200 walk steps
        GeneratorConfig generated = GeneratorConfig.of(800, 40, 8000, 11).withTopics(8, 0);
        PinBoardRecommender.Options d = PinBoardRecommender.Options.defaults(1);
        TestStores.Inductive t = TestStores.inductive(dir, generated, new PinBoardRecommender.Options(40000, 0, 32, false, 10, 200,
                d.hardBand(), 200, 10, new TrainingConfig(4, 64, 200, false, 2, RankingLossKind.SOFTMAX, 0.1f, 0.1f, 3e-3f, 1e-2f,
                0.5f, 3, 7, 1, 1, 4, 0, false, 0f)));
        int topics = generated.topics();
        int pins = generated.pins();
        float[] neutral;
        float[][] stored = new float[pins][];
        int[] degree = new int[pins];
        List<WeightedPin> boards = new ArrayList<>();
        try (GraphStore s = GraphStore.open(t.store());
             EmbeddingStore e = EmbeddingStore.open(EmbeddingStore.defaultRoot(t.store(), Side.LEFT), false)) {
            // the mean of all pins' features says nothing of a topic: the pins it is saved with must place it
            FeatureMatrix f = s.features(Side.LEFT).orElseThrow();
            neutral = new float[f.dim()];
            float[] row = new float[f.dim()];
            for (int p = 0; p < pins; p++) {
                f.copyRow(p, row, 0);
                for (int c = 0; c < row.length; c++) {
                    neutral[c] += row[c] / pins;
                }
                stored[p] = new float[e.dim()];
                e.read(p, stored[p], 0);
                degree[p] = s.graph().degree(Side.LEFT, p);
            }
            for (int i = 0; i < s.graph().degree(Side.LEFT, 7); i++) {
                boards.add(new WeightedPin(Integer.toString(s.graph().neighbor(Side.LEFT, 7, i)), 1f));
            }
        }
        try (PinSageEngine engine = PinSageEngine.open(t.store(), EngineOptions.builder().threads(1).model(t.model()).build())) {
            for (int a = 0; a < topics; a++) {
                // saved with the topic's three most saved pins
                int topic = a;
                List<WeightedPin> savedWith = java.util.stream.IntStream.iterate(topic, p -> p < pins, p -> p + topics)
                        .boxed().sorted((x, y) -> Integer.compare(degree[y], degree[x])).limit(3)
                        .map(p -> new WeightedPin(Integer.toString(p), 1f)).toList();
                float[] embedding = engine.embedNewPin(neutral, List.of(), savedWith);
                double[] cosine = new double[topics];
                for (int c = 0; c < topics; c++) {
                    cosine[c] = topicCosine(embedding, stored, c, topics);
                }
                for (int c = 0; c < topics; c++) {
                    assertTrue(c == a || cosine[a] > cosine[c], "saved with " + savedWith + " of topic " + a + ": cosines with the"
                            + " topics " + Arrays.toString(cosine));
                }
            }
            assertArrayEquals(engine.embedNewPin(neutral, boards), engine.embedNewPin(neutral, boards, List.of()));
            float[] both = engine.addNewPin("new-pin", neutral, boards, List.of(new WeightedPin("20", 2f)));
            assertArrayEquals(both, engine.embedNewPin(neutral, boards, List.of(new WeightedPin("20", 2f))), "deterministic");
            UnknownIdException unknown = assertThrows(UnknownIdException.class, () -> engine.embedNewPin(neutral, boards,
                    List.of(new WeightedPin("20", 1f), new WeightedPin("pin-x", 1f))));
            assertEquals(Side.LEFT, unknown.side());
            assertEquals("pin-x", unknown.id());
            // a pin added since the store was written stands for its starts (FreshSavedWithTest checks what it gives)
            assertEquals(both.length, engine.embedNewPin(neutral, List.of(), List.of(new WeightedPin("new-pin", 1f))).length);
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> engine.embedNewPin(neutral, List.of(), List.of()));
            assertTrue(none.getMessage().contains("at least one board or a pin"), none.getMessage());
            assertThrows(IllegalArgumentException.class, () -> engine.embedNewPin(neutral, List.of(), List.of(new WeightedPin("20", 0f))));
        }
    }

    /**
     * The cosine of {@code embedding} with the mean of {@code topic}'s stored pins, both measured from the mean of all
     * stored pins: the model's embeddings share an offset that would otherwise make every cosine near 1.
     */
    private static double topicCosine(float[] embedding, float[][] stored, int topic, int topics) {
        int dim = embedding.length;
        double[] mean = new double[dim];
        for (float[] row : stored) {
            for (int c = 0; c < dim; c++) {
                mean[c] += row[c] / stored.length;
            }
        }
        double[] centroid = new double[dim];
        for (int p = topic; p < stored.length; p += topics) {
            for (int c = 0; c < dim; c++) {
                centroid[c] += stored[p][c] - mean[c];
            }
        }
        double dot = 0;
        double centroidNorm = 0;
        double norm = 0;
        for (int c = 0; c < dim; c++) {
            double e = embedding[c] - mean[c];
            dot += centroid[c] * e;
            centroidNorm += centroid[c] * centroid[c];
            norm += e * e;
        }
        return dot / Math.sqrt(centroidNorm * norm);
    }

    @Test
    void shouldThrowUnknownIdForPinsTheStoreDoesNotKnow() throws Exception {
        try (PinSageEngine engine = PinSageEngine.open(TestStores.pinsAndBoards(dir, 20), CSR)) {
            UnknownIdException e = assertThrows(UnknownIdException.class,
                    () -> engine.recommend(List.of(new WeightedPin("pin-99", 1f)), 3, RecommendOptions.DEFAULTS));
            assertEquals("pin-99", e.id());
            assertThrows(UnknownIdException.class, () -> engine.recommend(List.of(new WeightedPin("pin-1", 1f)), 3,
                    RecommendOptions.DEFAULTS.withBlocklist(List.of("board-1"))));
            assertThrows(UnknownIdException.class, () -> engine.densePin("nope"));
            IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                    () -> engine.recommend(List.of(new WeightedPin("pin-1", 1f)), -1, RecommendOptions.DEFAULTS));
            assertTrue(k.getMessage().startsWith("k=-1"), k.getMessage());
            IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                    () -> engine.recommend(List.of(new WeightedPin("pin-1", 0f)), 3, RecommendOptions.DEFAULTS));
            assertTrue(w.getMessage().startsWith("weight[0]"), w.getMessage());
        }
    }

    @Test
    void shouldGiveConcurrentCallersTheAnswersOfOneCaller() throws Exception {
        try (PinSageEngine engine = PinSageEngine.open(TestStores.pinsAndBoards(dir, 200), CSR)) {
            List<List<ScoredPin>> want = new ArrayList<>();
            for (int q = 0; q < 16; q++) {
                want.add(engine.recommend(List.of(new WeightedPin("pin-" + q, 1f)), 8, RecommendOptions.DEFAULTS.withSeed(q)));
            }
            ExecutorService callers = Executors.newFixedThreadPool(6);
            try {
                List<Future<Boolean>> checks = new ArrayList<>();
                for (int c = 0; c < 6 * 16; c++) {
                    int q = c % 16;
                    checks.add(callers.submit(() -> want.get(q).equals(engine.recommend(
                            List.of(new WeightedPin("pin-" + q, 1f)), 8, RecommendOptions.DEFAULTS.withSeed(q)))));
                }
                for (Future<Boolean> f : checks) {
                    assertTrue(f.get(30, TimeUnit.SECONDS));
                }
                assertEquals(want.get(5), engine.recommendAsync(List.of(new WeightedPin("pin-5", 1f)), 8,
                        RecommendOptions.DEFAULTS.withSeed(5)).get(30, TimeUnit.SECONDS));
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void shouldFindRelatedPinsByEmbeddingThroughTheIndexAndExactly() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 400);
        TestEmbeddings.write(EmbeddingStore.defaultRoot(store, Side.LEFT), Side.LEFT, 400, 16, 8, 11, TestEmbeddings.FINGERPRINT);
        try (PinSageEngine engine = PinSageEngine.open(store, CSR)) {
            assertTrue(engine.hasEmbeddings());
            assertFalse(engine.hasIndex());
            IllegalStateException noIndex = assertThrows(IllegalStateException.class, () -> engine.related("pin-1", 5));
            assertTrue(noIndex.getMessage().contains("./pinsage index"), noIndex.getMessage());
            List<ScoredPin> exact = engine.relatedExact("pin-1", 5, null);
            assertEquals(5, exact.size());
            assertTrue(exact.stream().noneMatch(p -> p.id().equals("pin-1")), "the query pin is left out");
            for (int i = 1; i < exact.size(); i++) {
                assertTrue(exact.get(i - 1).score() >= exact.get(i).score(), exact::toString);
            }
        }
        try (EmbeddingStore embeddings = EmbeddingStore.open(EmbeddingStore.defaultRoot(store, Side.LEFT), false)) {
            AnnIndex.build(embeddings, AnnIndex.defaultRoot(store, Side.LEFT), 16, 64);
        }
        try (PinSageEngine engine = PinSageEngine.open(store, CSR)) {
            assertTrue(engine.hasIndex());
            List<ScoredPin> exact = engine.relatedExact("pin-7", 5, null);
            assertEquals(exact.stream().map(ScoredPin::id).toList(), engine.related("pin-7", 5).stream().map(ScoredPin::id).toList());
            List<ScoredPin> filtered = engine.related("pin-7", 5, id -> !id.equals(exact.get(0).id()));
            assertTrue(filtered.stream().noneMatch(p -> p.id().equals(exact.get(0).id())), filtered::toString);
            assertThrows(UnknownIdException.class, () -> engine.related("pin-400", 5));
        }
    }

    @Test
    void shouldFindPinsOfTheSameTopicByContent() throws Exception {
        Path store = dir.resolve("generated");
        new PinBoardGenerator(GeneratorConfig.of(400, 60, 3000, 5).withTopics(4, 0)).writeStore(store, CsrBuildOptions.defaults());
        try (PinSageEngine engine = PinSageEngine.open(store, CSR)) {
            assertTrue(engine.hasContent());
            assertFalse(engine.hasEmbeddings());
            List<ScoredPin> near = engine.relatedByContent("6", 10, null);
            assertEquals(10, near.size());
            long sameTopic = near.stream().filter(p -> Integer.parseInt(p.id()) % 4 == 6 % 4).count();
            assertTrue(sameTopic >= 8, near::toString);
            assertTrue(near.get(0).score() <= 1.0001f && near.get(9).score() <= near.get(0).score(), near::toString);
            assertThrows(IllegalStateException.class, () -> engine.relatedExact("6", 3, null));
        }
    }

    @Test
    void shouldRefuseEmbeddingsOfAnotherStore() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 40);
        TestEmbeddings.write(EmbeddingStore.defaultRoot(store, Side.LEFT), Side.LEFT, 41, 8, 2, 1, TestEmbeddings.FINGERPRINT);
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> PinSageEngine.open(store, CSR));
        assertTrue(e.getMessage().contains("41 rows for a store of 40 pins"), e.getMessage());
    }

    @Test
    void shouldRefuseCallsAfterCloseAndCloseTwiceHarmlessly() throws Exception {
        ExecutorService host = Executors.newSingleThreadExecutor();
        try {
            PinSageEngine engine = PinSageEngine.open(TestStores.pinsAndBoards(dir, 20),
                    EngineOptions.builder().residency(Residency.MAPPED).executor(host).build());
            assertEquals(3, engine.recommendAsync(List.of(new WeightedPin("pin-1", 1f)), 3, RecommendOptions.DEFAULTS)
                    .get(30, TimeUnit.SECONDS).size());
            engine.close();
            engine.close();
            assertThrows(IllegalStateException.class,
                    () -> engine.recommend(List.of(new WeightedPin("pin-1", 1f)), 3, RecommendOptions.DEFAULTS));
            assertFalse(host.isShutdown(), "the host's executor stays the host's");
        } finally {
            host.shutdownNow();
        }
    }
}
