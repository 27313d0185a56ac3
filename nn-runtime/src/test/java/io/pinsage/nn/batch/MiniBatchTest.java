package io.pinsage.nn.batch;

import io.pinsage.nn.model.ComputationGraph;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MiniBatchTest {

    /** Six layer-0 nodes, of which the first four are outputs of the one layer. */
    private static ComputationGraph graph() {
        return new ComputationGraph(new int[] {6, 4}, new int[] {10, 11, 12, 13, 14, 15},
                new int[][] {null, {0, 1, 2, 3, 4}}, new int[][] {null, {4, 5, 4, 5}},
                new float[][] {null, {1, 1, 1, 1}}, new float[0], 0, new float[6]);
    }

    @Test
    void shouldHoldItsRowsWithoutCopyingThem() {
        ComputationGraph g = graph();
        int[] q = {0, 1};
        int[] p = {2, 3};
        int[] n = {3};
        int[] h = {1, -1, 0, 2};
        MiniBatch b = new MiniBatch(g, q, p, n, 2, h, 3, 7);
        assertSame(g, b.graph());
        assertSame(q, b.queryRows());
        assertSame(p, b.positiveRows());
        assertSame(n, b.negativeRows());
        assertSame(h, b.hardRows());
        assertEquals(2, b.size());
        assertEquals(2, b.hardPerQuery());
        assertEquals(3, b.epoch());
        assertEquals(7, b.index());
    }

    @Test
    void shouldRejectMismatchedShapesNamingTheFields() {
        ComputationGraph g = graph();
        assertEquals("queryRows.length=2 positiveRows.length=1: must be equal and non-zero", message(
                () -> new MiniBatch(g, new int[] {0, 1}, new int[] {2}, new int[0], 0, new int[0], 0, 0)));
        assertEquals("queryRows.length=0 positiveRows.length=0: must be equal and non-zero", message(
                () -> new MiniBatch(g, new int[0], new int[0], new int[0], 0, new int[0], 0, 0)));
        assertEquals("hardRows.length=3 hardPerQuery=2 queryRows.length=2: must be hardPerQuery × queryRows.length,"
                + " hardPerQuery >= 0", message(
                () -> new MiniBatch(g, new int[] {0, 1}, new int[] {2, 3}, new int[0], 2, new int[3], 0, 0)));
        assertEquals("epoch=-1 index=0: must be >= 0", message(
                () -> new MiniBatch(g, new int[] {0}, new int[] {2}, new int[0], 0, new int[0], -1, 0)));
    }

    @Test
    void shouldRejectRowsOutsideTheGraphsOutputs() {
        ComputationGraph g = graph();
        assertEquals("queryRows[1]=4: must lie in [0, 4), the graph's output rows", message(
                () -> new MiniBatch(g, new int[] {0, 4}, new int[] {2, 3}, new int[0], 0, new int[0], 0, 0)));
        assertEquals("negativeRows[0]=-1: must lie in [0, 4), the graph's output rows", message(
                () -> new MiniBatch(g, new int[] {0}, new int[] {2}, new int[] {-1}, 0, new int[0], 0, 0)));
        assertEquals("hardRows[0]=-2: must lie in [-1, 4), the graph's output rows", message(
                () -> new MiniBatch(g, new int[] {0}, new int[] {2}, new int[0], 1, new int[] {-2}, 0, 0)));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
