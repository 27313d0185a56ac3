package io.pinsage.nn.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComputationGraphBuilderTest {

    private static final int[][] NEIGHBOURS = {{1, 2}, {0, 3}, {4}, {4, 0}, {}};

    private static ComputationGraphBuilder.Neighborhoods fixed() {
        float[][] weights = new float[NEIGHBOURS.length][];
        for (int node = 0; node < NEIGHBOURS.length; node++) {
            weights[node] = new float[NEIGHBOURS[node].length];
            for (int i = 0; i < weights[node].length; i++) {
                weights[node][i] = node + i * 0.5f;
            }
        }
        return TinyGraphs.rows(NEIGHBOURS, weights);
    }

    @Test
    void shouldListLayersAsNestedPrefixesWithReindexedNeighbours() {
        ComputationGraphBuilder builder = new ComputationGraphBuilder(2, fixed(), TinyGraphs.inputs(new Random(1), 5, 2));
        ComputationGraph g = builder.build(new int[] {2, 0}, 2);
        // layer 2: [2, 0]; their neighbours 4 | 1, 2 -> layer 1: [2, 0, 4, 1]; then 4: - ; 1: 0, 3 -> layer 0 adds 3
        assertArrayEquals(new int[] {2, 0, 4, 1, 3}, g.nodeIds());
        assertEquals(2, g.nodeCount(2));
        assertEquals(4, g.nodeCount(1));
        assertEquals(5, g.nodeCount(0));
        assertArrayEquals(new int[] {0, 1, 3}, g.offsets(2));
        assertArrayEquals(new int[] {2, 3, 0}, g.neighbours(2));
        assertArrayEquals(new float[] {2f, 0f, 0.5f}, g.weights(2));
        assertArrayEquals(new int[] {0, 1, 3, 3, 5}, g.offsets(1));
        assertArrayEquals(new int[] {2, 3, 0, 1, 4}, g.neighbours(1));
        assertEquals(5 * 2, g.features().length);
    }

    @Test
    void shouldKeepOnlyTheFirstNeighboursUpToEachLayersFanOut() {
        ComputationGraphBuilder builder = new ComputationGraphBuilder(2, new int[] {0, 1, 2}, fixed(),
                TinyGraphs.inputs(new Random(4), 5, 0));
        ComputationGraph g = builder.build(new int[] {0}, 1);
        // layer 2 keeps both of 0's neighbours (1, 2); layer 1 keeps one each: 0 -> 1, 1 -> 0, 2 -> 4
        assertArrayEquals(new int[] {0, 1, 2, 4}, g.nodeIds());
        assertArrayEquals(new int[] {1, 2}, g.neighbours(2));
        assertArrayEquals(new int[] {0, 1, 2, 3}, g.offsets(1));
        assertArrayEquals(new int[] {1, 0, 3}, g.neighbours(1));
        assertThrows(IllegalArgumentException.class,
                () -> new ComputationGraphBuilder(2, new int[] {0, 0, 5}, fixed(), TinyGraphs.inputs(new Random(5), 5, 0)));
    }

    @Test
    void shouldListOnlyTheOutputsWithoutConvolveLayers() {
        ComputationGraphBuilder.NodeInputs inputs = TinyGraphs.inputs(new Random(7), 5, 2);
        ComputationGraph g = new ComputationGraphBuilder(0, fixed(), inputs).build(new int[] {3, 0, 4}, 3);
        assertEquals(0, g.layers());
        assertEquals(3, g.outputCount());
        assertArrayEquals(new int[] {3, 0, 4}, g.nodeIds());
        float[] row = new float[2];
        inputs.copyFeatures(0, row, 0);
        assertArrayEquals(row, java.util.Arrays.copyOfRange(g.features(), 2, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ComputationGraphBuilder(-1, fixed(), inputs));
        assertEquals("layers=-1 (expected >= 0)", e.getMessage());
    }

    @Test
    void shouldReuseTheBuilderAcrossBuilds() {
        ComputationGraphBuilder builder = new ComputationGraphBuilder(1, fixed(), TinyGraphs.inputs(new Random(2), 5, 0));
        builder.build(new int[] {0, 1, 2, 3}, 4);
        ComputationGraph g = builder.build(new int[] {4}, 1);
        assertArrayEquals(new int[] {4}, g.nodeIds());
        assertArrayEquals(new int[] {0, 0}, g.offsets(1));
    }

    @Test
    void shouldBuildWithoutInputsTheGraphThatGatheringThemCompletes() {
        ComputationGraphBuilder.NodeInputs inputs = TinyGraphs.inputs(new Random(6), 5, 3);
        ComputationGraphBuilder builder = new ComputationGraphBuilder(2, fixed(), inputs);
        ComputationGraph whole = builder.build(new int[] {2, 0}, 2);
        ComputationGraph bare = builder.buildWithoutInputs(new int[] {2, 0}, 2);
        assertTrue(whole.hasInputs());
        assertFalse(bare.hasInputs());
        assertArrayEquals(whole.nodeIds(), bare.nodeIds());
        for (int k = 1; k <= 2; k++) {
            assertArrayEquals(whole.offsets(k), bare.offsets(k));
            assertArrayEquals(whole.neighbours(k), bare.neighbours(k));
            assertArrayEquals(whole.weights(k), bare.weights(k));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, bare::features);
        assertEquals("computation graph [5, 4, 2] has no layer-0 inputs: gather them with withInputs", e.getMessage());
        assertThrows(IllegalStateException.class, bare::featureDim);
        assertThrows(IllegalStateException.class, bare::logDegrees);
        ComputationGraph gathered = bare.withInputs(inputs);
        assertEquals(3, gathered.featureDim());
        assertArrayEquals(whole.features(), gathered.features());
        assertArrayEquals(whole.logDegrees(), gathered.logDegrees());
        float[] row = new float[3];
        inputs.copyFeatures(3, row, 0);
        assertArrayEquals(row, java.util.Arrays.copyOfRange(gathered.features(), 4 * 3, 5 * 3), "node 3 is listed fifth");
        assertEquals(inputs.logDegree(3), gathered.logDegrees()[4]);
    }

    @Test
    void shouldRejectANegativeNodeIdInAGraphWithoutInputs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ComputationGraph(
                new int[] {2, 1}, new int[] {7, -8}, new int[][] {null, {0, 1}}, new int[][] {null, {1}},
                new float[][] {null, {1f}}));
        assertEquals("computation graph: nodeIds[1]=-8 (expected an id >= 0)", e.getMessage());
    }

    @Test
    void shouldRejectRepeatedOutputs() {
        ComputationGraphBuilder builder = new ComputationGraphBuilder(1, fixed(), TinyGraphs.inputs(new Random(3), 5, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.build(new int[] {3, 1, 3}, 3));
        assertTrue(e.getMessage().contains("outputs[2]=3"), e.getMessage());
    }

    @Test
    void shouldRejectAGraphWhoseNeighbourIndexLeavesThePreviousLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ComputationGraph(
                new int[] {2, 1}, new int[] {7, 8}, new int[][] {null, {0, 1}}, new int[][] {null, {2}},
                new float[][] {null, {1f}}, new float[0], 0, new float[2]));
        assertTrue(e.getMessage().contains("layer 1 neighbour[0]=2"), e.getMessage());
    }
}
