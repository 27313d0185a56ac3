package io.pinsage.engine.train;

import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.engine.util.StageProgress;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LayeredInference} runs the model layer by layer over chunks: every node's row must equal the one-pass
 * forward ({@link Inference#embedAll}) and the node's own recursive forward, and a run stopped after any chunk and
 * started again must publish the same bytes. Randomized: seed from {@code -Dtests.seed=N} or the clock, printed in
 * every failure.
 */
class LayeredInferenceTest {

    private static final int NODES = 37;
    private static final int OUT = 6;
    private static final float TOLERANCE = 1e-5f;
    private static final String PRINT = "00112233445566778899aabbccddeeff";

    private final long seed = Long.getLong("tests.seed", new Random().nextLong());
    private CpuBackend backend;

    @TempDir
    Path dir;

    @BeforeEach
    void openBackend() {
        backend = new CpuBackend(1);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private PinSageConfig config(int inputDim, int hidden, int ids, Pooling pooling) {
        return new PinSageConfig(3, true, ids, inputDim, 2, hidden, 8, 8, OUT, pooling, true, seed);
    }

    /** A budget that gives {@code rows} rows per chunk for this model and width. */
    private static long budgetFor(PinSageConfig c, int width, int rows) {
        long budget = 1;
        while (LayeredInference.chunkRows(c, width, NODES, budget) < rows) {
            budget *= 2;
        }
        return budget;
    }

    private float[] layered(PinSageModel model, RowTable hood, NodeInputs inputs, long budget, Path root) throws IOException {
        LayeredInference.Job job = LayeredInference.Job.single(Side.LEFT, root, NODES, dir.resolve("work"), PRINT, budget);
        LayeredInference.embedAll(model, hood, inputs, NODES, job, StageProgress.NONE);
        assertFalse(Files.exists(dir.resolve("work")), "the work directory goes once the store is published");
        try (EmbeddingStore s = EmbeddingStore.open(root, true)) {
            assertEquals(NODES, s.nodeCount());
            assertEquals(OUT, s.dim());
            assertEquals(PRINT, s.modelFingerprint());
            assertTrue(s.normalized());
            float[] all = new float[NODES * OUT];
            for (int u = 0; u < NODES; u++) {
                s.read(u, all, u * OUT);
            }
            return all;
        }
    }

    @Test
    void shouldEqualTheOnePassForwardAndEachNodesOwnForwardInAnyChunkSize() throws IOException {
        Random rnd = new Random(seed);
        for (Pooling pooling : new Pooling[] {Pooling.MEAN, Pooling.MAX}) {
            int width = 1 + rnd.nextInt(5);
            RowTable hood = RowTable.random(NODES, width, seed);
            NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
            PinSageConfig c = config(4 + rnd.nextInt(6), 5 + rnd.nextInt(6), rnd.nextBoolean() ? NODES : 0, pooling);
            PinSageModel model = new PinSageModel(backend, c);
            float[] onePass = Inference.embedAll(model, hood, inputs);
            ComputationGraphBuilder graphs = new ComputationGraphBuilder(2, hood, inputs);
            for (int rows : new int[] {1, 1 + rnd.nextInt(NODES), NODES}) {
                String tag = "seed=" + seed + " pooling=" + pooling + " config=" + c + " chunkRows=" + rows;
                float[] got = layered(model, hood, inputs, budgetFor(c, width, rows), dir.resolve("store" + pooling + rows));
                assertArrayEquals(onePass, got, TOLERANCE, tag);
                for (int u = rnd.nextInt(5); u < NODES; u += 5) {
                    float[] alone = Tensors.toArray(model.forward(graphs.build(new int[] {u}, 1)));
                    assertArrayEquals(alone, Arrays.copyOfRange(got, u * OUT, (u + 1) * OUT), TOLERANCE, tag + " node " + u);
                }
            }
        }
    }

    /** Without CONVOLVE layers the one stage, the inputs, ends in the head. */
    @Test
    void shouldEmbedWithoutConvolveLayersAsTheOnePassForward() throws IOException {
        RowTable hood = RowTable.random(NODES, 3, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageConfig c = new PinSageConfig(3, true, NODES, 5, 0, 8, 8, 8, OUT, Pooling.MEAN, true, seed);
        PinSageModel model = new PinSageModel(backend, c);
        float[] onePass = Inference.embedAll(model, hood, inputs);
        for (int rows : new int[] {1, 10, NODES}) {
            float[] got = layered(model, hood, inputs, budgetFor(c, 3, rows), dir.resolve("store" + rows));
            assertArrayEquals(onePass, got, TOLERANCE, "seed=" + seed + " chunkRows=" + rows);
        }
    }

    /** Two stores splitting the node space (pins, then boards) hold the one-pass rows of their nodes. */
    @Test
    void shouldSplitTheNodeSpaceBetweenTwoStores() throws IOException {
        int split = 1 + new Random(seed).nextInt(NODES - 1);
        String tag = "seed=" + seed + " split=" + split;
        RowTable hood = RowTable.random(NODES, 3, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageConfig c = config(8, 8, 0, Pooling.MEAN);
        PinSageModel model = new PinSageModel(backend, c);
        float[] onePass = Inference.embedAll(model, hood, inputs);
        Path left = dir.resolve("left");
        Path right = dir.resolve("right");
        LayeredInference.embedAll(model, hood, inputs, NODES, new LayeredInference.Job(List.of(
                new LayeredInference.Output(Side.LEFT, left, 0, split), new LayeredInference.Output(Side.RIGHT, right, split,
                        NODES - split)), dir.resolve("work"), PRINT, budgetFor(c, 3, 6)), StageProgress.NONE);
        try (EmbeddingStore l = EmbeddingStore.open(left, true); EmbeddingStore r = EmbeddingStore.open(right, true)) {
            assertEquals(Side.RIGHT, r.side(), tag);
            assertEquals(NODES - split, r.nodeCount(), tag);
            float[] got = new float[OUT];
            for (int u = 0; u < NODES; u++) {
                (u < split ? l : r).read(u < split ? u : u - split, got, 0);
                assertArrayEquals(Arrays.copyOfRange(onePass, u * OUT, (u + 1) * OUT), got, TOLERANCE, tag + " node " + u);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayeredInference.embedAll(model,
                hood, inputs, NODES, new LayeredInference.Job(List.of(new LayeredInference.Output(Side.LEFT, left, 0, split)),
                        dir.resolve("work"), PRINT, 1 << 20), StageProgress.NONE));
        assertTrue(e.getMessage().contains("hold " + split + " rows: expected the " + NODES + " nodes, each once"), e.getMessage());
    }

    /** Stopped after chunk j of some stage (an exception from the listener, as a kill would), then resumed. */
    @Test
    void shouldResumeAfterAStopAndPublishTheSameBytes() throws IOException {
        Random rnd = new Random(seed);
        RowTable hood = RowTable.random(NODES, 4, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageConfig c = config(8, 8, 0, Pooling.MEAN);
        PinSageModel model = new PinSageModel(backend, c);
        long budget = budgetFor(c, 4, 5);
        int rows = LayeredInference.chunkRows(c, 4, NODES, budget);
        Path straight = dir.resolve("straight");
        layered(model, hood, inputs, budget, straight);
        int stopStage = rnd.nextInt(2 * c.layers() + 1);
        long stopAt = Math.min(NODES, rows * (1L + rnd.nextInt(3)));
        String tag = "seed=" + seed + " stage=" + stopStage + " after node " + stopAt + " chunkRows=" + rows;
        Path resumed = dir.resolve("resumed");
        LayeredInference.Job job = LayeredInference.Job.single(Side.LEFT, resumed, NODES, dir.resolve("work"), PRINT, budget);
        RuntimeException stop = new RuntimeException("stop");
        assertThrows(RuntimeException.class, () -> LayeredInference.embedAll(model, hood, inputs, NODES, job,
                byStage((stage, done, total) -> {
                    if (stage == stopStage && done == stopAt) {
                        throw stop;
                    }
                })), tag);
        assertFalse(StoreDirectory.isPublished(resumed), tag + ": nothing is published before the last chunk");
        List<Long> heard = new ArrayList<>();
        LayeredInference.embedAll(model, hood, inputs, NODES, job, byStage((stage, done, total) -> heard.add(stage * 1000L + done)));
        // A stage resumed in its middle first reports the nodes done before the stop, then the next chunk.
        List<Long> next = stopAt == NODES ? List.of((stopStage + 1) * 1000L + rows)
                : List.of(stopStage * 1000L + stopAt, stopStage * 1000L + Math.min(stopAt + rows, NODES));
        assertEquals(next, heard.subList(0, Math.min(next.size(), heard.size())), tag + ": resumes after the stop");
        assertArrayEquals(Files.readAllBytes(StoreDirectory.openCurrent(straight).file("embeddings")),
                Files.readAllBytes(StoreDirectory.openCurrent(resumed).file("embeddings")), tag);
    }

    /**
     * Disk in use peaks at one layer's files: each stage starts after deleting what no later stage reads and the
     * output is created by the last, so a two-layer run holds h0, m1, h1 through layer 1 and h1, m2 and the output
     * through layer 2; the result is unchanged.
     */
    @Test
    void shouldDeleteEachScratchFileOnceNoLaterStageReadsIt() throws IOException {
        RowTable hood = RowTable.random(NODES, 3, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageConfig c = config(8, 8, 0, Pooling.MEAN);
        assertEquals(2, c.layers());
        PinSageModel model = new PinSageModel(backend, c);
        long budget = budgetFor(c, 3, 10);
        float[] want = layered(model, hood, inputs, budget, dir.resolve("straight"));
        Path work = dir.resolve("work");
        Path root = dir.resolve("store");
        LayeredInference.Job job = LayeredInference.Job.single(Side.LEFT, root, NODES, work, PRINT, budget);
        Map<Integer, Set<String>> scratchByStage = new TreeMap<>();
        LayeredInference.embedAll(model, hood, inputs, NODES, job, byStage((stage, done, total) -> {
            if (done == total) {
                try (var files = Files.list(work)) {
                    scratchByStage.put(stage, files.map(f -> f.getFileName().toString())
                            .filter(n -> n.matches("[hm][0-9]+") || n.startsWith(LayeredInference.OUTPUT_PREFIX))
                            .map(n -> n.startsWith(LayeredInference.OUTPUT_PREFIX) ? "out" : n).collect(Collectors.toCollection(TreeSet::new)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }));
        assertEquals(Map.of(0, Set.of("h0"), 1, Set.of("h0", "m1"), 2, Set.of("h0", "m1", "h1"), 3, Set.of("h1", "m2"),
                4, Set.of("h1", "m2", "out")), scratchByStage, "seed=" + seed + ": work files at the end of each stage");
        try (EmbeddingStore s = EmbeddingStore.open(root, true)) {
            float[] got = new float[OUT];
            for (int u = 0; u < NODES; u++) {
                s.read(u, got, 0);
                assertArrayEquals(Arrays.copyOfRange(want, u * OUT, (u + 1) * OUT), got, "seed=" + seed + " node " + u);
            }
        }
    }

    /**
     * A run that died between publishing its first store and its second leaves a record of every chunk done but one
     * work file gone: the next run starts over rather than publish a store of zeros.
     */
    @Test
    void shouldStartOverWhenAWorkFileTheRecordReliesOnIsGone() throws IOException {
        RowTable hood = RowTable.random(NODES, 3, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageConfig c = config(8, 8, 0, Pooling.MEAN);
        PinSageModel model = new PinSageModel(backend, c);
        float[] want = layered(model, hood, inputs, budgetFor(c, 3, 10), dir.resolve("straight"));
        Path root = dir.resolve("store");
        LayeredInference.Job job = LayeredInference.Job.single(Side.LEFT, root, NODES, dir.resolve("work"), PRINT,
                budgetFor(c, 3, 10));
        int last = 2 * c.layers();
        assertThrows(RuntimeException.class, () -> LayeredInference.embedAll(model, hood, inputs, NODES, job,
                byStage((stage, done, total) -> {
                    if (stage == last && done == total) {
                        throw new IllegalStateException("stop before publishing");
                    }
                })));
        Files.delete(dir.resolve("work").resolve(LayeredInference.OUTPUT_PREFIX + 0));
        int[] firstStage = {-1};
        LayeredInference.embedAll(model, hood, inputs, NODES, job, byStage((stage, done, total) -> {
            if (firstStage[0] < 0) {
                firstStage[0] = stage;
            }
        }));
        assertEquals(0, firstStage[0], "seed=" + seed);
        try (EmbeddingStore s = EmbeddingStore.open(root, true)) {
            float[] got = new float[OUT];
            for (int u = 0; u < NODES; u++) {
                s.read(u, got, 0);
                assertArrayEquals(Arrays.copyOfRange(want, u * OUT, (u + 1) * OUT), got, "seed=" + seed + " node " + u);
            }
        }
    }

    @Test
    void shouldRefuseInputsOfAnotherFeatureWidth() {
        PinSageModel model = new PinSageModel(backend, config(8, 8, 0, Pooling.MEAN));
        LayeredInference.Job job = LayeredInference.Job.single(Side.LEFT, dir.resolve("s"), NODES, dir.resolve("work"), PRINT, 1 << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayeredInference.embedAll(model,
                RowTable.random(NODES, 2, seed), TrainerTest.randomInputs(NODES, 4, seed), NODES, job, StageProgress.NONE));
        assertEquals("featureDim=4: the model expects featureDim=3", e.getMessage());
        assertFalse(StoreDirectory.isPublished(dir.resolve("s")));
    }

    /** A node embedded as new from its own row and inputs gets the row the layered run wrote for it. */
    @Test
    void shouldEmbedANewNodeAsTheStoreEmbedsAnExistingOne() throws IOException {
        RowTable hood = RowTable.random(NODES, 4, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageConfig c = config(8, 8, 0, Pooling.MEAN);
        PinSageModel model = new PinSageModel(backend, c);
        float[] stored = layered(model, hood, inputs, budgetFor(c, 4, 7), dir.resolve("store"));
        NewNodeEmbedding fresh = new NewNodeEmbedding(model, hood, inputs, NODES);
        for (int u = (int) Math.floorMod(seed, 3); u < NODES; u += 3) {
            float[] features = new float[3];
            inputs.copyFeatures(u, features, 0);
            int[] ids = hood.ids(u);
            float[] got = fresh.embed(features, inputs.logDegree(u), ids, hood.weights(u), ids.length);
            assertArrayEquals(Arrays.copyOfRange(stored, u * OUT, (u + 1) * OUT), got, TOLERANCE, "seed=" + seed + " node " + u);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fresh.embed(new float[3], 0f, new int[] {NODES}, new float[] {1f}, 1));
        assertEquals("neighbours[0]=" + NODES + ": must lie in [0, " + NODES + ")", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NewNodeEmbedding(
                new PinSageModel(backend, config(8, 8, NODES, Pooling.MEAN)), hood, inputs, NODES));
    }

    /**
     * A model whose ids hash into a table smaller than the node space: the layered run equals the one-pass forward,
     * and a node beyond the space gets an embedding, the same from the model saved and loaded again.
     */
    @Test
    void shouldEmbedWithAHashedIdTableAndGiveANewNodeARow() throws IOException {
        RowTable hood = RowTable.random(NODES, 4, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageConfig c = new PinSageConfig(3, true, 5, 4, 8, 2, 8, 8, 8, OUT, Pooling.MEAN, true, seed, true);
        PinSageModel model = new PinSageModel(backend, c);
        float[] onePass = Inference.embedAll(model, hood, inputs);
        assertArrayEquals(onePass, layered(model, hood, inputs, budgetFor(c, 4, 7), dir.resolve("store")), TOLERANCE,
                "seed=" + seed);
        Path file = dir.resolve("hashed.bin");
        model.save(file);
        PinSageModel loaded = PinSageModel.load(file, backend);
        float[] features = {0.5f, -1f, 2f};
        int[] row = hood.ids(3);
        float[] fresh = new NewNodeEmbedding(model, hood, inputs, NODES).embed(features, 1f, row, hood.weights(3), row.length);
        float[] again = new NewNodeEmbedding(loaded, hood, inputs, NODES).embed(features, 1f, row, hood.weights(3), row.length);
        assertArrayEquals(fresh, again, "seed=" + seed);
        assertEquals(OUT, fresh.length);
    }

    /** What a test hears of a run's progress: each report with the number of its stage. */
    private interface StageHook {
        void report(int stage, long done, long total);
    }

    /** A {@link StageProgress} that tells {@code hook} the number of each reporting stage, found by its name. */
    private static StageProgress byStage(StageHook hook) {
        return (name, unit, total) -> {
            int stage = 0;
            while (!LayeredInference.stageName(stage).equals(name)) {
                stage++;
            }
            int number = stage;
            return done -> hook.report(number, done, total);
        };
    }
}
