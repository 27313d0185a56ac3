package io.pinsage.engine.api;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.EdgeListIngest;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IngestOptions;
import io.pinsage.csr.InputFormat;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.engine.ann.AnnIndex;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.pipeline.StoreEmbedder;
import io.pinsage.engine.train.TrainingProgress;
import io.pinsage.engine.util.StageProgress;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.walk.NeighborhoodKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small stores with string ids for the facade's and the server's tests. */
public final class TestStores {

    private TestStores() {
    }

    /**
     * A store under {@code dir}/store with pins {@code pin-0 .. pin-(pins-1)} and boards {@code board-0 .. board-9}:
     * pin i is saved to boards i mod 10 and (i·7 + 3) mod 10, so related pins share boards.
     */
    public static Path pinsAndBoards(Path dir, int pins) throws IOException {
        StringBuilder edges = new StringBuilder();
        for (int i = 0; i < pins; i++) {
            edges.append("pin-").append(i).append("\tboard-").append(i % 10).append('\n');
            edges.append("pin-").append(i).append("\tboard-").append((i * 7 + 3) % 10).append('\n');
        }
        Path input = Files.writeString(dir.resolve("edges.tsv"), edges);
        Path store = dir.resolve("store");
        EdgeListIngest.ingest(List.of(input), store, new IngestOptions(InputFormat.TSV, IdKind.STRING, false, false),
                CsrBuildOptions.defaults().withThreads(1));
        return store;
    }

    /** A generated store (dense ids as text) with an inductive model, its pins embedded by it and indexed. */
    public record Inductive(Path store, Path model) {
    }

    /**
     * Generates a store of {@code pins} pins, 40 boards and 10 edges per pin under {@code dir}, trains the inductive
     * model (no id table) on it for one short epoch into {@code dir}/model, embeds the store with it and indexes the
     * pins. About a second.
     */
    public static Inductive inductive(Path dir, int pins) throws IOException {
        PinBoardRecommender.Options d = PinBoardRecommender.Options.defaults(1);
        return inductive(dir, GeneratorConfig.of(pins, 40, 10L * pins, 5), new PinBoardRecommender.Options(1000, 8, 8, false, 4,
                10, d.hardBand(), 50, 10, d.training().withEpochs(1)).withIdEmbeddings(false));
    }

    /** As {@link #inductive(Path, int)}: the store {@code generator} describes, the model {@code options} train. */
    public static Inductive inductive(Path dir, GeneratorConfig generator, PinBoardRecommender.Options options) throws IOException {
        Path store = dir.resolve("store");
        Path model = dir.resolve("model");
        new PinBoardGenerator(generator).writeStore(store, CsrBuildOptions.defaults());
        try (CpuBackend backend = new CpuBackend(1); GraphStore s = GraphStore.open(store)) {
            new PinBoardRecommender(s, options, backend).trainAndEvaluate("PinSage", NeighborhoodKind.WALK, 0, model,
                    TrainingProgress.NONE);
            StoreEmbedder.embed(s, model, backend, 1 << 20, StageProgress.NONE);
        }
        try (EmbeddingStore e = EmbeddingStore.open(EmbeddingStore.defaultRoot(store, Side.LEFT), false)) {
            AnnIndex.build(e, AnnIndex.defaultRoot(store, Side.LEFT), 8, 32);
        }
        return new Inductive(store, model);
    }
}
