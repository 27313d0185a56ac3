package io.pinsage.engine.pipeline;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Side;
import io.pinsage.engine.train.Inference;
import io.pinsage.engine.train.MappedNeighborhoods;
import io.pinsage.engine.train.NodeInputs;
import io.pinsage.engine.train.NodeSpace;
import io.pinsage.engine.train.StoreNodeInputs;
import io.pinsage.engine.train.Trainer;
import io.pinsage.engine.train.TrainingConfig;
import io.pinsage.engine.train.TrainingListener;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.walk.NeighborhoodKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Training over a store's mapped inputs ({@link StoreNodeInputs}: features from the feature matrix, log-degree from
 * the offsets) is training over the heap copies the trainer used to take, step for step; and embedding only the
 * scored nodes ({@link Inference#embedNodes}) gives each the row of the one-pass forward over every node, bit for bit.
 */
class StoreTrainingTest {

    private static final int PINS = 300;
    private static final int BOARDS = 30;
    private static final long SEED = 11;

    @TempDir
    static Path dir;
    private static GraphStore store;
    private static MappedNeighborhoods hood;

    @BeforeAll
    static void generateAStoreAndItsNeighborhoods() throws IOException {
        Path storeDir = dir.resolve("store");
        new PinBoardGenerator(GeneratorConfig.of(PINS, BOARDS, 3000, 7)).writeStore(storeDir, CsrBuildOptions.defaults());
        store = GraphStore.open(storeDir);
        hood = ModelNeighborhoods.build(store.graph(), dir.resolve("hood"),
                ModelNeighborhoods.configs(NeighborhoodKind.WALK, 5, 20, SEED, 5), 1, done -> { });
    }

    @AfterAll
    static void closeThem() throws IOException {
        hood.close();
        store.close();
    }

    /** The inputs as the trainer took them before: every pin's features and every node's log-degree in heap arrays. */
    private static NodeInputs heapCopy(GraphStore store) {
        NodeSpace space = NodeSpace.of(store.graph());
        FeatureMatrix f = store.features(Side.LEFT).orElseThrow();
        float[] features = new float[space.size() * f.dim()];
        for (int p = 0; p < PINS; p++) {
            f.copyRow(p, features, p * f.dim());
        }
        return NodeInputs.of(space.size(), f.dim(), features, space.logDegrees(store.graph()));
    }

    private record Run(List<Double> losses, float[] parameters, double validation) {
    }

    private static PinSageConfig model(int featureDim, int idRows, boolean hashed) {
        return new PinSageConfig(featureDim, true, idRows, 8, 8, 2, 8, 8, 8, 8, Pooling.MEAN, false, SEED, hashed);
    }

    private static Run train(GraphStore store, MappedNeighborhoods hood, NodeInputs inputs, PinSageConfig model, Path out)
            throws IOException {
        NodeSpace space = NodeSpace.of(store.graph());
        TrainingConfig config = new TrainingConfig(2, 16, 20, false, 0, RankingLossKind.SOFTMAX, 0.1f, 0.1f, 1e-2f, 1e-2f, 0.5f,
                3, SEED, 1, 2, 2, 0, false, 0f);
        SplittableRandom rnd = new SplittableRandom(SEED);
        int[] q = new int[160];
        int[] p = new int[160];
        for (int i = 0; i < q.length; i++) {
            q[i] = rnd.nextInt(PINS);
            p[i] = rnd.nextInt(PINS);
        }
        List<Double> losses = new ArrayList<>();
        try (CpuBackend backend = new CpuBackend(1)) {
            Trainer.Result r = new Trainer(backend, model, hood, inputs, q, p, 0, space.leftCount(), null, config,
                    m -> Tensors.toArray(m.parameters().get(0).value())[0], new TrainingListener() {
                        @Override
                        public void batchDone(int epoch, int batch, int batches, double loss) {
                            losses.add(loss);
                        }
                    }).train(out);
            List<Float> all = new ArrayList<>();
            r.best().parameters().forEach(param -> {
                for (float v : Tensors.toArray(param.value())) {
                    all.add(v);
                }
            });
            float[] params = new float[all.size()];
            for (int i = 0; i < params.length; i++) {
                params[i] = all.get(i);
            }
            return new Run(losses, params, r.bestScore());
        }
    }

    @Test
    void shouldTrainOnTheMappedStoreAsOnTheHeapCopies() throws IOException {
        NodeInputs mappedInputs = new StoreNodeInputs(store, true);
        PinSageConfig model = model(mappedInputs.featureDim(), 0, false);
        Run heap = train(store, hood, heapCopy(store), model, Files.createDirectories(dir.resolve("heap")));
        Run mapped = train(store, hood, mappedInputs, model, Files.createDirectories(dir.resolve("mapped")));
        assertEquals(20, heap.losses().size(), "two epochs of ten batches");
        assertEquals(heap.losses(), mapped.losses(), "seed " + SEED);
        assertArrayEquals(heap.parameters(), mapped.parameters(), "seed " + SEED);
        assertEquals(heap.validation(), mapped.validation());
    }

    @Test
    void shouldTrainAHashedIdTableSmallerThanTheNodeSpace() throws IOException {
        NodeInputs inputs = new StoreNodeInputs(store, true);
        Path out = Files.createDirectories(dir.resolve("hashed"));
        Run run = train(store, hood, inputs, model(inputs.featureDim(), 7, true), out);
        assertEquals(20, run.losses().size());
        run.losses().forEach(loss -> assertEquals(true, Double.isFinite(loss), "seed " + SEED + " " + run.losses()));
        try (CpuBackend backend = new CpuBackend(1)) {
            PinSageConfig saved = PinSageModel.load(out.resolve(Trainer.BEST), backend).config();
            assertEquals(true, saved.hashIds());
            assertEquals(7, saved.idEmbeddings());
        }
    }

    @Test
    void shouldEmbedTheScoredNodesAsTheOnePassForwardDoes() throws IOException {
        try (CpuBackend backend = new CpuBackend(2)) {
            NodeInputs mapped = new StoreNodeInputs(store, true);
            PinSageModel model = new PinSageModel(backend, model(mapped.featureDim(), 0, false));
            float[] all = Inference.embedAll(model, hood, heapCopy(store));
            int[] nodes = {0, 3, 4, 17, PINS - 1, PINS, PINS + BOARDS - 1};
            float[] some = Inference.embedNodes(model, hood, mapped, nodes);
            for (int i = 0; i < nodes.length; i++) {
                for (int c = 0; c < 8; c++) {
                    assertEquals(Float.floatToRawIntBits(all[nodes[i] * 8 + c]), Float.floatToRawIntBits(some[i * 8 + c]),
                            "node " + nodes[i] + " column " + c);
                }
            }
        }
    }
}
