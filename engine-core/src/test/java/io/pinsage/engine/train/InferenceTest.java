package io.pinsage.engine.train;

import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Inference} embeds every node in one pass: what it returns for a node must be the model's forward over that
 * node's own computation graph. Randomized: seed from {@code -Dtests.seed=N} or the clock, printed in every failure.
 */
class InferenceTest {

    private static final int NODES = 30;
    private static final float TOLERANCE = 1e-5f;

    private final long seed = Long.getLong("tests.seed", new Random().nextLong());
    private CpuBackend backend;

    @BeforeEach
    void openBackend() {
        backend = new CpuBackend(1);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private PinSageConfig config(int layers) {
        return new PinSageConfig(3, true, NODES, 8, layers, 8, 8, 8, 6, Pooling.MEAN, true, seed);
    }

    private float[] row(float[] all, int node, int dim) {
        return Arrays.copyOfRange(all, node * dim, (node + 1) * dim);
    }

    /** One layer, the graph of node u written out by hand: layer 1 is u, layer 0 is u then its neighbours. */
    @Test
    void shouldEmbedANodeAsTheForwardOverItsHandBuiltNeighbourhood() {
        String tag = "seed=" + seed;
        RowTable hood = RowTable.random(NODES, 4, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageModel model = new PinSageModel(backend, config(1));
        float[] all = Inference.embedAll(model, hood, inputs);
        assertEquals(NODES * 6, all.length, tag);
        for (int u = 0; u < NODES; u++) {
            int[] nb = hood.ids(u);
            // layer 0 lists u first, then each neighbour once, in order of first appearance
            int[] layer0 = new int[1 + nb.length];
            int listed = 0;
            layer0[listed++] = u;
            int[] position = new int[nb.length];
            for (int i = 0; i < nb.length; i++) {
                int at = indexOf(layer0, listed, nb[i]);
                if (at < 0) {
                    at = listed;
                    layer0[listed++] = nb[i];
                }
                position[i] = at;
            }
            int[] ids = Arrays.copyOf(layer0, listed);
            float[] features = new float[listed * 3];
            float[] logDegrees = new float[listed];
            for (int i = 0; i < listed; i++) {
                inputs.copyFeatures(ids[i], features, i * 3);
                logDegrees[i] = inputs.logDegree(ids[i]);
            }
            ComputationGraph one = new ComputationGraph(new int[] {listed, 1}, ids, new int[][] {null, {0, nb.length}},
                    new int[][] {null, position}, new float[][] {null, hood.weights(u)}, features, 3, logDegrees);
            assertArrayEquals(Tensors.toArray(model.forward(one)), row(all, u, 6), TOLERANCE, tag + " node " + u);
        }
    }

    private static int indexOf(int[] list, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (list[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** Two layers: all nodes in one pass, one node at a time, and every node in a shuffled batch agree. */
    @Test
    void shouldEmbedAllNodesAsOneAtATimeAndInAnyBatch() {
        String tag = "seed=" + seed;
        RowTable hood = RowTable.random(NODES, 5, seed);
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageModel model = new PinSageModel(backend, config(2));
        float[] all = Inference.embedAll(model, hood, inputs);
        ComputationGraphBuilder graphs = new ComputationGraphBuilder(2, hood, inputs);
        for (int u = 0; u < NODES; u++) {
            float[] alone = Tensors.toArray(model.forward(graphs.build(new int[] {u}, 1)));
            assertArrayEquals(alone, row(all, u, 6), TOLERANCE, tag + " node " + u);
        }
        int[] order = new Random(seed).ints(0, NODES).distinct().limit(NODES).toArray();
        float[] batch = Tensors.toArray(model.forward(graphs.build(order, NODES)));
        for (int i = 0; i < NODES; i++) {
            assertArrayEquals(row(all, order[i], 6), row(batch, i, 6), TOLERANCE, tag + " position " + i);
        }
    }

    /** Without CONVOLVE layers a node's row is the forward of the node alone, and no neighbourhood row is read. */
    @Test
    void shouldEmbedEachNodeFromItsOwnInputsWithoutConvolveLayersReadingNoRow() {
        String tag = "seed=" + seed;
        ComputationGraphBuilder.Neighborhoods unread = new ComputationGraphBuilder.Neighborhoods() {
            @Override
            public int width() {
                return 4;
            }

            @Override
            public int read(int node, int[] ids, float[] weights, int offset) {
                throw new AssertionError("the row of node " + node + " was read for a model without CONVOLVE layers");
            }
        };
        NodeInputs inputs = TrainerTest.randomInputs(NODES, 3, seed);
        PinSageModel model = new PinSageModel(backend, config(0));
        float[] all = Inference.embedAll(model, unread, inputs);
        ComputationGraphBuilder graphs = new ComputationGraphBuilder(0, unread, inputs);
        for (int u = 0; u < NODES; u++) {
            float[] alone = Tensors.toArray(model.forward(graphs.build(new int[] {u}, 1)));
            assertArrayEquals(alone, row(all, u, 6), TOLERANCE, tag + " node " + u);
        }
        int[] some = {2, 7, NODES - 1};
        float[] chosen = Inference.embedNodes(model, unread, inputs, some);
        for (int i = 0; i < some.length; i++) {
            assertArrayEquals(row(all, some[i], 6), row(chosen, i, 6), tag + " node " + some[i]);
        }
    }

    @Test
    void shouldRefuseAModelWhoseIdTableIsNotTheNodeSpace() {
        PinSageModel model = new PinSageModel(backend, new PinSageConfig(3, true, NODES + 1, 8, 1, 8, 8, 8, 6, Pooling.MEAN,
                true, seed));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Inference.embedAll(model,
                RowTable.random(NODES, 2, seed), TrainerTest.randomInputs(NODES, 3, seed)));
        assertEquals("inputs.nodeCount=30: the model's id table has idEmbeddings=31 rows", e.getMessage());
    }
}
