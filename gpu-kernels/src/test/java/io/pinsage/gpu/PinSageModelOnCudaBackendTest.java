package io.pinsage.gpu;

import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.model.AdamOptimizer;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.model.SampledRankingLoss;
import io.pinsage.nn.model.TinyGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole PinSage model, trained for a few Adam steps with the margin loss on {@link CudaBackend} (on the
 * host twins everywhere, on the GPU where there is one) and on the {@link CpuBackend} from the same seed: losses
 * and final embeddings must agree. This runs every
 * operation the model uses in the order training uses them, with ID embeddings (sparse Adam) and MAX pooling
 * (argMax between forward and backward). Seed from {@code -Dtests.seed=N} or the clock, printed in failures.
 */
class PinSageModelOnCudaBackendTest {

    private static final int NODES = 40;

    @Test
    void shouldTrainToTheSameLossesAndEmbeddingsAsTheCpuBackend() {
        assertTrainsLikeTheCpuBackend(CudaBackend::onHostTwins);
    }

    @Test
    @ExtendWith(RequiresCuda.class)
    void shouldTrainOnTheGpuToTheSameLossesAndEmbeddingsAsTheCpuBackend() {
        assertTrainsLikeTheCpuBackend(CudaBackend::open);
    }

    @Test
    void shouldTrainWithTheTrainersLossAndProjectedIdsLikeTheCpuBackend() {
        assertTrainsWithRankingLossLikeTheCpuBackend(CudaBackend::onHostTwins);
    }

    @Test
    @ExtendWith(RequiresCuda.class)
    void shouldTrainOnTheGpuWithTheTrainersLossAndProjectedIdsLikeTheCpuBackend() {
        assertTrainsWithRankingLossLikeTheCpuBackend(CudaBackend::open);
    }

