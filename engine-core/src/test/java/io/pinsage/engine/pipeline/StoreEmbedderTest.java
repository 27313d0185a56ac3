package io.pinsage.engine.pipeline;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingFormat;
import io.pinsage.csr.embedding.EmbeddingPair;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.neighborhood.NeighborhoodFormat;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.train.Inference;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NodeInputs;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.engine.util.StageProgress;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.walk.NeighborhoodKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StoreEmbedder} over a generated store and a model trained on it: pins and boards get the rows the one-pass
 * forward gives them, and bad input is refused naming the file with the published stores left as they were.
 */
class StoreEmbedderTest {

    private static final int PINS = 400;
    private static final int BOARDS = 40;

    @TempDir
    static Path dir;
    private static Path store;
    private static Path model;
    private static CpuBackend backend;

    @BeforeAll
    static void trainASmallModel() throws IOException {
        backend = new CpuBackend(1);
        store = dir.resolve("store");
        model = dir.resolve("model");
        new PinBoardGenerator(GeneratorConfig.of(PINS, BOARDS, 4000, 5)).writeStore(store, CsrBuildOptions.defaults());
        PinBoardRecommender.Options d = PinBoardRecommender.Options.defaults(1);
        PinBoardRecommender.Options o = new PinBoardRecommender.Options(1000, 8, 8, false, 4, 10, d.hardBand(), 50, 10,
                d.training().withEpochs(1));
        try (GraphStore s = GraphStore.open(store)) {
            new PinBoardRecommender(s, o, backend).trainAndEvaluate("PinSage", NeighborhoodKind.WALK, 0, model,
                    TrainingProgress.NONE);
        }
    }

    @AfterAll
    static void closeBackend() {
        backend.close();
    }

    @Test
    void theInductiveModelShouldHaveNoIdTableAndEmbedTheStore() throws IOException {
        Path inductive = dir.resolve("model-inductive");
        Path copy = dir.resolve("store-inductive");
        new PinBoardGenerator(GeneratorConfig.of(PINS, BOARDS, 4000, 5)).writeStore(copy, CsrBuildOptions.defaults());
        PinBoardRecommender.Options d = PinBoardRecommender.Options.defaults(1);
        PinBoardRecommender.Options o = new PinBoardRecommender.Options(1000, 8, 8, false, 4, 10, d.hardBand(), 50, 10,
                d.training().withEpochs(1)).withIdEmbeddings(false);
        try (GraphStore s = GraphStore.open(copy)) {
            new PinBoardRecommender(s, o, backend).trainAndEvaluate("PinSage", NeighborhoodKind.WALK, 0, inductive,
                    TrainingProgress.NONE);
            assertEquals(0, PinSageModel.load(ModelDirectory.finishedModel(inductive), backend).config().idEmbeddings());
            StoreEmbedder.embed(s, inductive, backend, 1 << 20, StageProgress.NONE);
            StoreEmbedder.RecursiveSample sample = StoreEmbedder.recursiveSample(s, inductive, backend, 10, 3);
            assertTrue(sample.maxAbsDifference() <= 1e-5, "per-node recursive evaluation differs by " + sample.maxAbsDifference());
        }
        assertEquals(PINS, PinSageModel.load(ModelDirectory.finishedModel(model), backend).config().idEmbeddings() - BOARDS,
                "the default keeps a row per node");
    }

    @Test
    void shouldEmbedEveryPinAndBoardAsTheOnePassForward() throws IOException {
        float[] onePass;
        int out;
        try (GraphStore s = GraphStore.open(store)) {
            StoreEmbedder.embed(s, model, backend, 64 * 1024, StageProgress.NONE);
            NodeSpace space = NodeSpace.of(s.graph());
            int f = s.features(Side.LEFT).orElseThrow().dim();
            float[] features = new float[space.size() * f];
            for (int p = 0; p < PINS; p++) {
                s.features(Side.LEFT).orElseThrow().copyRow(p, features, p * f);
            }
            PinSageModel m = PinSageModel.load(ModelDirectory.finishedModel(model), backend);
            out = m.config().outputDim();
            try (MappedNeighborhoods hood = ModelNeighborhoods.open(model, space, null)) {
                onePass = Inference.embedAll(m, hood, NodeInputs.of(space.size(), f, features, space.logDegrees(s.graph())));
            }
        }
        String print = StoreEmbedder.fingerprint(ModelDirectory.finishedModel(model));
        try (EmbeddingStore pins = EmbeddingStore.open(EmbeddingStore.defaultRoot(store, Side.LEFT), true);
             EmbeddingStore boards = EmbeddingStore.open(EmbeddingStore.defaultRoot(store, Side.RIGHT), true)) {
            assertEquals(PINS, pins.nodeCount());
            assertEquals(BOARDS, boards.nodeCount());
            assertEquals(print, pins.modelFingerprint());
            assertEquals(print, boards.modelFingerprint());
            float[] got = new float[out];
            for (int u = 0; u < PINS + BOARDS; u++) {
                (u < PINS ? pins : boards).read(u < PINS ? u : u - PINS, got, 0);
                for (int i = 0; i < out; i++) {
                    assertEquals(onePass[u * out + i], got[i], 1e-5f, "node " + u + " column " + i);
                }
            }
        }
        assertTrue(Files.notExists(store.resolve(StoreEmbedder.WORK)));
        try (GraphStore s = GraphStore.open(store)) {
            StoreEmbedder.RecursiveSample sample = StoreEmbedder.recursiveSample(s, model, backend, 25, 3);
            assertEquals(25, sample.nodes());
            assertTrue(sample.maxAbsDifference() <= 1e-5, "per-node recursive evaluation differs by " + sample.maxAbsDifference());
        }
    }

