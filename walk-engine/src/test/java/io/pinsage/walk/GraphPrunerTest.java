package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphPrunerTest {

    /** Pins 0–3 are about topic 0, pins 4–7 about topic 1 (dim 2). */
    private static final float[] FEATURES = {1, 0, 1, 0, 0.9f, 0.1f, 1, 0, 0, 1, 0, 1, 0.1f, 0.9f, 0, 1};

    @Test
    void shouldDropBoardsWhosePinsSpanTooManyTopics() {
        // Board 0 holds topic-0 pins, board 1 topic-1 pins, board 2 mixes both evenly.
        int[] l = {0, 1, 2, 4, 5, 6, 0, 4, 1, 5};
        int[] r = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2};
        HeapBipartiteGraph g = HeapBipartiteGraph.of(8, 3, l, r, null);
        GraphPruner.Result result = GraphPruner.prune(g, FEATURES, 2, 0.8, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(1, result.boardsDropped());
        assertEquals(4, result.edgesDropped());
        assertEquals(0, result.graph().degree(Side.RIGHT, 2));
        assertEquals(3, result.graph().degree(Side.RIGHT, 0));
        assertEquals(3, result.graph().degree(Side.RIGHT, 1));
        assertEquals(8, result.graph().nodeCount(Side.LEFT), "ids are kept");
    }

    @Test
    void shouldCapDegreesKeepingTheMostRelevantEdges() {
        // Pin 2 (mostly topic 0) sits on boards 0 (topic 0) and 1 (topic 1); with a cap of one edge it keeps board 0.
        int[] l = {0, 1, 2, 2, 4, 5};
        int[] r = {0, 0, 0, 1, 1, 1};
        HeapBipartiteGraph g = HeapBipartiteGraph.of(8, 2, l, r, new float[] {1, 1, 2, 3, 1, 1});
        GraphPruner.Result result = GraphPruner.prune(g, FEATURES, 2, 1.0, 1, Integer.MAX_VALUE);
        HeapBipartiteGraph pruned = result.graph();
        assertEquals(1, pruned.degree(Side.LEFT, 2));
        assertEquals(0, pruned.neighbor(Side.LEFT, 2, 0));
        assertEquals(2f, pruned.weightAt(Side.LEFT, pruned.firstEdge(Side.LEFT, 2)), "weights travel with their edges");
        // Capped at two pins, each board loses pin 2, its least typical member: pin 2 is less purely about topic 0
        // than pins 0 and 1 (board 0), and about the opposite topic from pins 4 and 5 (board 1).
        GraphPruner.Result boardCap = GraphPruner.prune(g, FEATURES, 2, 1.0, Integer.MAX_VALUE, 2);
        for (int b = 0; b < 2; b++) {
            assertEquals(2, boardCap.graph().degree(Side.RIGHT, b));
            for (int i = 0; i < 2; i++) {
                assertTrue(boardCap.graph().neighbor(Side.RIGHT, b, i) != 2, "board " + b + " keeps pin 2");
            }
        }
        assertEquals(2, boardCap.edgesDropped());
    }

    @Test
    void shouldKeepEveryEdgeWithoutLimits() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = RandomGraphs.connected(new Random(seed), 30, 10, 60, false);
        float[] features = new float[30 * 4];
        Random rnd = new Random(seed);
        for (int i = 0; i < features.length; i++) {
            features[i] = rnd.nextFloat();
        }
        GraphPruner.Result r = GraphPruner.prune(g, features, 4, 1.0, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(0, r.edgesDropped(), "seed=" + seed);
        assertEquals(g.edgeCount(), r.graph().edgeCount(), "seed=" + seed);
    }

    @Test
    void shouldRejectAFeatureMatrixOfTheWrongShape() {
        HeapBipartiteGraph g = HeapBipartiteGraph.of(2, 1, new int[] {0, 1}, new int[] {0, 0}, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphPruner.prune(g, new float[5], 2, 0.5, 10, 10));
        assertTrue(e.getMessage().contains("features.length=5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphPruner.prune(g, new float[4], 2, 0, 10, 10));
    }
}