    /**
     * The trainer's pipelined step: two minibatches alternate, and the next one is staged
     * ({@link PinSageModel#stage}) after backward is issued and before the loss is read. Staging writes the other set
     * of input buffers, so the step in flight must be unaffected: on the CPU backend the result is bit-identical to
     * training without staging; on the host twins, and on devices whose compute or copy stream runs late (work the
     * backend forgot to order runs out of order there), it agrees with it.
     */
    @Test
    void shouldTrainTheSameWhenTheNextMinibatchIsStagedDuringTheStep() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        String tag = "[-Dtests.seed=" + seed + "] ";
        float[][] plain = trainAlternating(new CpuBackend(1), seed, false);
        float[][] staged = trainAlternating(new CpuBackend(1), seed, true);
        for (int i = 0; i < plain.length; i++) {
            assertArrayEquals(plain[i], staged[i], tag + "cpu backend, staged against not staged, row " + i);
        }
        assertAgree(plain, trainAlternating(CudaBackend.onHostTwins(), seed, true), tag + "host twins ");
        assertAgree(plain, trainAlternating(CudaBackend.on(new SimulatedStreamsDevice(SimulatedStreamsDevice.Lazy.COMPUTE)),
                seed, true), tag + "late compute stream ");
        assertAgree(plain, trainAlternating(CudaBackend.on(new SimulatedStreamsDevice(SimulatedStreamsDevice.Lazy.COPY)),
                seed, true), tag + "late copy stream ");
    }

    @Test
    @ExtendWith(RequiresCuda.class)
    void shouldTrainOnTheGpuTheSameWhenTheNextMinibatchIsStagedDuringTheStep() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        assertAgree(trainAlternating(new CpuBackend(1), seed, false), trainAlternating(CudaBackend.open(), seed, true),
                "[-Dtests.seed=" + seed + "] gpu ");
    }

    /**
     * Six softmax steps over two alternating minibatches of different sizes, MAX pooling (argMax kept between
     * forward and backward); with {@code stage}, each step stages the next minibatch between backward and the loss
     * read, and the last step stages one that is then not used (the final forward of the first graph must not pick
     * it up). Returns {losses, final embeddings of both graphs}. Closes the backend.
     */
    private static float[][] trainAlternating(Backend backend, long seed, boolean stage) {
        try (backend) {
            Random random = new Random(seed);
            ComputationGraphBuilder.Neighborhoods nbhd = TinyGraphs.neighborhoods(random, NODES, 6);
            ComputationGraphBuilder.NodeInputs inputs = TinyGraphs.inputs(random, NODES, 5);
            PinSageConfig config = new PinSageConfig(5, true, NODES, 8, 2, 8, 12, 16, 6, Pooling.MAX, true, seed);
            PinSageModel model = new PinSageModel(backend, config);
            AdamOptimizer adam = new AdamOptimizer(backend, model.parameters(), steady(0.02f));
            int[][] targets = {{3, 17, 8, 25, 30, 1}, {9, 4, 22, 35, 11, 2, 28, 19}};
            ComputationGraph[] graphs = new ComputationGraph[2];
            for (int g = 0; g < 2; g++) {
                graphs[g] = new ComputationGraphBuilder(2, nbhd, inputs).build(targets[g], targets[g].length);
            }
            SampledRankingLoss head = new SampledRankingLoss(backend, config.outputDim(), RankingLossKind.SOFTMAX,
                    0.5f, 0.3f, true);
            float[] losses = new float[6];
            for (int step = 0; step < losses.length; step++) {
                ComputationGraph graph = graphs[step % 2];
                Tensor z = model.forward(graph);
                Tensor grad = backend.allocate("dz", z.rows(), z.cols());
                head.issue(z, new int[] {0, 1}, new int[] {2, 3}, new int[] {4, 5}, new int[0], 0, grad);
                model.backward(grad);
                if (stage) {
                    model.stage(graphs[(step + 1) % 2]);
                }
                losses[step] = (float) head.loss();
                adam.step();
                grad.close();
            }
            // the last step staged graph 0; forwarding graph 1 first must not read it, then graph 0 uploads again
            float[] second = Tensors.toArray(model.forward(graphs[1]));
            float[] first = Tensors.toArray(model.forward(graphs[0]));
            float[] both = new float[first.length + second.length];
            System.arraycopy(first, 0, both, 0, first.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            return new float[][] {losses, both};
        }
    }

    /**
     * A caller that never stages (inference, evaluation) keeps one set of input buffers: alternating between two
     * sets would double the inputs of a graph over every node. Wide features make the input buffers the bulk of what
     * a second forward could add; what else it adds is the layouts of its neighbourhoods (new contents), a few KiB.
     */
    @Test
    void shouldKeepOneSetOfInputBuffersWhenNothingIsStaged() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        int features = 256;
        try (CudaBackend backend = CudaBackend.onHostTwins()) {
            Random random = new Random(seed);
            ComputationGraphBuilder.Neighborhoods nbhd = TinyGraphs.neighborhoods(random, NODES, 6);
            ComputationGraphBuilder.NodeInputs inputs = TinyGraphs.inputs(random, NODES, features);
            PinSageModel model = new PinSageModel(backend, new PinSageConfig(features, true, NODES, 8, 2, 8, 12, 16, 6,
                    Pooling.MEAN, true, seed));
            int[] all = new int[NODES];
            for (int i = 0; i < NODES; i++) {
                all[i] = i;
            }
            long[] reserved = new long[3];
            for (int pass = 0; pass < reserved.length; pass++) {
                model.forward(new ComputationGraphBuilder(2, nbhd, inputs).build(all, NODES));
                backend.synchronize();
                reserved[pass] = backend.deviceBytesReserved();
            }
            long inputBytes = (long) NODES * (features + 1) * Float.BYTES;
            String tag = "[-Dtests.seed=" + seed + "] device bytes reserved after each forward "
                    + java.util.Arrays.toString(reserved) + ", input features " + inputBytes + " bytes";
            assertTrue(reserved[1] - reserved[0] < inputBytes / 2, tag);
            assertTrue(reserved[2] - reserved[1] < inputBytes / 2, tag);
        }
    }

    private static void assertTrainsLikeTheCpuBackend(Supplier<Backend> candidate) {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        for (Pooling pooling : new Pooling[] {Pooling.MEAN, Pooling.MAX}) {
            // A margin of 0.5 usually leaves some hinges active and some not; where a seed's initial embeddings
            // satisfy every hinge, a wider margin is used, and above 2 (unit vectors) every hinge is active.
            float margin = 0;
            float[][] cpu = null;
            for (float m : new float[] {0.5f, 1f, 2.5f}) {
                margin = m;
                cpu = train(new CpuBackend(1), pooling, seed, margin);
                if (cpu[0][0] > 0) {
                    break;
                }
            }
            float[][] twins = train(candidate.get(), pooling, seed, margin);
            String tag = "[-Dtests.seed=" + seed + "] " + pooling + " margin " + margin + " ";
            assertTrue(cpu[0][0] > 0, tag + "the test needs active hinges");
            assertAgree(cpu, twins, tag);
        }
    }

    /**
     * What the engine's trainer does on a backend: sampled softmax (in-batch, shared and hard negatives) and the
     * margin loss through {@link SampledRankingLoss}, an id table narrower than h0 (projected), and its own
     * learning rate.
     */
    private static void assertTrainsWithRankingLossLikeTheCpuBackend(Supplier<Backend> candidate) {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        for (RankingLossKind kind : RankingLossKind.values()) {
            float[][] twins = trainWithRankingLoss(candidate.get(), kind, seed);
            float[][] cpu = trainWithRankingLoss(new CpuBackend(1), kind, seed);
            assertAgree(cpu, twins, "[-Dtests.seed=" + seed + "] " + kind + " ");
        }
    }

    private static void assertAgree(float[][] cpu, float[][] twins, String tag) {
        assertEquals(cpu[0].length, twins[0].length, tag);
        for (int i = 0; i < cpu.length; i++) {
            for (int j = 0; j < cpu[i].length; j++) {
                if (!(Math.abs(cpu[i][j] - twins[i][j]) <= 2e-3 * (1 + Math.abs(cpu[i][j])))) {
                    fail(tag + (i == 0 ? "loss at step " : "embedding element ") + j + ": cpu " + cpu[i][j]
                            + " twins " + twins[i][j]);
                }
            }
        }
    }

    /**
     * Adam with ε = 1e-4 instead of 1e-8. Adam scales every update to about the learning rate, so a gradient that
     * is zero up to rounding (a unit just off, a tie) gets a full-size step whose sign is the rounding's: two
     * backends that round differently then part ways within a few steps although both are right. A larger ε
     * shrinks those steps to nothing and leaves the real gradients' steps as they were.
     */
    private static AdamConfig steady(float learningRate) {
        AdamConfig d = AdamConfig.of(learningRate);
        return new AdamConfig(learningRate, d.beta1(), d.beta2(), 1e-4f, d.weightDecay());
    }

    /** Five training steps with the trainer's loss head; returns {losses, final embeddings}. Closes the backend. */
    private static float[][] trainWithRankingLoss(Backend backend, RankingLossKind kind, long seed) {
        try (backend) {
            Random random = new Random(seed);
            ComputationGraphBuilder.Neighborhoods nbhd = TinyGraphs.neighborhoods(random, NODES, 6);
            ComputationGraphBuilder.NodeInputs inputs = TinyGraphs.inputs(random, NODES, 5);
            PinSageConfig config = new PinSageConfig(5, true, NODES, 4, 8, 2, 8, 12, 16, 6, Pooling.MEAN, true, seed);
            PinSageModel model = new PinSageModel(backend, config);
            AdamOptimizer adam = new AdamOptimizer(backend, model.parameters(), steady(0.02f));
            adam.setConfig(steady(0.02f), steady(0.05f));
            int[] targets = {3, 17, 8, 25, 30, 1, 12};
            ComputationGraph graph = new ComputationGraphBuilder(2, nbhd, inputs).build(targets, targets.length);
            SampledRankingLoss head = new SampledRankingLoss(backend, config.outputDim(), kind, 0.5f, 0.3f, true);
            Tensor grad = backend.allocate("dz", targets.length, config.outputDim());
            float[] losses = new float[5];
            for (int step = 0; step < losses.length; step++) {
                Tensor z = model.forward(graph);
                // queries 0-1, positives 2-3, shared negatives 4-5, one hard negative each (6, none)
                losses[step] = (float) head.compute(z, new int[] {0, 1}, new int[] {2, 3}, new int[] {4, 5},
                        new int[] {6, -1}, 1, grad);
                model.backward(grad);
                adam.step();
            }
            return new float[][] {losses, Tensors.toArray(model.forward(graph))};
        }
    }

    /** Five training steps; returns {losses, final embeddings}. Closes the backend. */
    private static float[][] train(Backend backend, Pooling pooling, long seed, float margin) {
        try (backend) {
            Random random = new Random(seed);
            ComputationGraphBuilder.Neighborhoods nbhd = TinyGraphs.neighborhoods(random, NODES, 6);
            ComputationGraphBuilder.NodeInputs inputs = TinyGraphs.inputs(random, NODES, 5);
            PinSageConfig config = new PinSageConfig(5, true, NODES, 8, 2, 8, 12, 16, 6, pooling, true, seed);
            PinSageModel model = new PinSageModel(backend, config);
            AdamOptimizer adam = new AdamOptimizer(backend, model.parameters(), steady(0.02f));
            int[] targets = {3, 17, 8, 25, 30, 1};
            ComputationGraph graph = new ComputationGraphBuilder(2, nbhd, inputs).build(targets, targets.length);
            SampledRankingLoss head = new SampledRankingLoss(backend, config.outputDim(), RankingLossKind.MARGIN,
                    margin, 1f, false);
            Tensor grad = backend.allocate("dz", targets.length, config.outputDim());
            float[] losses = new float[5];
            for (int step = 0; step < losses.length; step++) {
                Tensor z = model.forward(graph);
                // queries 0-1, positives 2-3, shared negatives 4-5
                losses[step] = (float) head.compute(z, new int[] {0, 1}, new int[] {2, 3}, new int[] {4, 5},
                        new int[0], 0, grad);
                model.zeroGradients();
                model.backward(grad);
                adam.step();
            }
            return new float[][] {losses, Tensors.toArray(model.forward(graph))};
        }
    }
}
