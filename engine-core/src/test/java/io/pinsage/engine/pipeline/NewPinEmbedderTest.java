package io.pinsage.engine.pipeline;

import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.engine.api.TestStores;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.walk.NeighborhoodKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link NewPinEmbedder}: the stored pins' rows from their own inputs, walks from boards, and the models it refuses. */
class NewPinEmbedderTest {

    @TempDir
    Path dir;

    @Test
    void aStoredPinGivenItsOwnFeaturesAndRowShouldGetItsStoredEmbedding() throws Exception {
        TestStores.Inductive t = TestStores.inductive(dir, 400);
        try (CpuBackend backend = new CpuBackend(1); GraphStore s = GraphStore.open(t.store());
             NewPinEmbedder embedder = NewPinEmbedder.open(s, t.model(), backend);
             EmbeddingStore stored = EmbeddingStore.open(EmbeddingStore.defaultRoot(t.store(), Side.LEFT), false)) {
            FeatureMatrix f = s.features(Side.LEFT).orElseThrow();
            int width = embedder.neighborhoods().width();
            for (int pin : new int[] {0, 7, 199, 399}) {
                float[] features = new float[f.dim()];
                f.copyRow(pin, features, 0);
                int[] ids = new int[width];
                float[] weights = new float[width];
                int n = embedder.neighborhoods().read(pin, ids, weights, 0);
                float[] got = embedder.embedWithRow(features, s.logDegree(Side.LEFT, pin), Arrays.copyOf(ids, n),
                        Arrays.copyOf(weights, n));
                float[] want = new float[stored.dim()];
                stored.read(pin, want, 0);
                assertArrayEquals(want, got, 1e-4f, "pin " + pin);
            }
            // a new pin saved on a stored pin's boards, with its features: the same walk kind, so close to it
            int pin = 7;
            float[] features = new float[f.dim()];
            f.copyRow(pin, features, 0);
            int degree = s.graph().degree(Side.LEFT, pin);
            int[] boards = new int[degree];
            float[] ones = new float[degree];
            for (int i = 0; i < degree; i++) {
                boards[i] = s.graph().neighbor(Side.LEFT, pin, i);
                ones[i] = 1f;
            }
            float[] fresh = embedder.embed(features, boards, ones, degree);
            assertArrayEquals(fresh, embedder.embed(features, boards, ones, degree), "seeded: the same pin, the same embedding");
            assertEquals(stored.dim(), fresh.length);
            IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                    () -> embedder.embed(new float[f.dim() + 1], boards, ones, degree));
            assertTrue(wide.getMessage().contains("features.length=" + (f.dim() + 1)), wide.getMessage());
            assertThrows(IllegalArgumentException.class, () -> embedder.embed(features, new int[] {40}, ones, 1));
            assertThrows(IllegalArgumentException.class, () -> embedder.embed(features, boards, ones, 0));
        }
    }

    @Test
    void aModelWithAnIdTableShouldBeRefusedNamingTheOptionThatTrainsOneWithout() throws Exception {
        TestStores.Inductive t = TestStores.inductive(dir, 200);
        Path withIds = dir.resolve("model-ids");
        PinBoardRecommender.Options d = PinBoardRecommender.Options.defaults(1);
        PinBoardRecommender.Options o = new PinBoardRecommender.Options(500, 8, 8, false, 4, 10, d.hardBand(), 50, 10,
                d.training().withEpochs(1));
        try (CpuBackend backend = new CpuBackend(1); GraphStore s = GraphStore.open(t.store())) {
            new PinBoardRecommender(s, o, backend).trainAndEvaluate("PinSage", NeighborhoodKind.WALK, 0, withIds,
                    TrainingProgress.NONE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NewPinEmbedder.open(s, withIds, backend));
            assertTrue(e.getMessage().contains("--id-embeddings off") && e.getMessage().contains("id-embedding table"),
                    e.getMessage());
        }
    }
}
