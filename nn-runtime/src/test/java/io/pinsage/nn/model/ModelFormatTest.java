package io.pinsage.nn.model;

import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFormatTest extends SeededCpuTest {

    @TempDir
    Path dir;
    private PinSageConfig config() {
        return new PinSageConfig(2, true, 10, 8, 2, 6, 8, 8, 5, Pooling.MEAN, true, seed);
    }

    private ComputationGraph graph() {
        return new ComputationGraphBuilder(2, TinyGraphs.neighborhoods(random, 10, 3), TinyGraphs.inputs(random, 10, 2))
                .build(new int[] {0, 4, 7}, 3);
    }

    @Test
    void shouldReloadAModelThatComputesTheSameEmbeddings() throws IOException {
        PinSageModel model = new PinSageModel(backend, config());
        train(model, new AdamOptimizer(backend, model.parameters(), AdamConfig.of(0.01f)), graph(), 3);
        ComputationGraph g = graph();
        float[] before = Tensors.toArray(model.forward(g));
        Path file = dir.resolve("model.psnn");
        model.save(file);
        PinSageModel loaded = PinSageModel.load(file, backend);
        assertEquals(model.config(), loaded.config());
        assertArrayEquals(before, Tensors.toArray(loaded.forward(g)), seedTag());
    }

    @Test
    void shouldResumeTrainingExactlyFromSavedModelAndOptimiserState() throws IOException {
        ComputationGraph g = graph();
        PinSageModel straight = new PinSageModel(backend, config());
        AdamOptimizer straightAdam = new AdamOptimizer(backend, straight.parameters(), AdamConfig.of(0.01f));
        straightAdam.setConfig(AdamConfig.of(0.01f), AdamConfig.of(0.03f));
        train(straight, straightAdam, g, 4);

        PinSageModel first = new PinSageModel(backend, config());
        AdamOptimizer firstAdam = new AdamOptimizer(backend, first.parameters(), AdamConfig.of(0.01f));
        firstAdam.setConfig(AdamConfig.of(0.01f), AdamConfig.of(0.03f));
        train(first, firstAdam, g, 2);
        first.save(dir.resolve("m"));
        firstAdam.save(dir.resolve("o"));
        PinSageModel resumed = PinSageModel.load(dir.resolve("m"), backend);
        AdamOptimizer resumedAdam = new AdamOptimizer(backend, resumed.parameters(), AdamConfig.of(0.5f));
        resumedAdam.load(dir.resolve("o"));
        assertEquals(2, resumedAdam.steps());
        assertEquals(0.01f, resumedAdam.config().learningRate());
        assertEquals(0.03f, resumedAdam.sparseConfig().learningRate());
        train(resumed, resumedAdam, g, 2);
        assertArrayEquals(Tensors.toArray(straight.forward(g)), Tensors.toArray(resumed.forward(g)),
                seedTag());
    }

    private void train(PinSageModel model, AdamOptimizer adam, ComputationGraph g, int steps) {
        SampledRankingLoss loss = new SampledRankingLoss(backend, 5, RankingLossKind.MARGIN, 1f, 1f, false);
        Tensor grad = backend.allocate("dz", 3, 5);
        for (int s = 0; s < steps; s++) {
            Tensor z = model.forward(g);
            // query 0, positive 1, shared negative 2
            loss.compute(z, new int[] {0}, new int[] {1}, new int[] {2}, new int[0], 0, grad);
            model.backward(grad);
            adam.step();
        }
    }

    @Test
    void shouldRejectATruncatedFileNamingIt() throws IOException {
        Path file = dir.resolve("weights.psnn");
        new PinSageModel(backend, config()).save(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        CorruptModelFileException e = assertThrows(CorruptModelFileException.class,
                () -> PinSageModel.load(file, backend));
        assertTrue(e.getMessage().contains("weights.psnn") && e.getMessage().contains("truncated"), e.getMessage());
        assertEquals(file, e.file());
    }

    @Test
    void shouldRejectAFlippedByteByChecksum() throws IOException {
        Path file = dir.resolve("weights.psnn");
        new PinSageModel(backend, config()).save(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);
        CorruptModelFileException e = assertThrows(CorruptModelFileException.class,
                () -> PinSageModel.load(file, backend));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void shouldRejectOptimiserStateWhereAModelIsExpected() throws IOException {
        PinSageModel model = new PinSageModel(backend, config());
        Path file = dir.resolve("adam.state");
        new AdamOptimizer(backend, model.parameters(), AdamConfig.of(0.1f)).save(file);
        CorruptModelFileException e = assertThrows(CorruptModelFileException.class,
                () -> PinSageModel.load(file, backend));
        assertTrue(e.getMessage().contains("pinsage-adam"), e.getMessage());
    }

    @Test
    void shouldRejectAnUnsupportedVersion() throws IOException {
        Path file = dir.resolve("future.psnn");
        ModelFormat.write(file, ModelFormat.MODEL_CODEC, Map.of(), List.of());
        byte[] bytes = Files.readAllBytes(file);
        bytes[4] = 9;
        // refresh the checksum so that only the version is wrong
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 4,
                (int) crc.getValue());
        Files.write(file, bytes);
        CorruptModelFileException e = assertThrows(CorruptModelFileException.class,
                () -> ModelFormat.read(file, ModelFormat.MODEL_CODEC));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    void shouldReplaceAnExistingFileLeavingNoTemporary() throws IOException {
        Path file = dir.resolve("model.psnn");
        ModelFormat.write(file, ModelFormat.MODEL_CODEC, Map.of("a", "1"), List.of());
        ModelFormat.write(file, ModelFormat.MODEL_CODEC, Map.of("a", "2"),
                List.of(new ModelFormat.NamedMatrix("x", 1, 2, new float[] {1f, 2f})));
        ModelFormat.Contents c = ModelFormat.read(file, ModelFormat.MODEL_CODEC);
        assertEquals("2", c.metadata().get("a"));
        assertArrayEquals(new float[] {1f, 2f}, c.matrix("x").values());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may remain");
        }
    }
}