    @Test
    void shouldRefuseAModelOfAnotherStoreNamingTheCounts() throws IOException {
        Path other = dir.resolve("other");
        new PinBoardGenerator(GeneratorConfig.of(PINS + 1, BOARDS, 4000, 5)).writeStore(other, CsrBuildOptions.defaults());
        try (GraphStore s = GraphStore.open(other)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StoreEmbedder.embed(s, model, backend, 1 << 20, StageProgress.NONE));
            assertTrue(e.getMessage().contains("pins=" + PINS) && e.getMessage().contains("pins=" + (PINS + 1)), e.getMessage());
        }
        assertTrue(!StoreDirectory.isPublished(EmbeddingStore.defaultRoot(other, Side.LEFT)));
    }

    @Test
    void shouldRefuseAStoreWithoutThePinFeaturesTheModelNeeds() throws IOException {
        Path bare = dir.resolve("bare");
        new PinBoardGenerator(GeneratorConfig.of(PINS, BOARDS, 4000, 5).withFeatureDim(0)).writeStore(bare,
                CsrBuildOptions.defaults());
        try (GraphStore s = GraphStore.open(bare)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StoreEmbedder.embed(s, model, backend, 1 << 20, StageProgress.NONE));
            assertTrue(e.getMessage().contains(model.toString()) && e.getMessage().contains(bare.toString())
                    && e.getMessage().contains("featureDim=16") && e.getMessage().contains("featureDim=0"), e.getMessage());
        }
        assertTrue(!StoreDirectory.isPublished(EmbeddingStore.defaultRoot(bare, Side.LEFT)));
    }

    @Test
    void shouldRefuseADamagedNeighbourhoodStoreNamingItAndKeepThePublishedEmbeddings() throws IOException {
        Path copy = dir.resolve("model-damaged");
        copyTree(model, copy);
        Path rows = StoreDirectory.openCurrent(ModelNeighborhoods.root(copy, Side.RIGHT)).file(NeighborhoodFormat.FILE_NAME);
        try (FileChannel ch = FileChannel.open(rows, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {7, 7, 7}), 200);
        }
        try (GraphStore s = GraphStore.open(store)) {
            StoreEmbedder.embed(s, model, backend, 1 << 20, StageProgress.NONE);
            StoreGeneration before = StoreDirectory.openCurrent(EmbeddingStore.defaultRoot(store, Side.LEFT));
            CorruptStoreException e = assertThrows(CorruptStoreException.class,
                    () -> StoreEmbedder.embed(s, copy, backend, 1 << 20, StageProgress.NONE));
            assertEquals(rows, e.file());
            assertEquals(before.name(), StoreDirectory.openCurrent(EmbeddingStore.defaultRoot(store, Side.LEFT)).name());
            EmbeddingStore.open(EmbeddingStore.defaultRoot(store, Side.LEFT), true).close();
        }
    }

    @Test
    void aFailureBetweenPublishingPinsAndBoardsShouldBeRefusedNamingBothUntilEmbedRunsAgain() throws IOException {
        Path copy = dir.resolve("store-pair");
        copyTree(store, copy);
        Path pinsRoot = EmbeddingStore.defaultRoot(copy, Side.LEFT);
        Path boardsRoot = EmbeddingStore.defaultRoot(copy, Side.RIGHT);
        try (GraphStore s = GraphStore.open(copy)) {
            StoreEmbedder.embed(s, model, backend, 64 * 1024, StageProgress.NONE);
            String oldPins = StoreDirectory.openCurrent(pinsRoot).name();
            String oldBoards = StoreDirectory.openCurrent(boardsRoot).name();
            // a directory where the boards' commit writes CURRENT.tmp: the pins' publication succeeds, the boards' fails
            Path blocker = boardsRoot.resolve("CURRENT.tmp").resolve("blocker");
            StageProgress failBoards = (stage, unit, total) -> {
                try {
                    Files.createDirectories(blocker);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return done -> { };
            };
            assertThrows(IOException.class, () -> StoreEmbedder.embed(s, model, backend, 64 * 1024, failBoards));
            Files.delete(blocker);
            Files.delete(blocker.getParent());
            String newPins = StoreDirectory.openCurrent(pinsRoot).name();
            assertTrue(!newPins.equals(oldPins), "the pins' store was published");
            assertEquals(oldBoards, StoreDirectory.openCurrent(boardsRoot).name(), "the boards' store was not");

            for (Side side : Side.values()) {
                CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> EmbeddingPair.open(copy, side, false));
                assertTrue(e.getMessage().contains(pinsRoot.resolve(newPins).resolve(EmbeddingFormat.FILE_NAME).toString())
                        && e.getMessage().contains(boardsRoot.resolve(oldBoards).resolve(EmbeddingFormat.FILE_NAME).toString())
                        && e.getMessage().contains("run embed"), e.getMessage());
            }
            assertThrows(CorruptStoreException.class, () -> StoreEmbedder.recursiveSample(s, model, backend, 5, 3));
            assertThrows(CorruptStoreException.class, () -> PinSageEngine.open(copy, EngineOptions.defaults()).close());

            List<StoreGeneration> again = StoreEmbedder.embed(s, model, backend, 64 * 1024, StageProgress.NONE);
            try (EmbeddingStore pins = EmbeddingPair.open(copy, Side.LEFT, true);
                 EmbeddingStore boards = EmbeddingPair.open(copy, Side.RIGHT, true)) {
                assertEquals(again.get(0).name(), pins.generation());
                assertEquals(again.get(1).name(), boards.generation());
                assertTrue(!boards.generation().equals(oldBoards));
            }
            assertTrue(StoreEmbedder.recursiveSample(s, model, backend, 5, 3).maxAbsDifference() <= 1e-5);
            PinSageEngine.open(copy, EngineOptions.defaults()).close();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
