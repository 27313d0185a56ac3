package io.pinsage.engine.api;

import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LogSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pins that arrived after the engine opened, by live edges or {@link PinSageEngine#addNewPin}, as pins a new pin is saved with. */
class FreshSavedWithTest {

    @TempDir
    Path dir;

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void aPinAddedSinceOpenShouldServeAsSavedWithOfTheNextNewPin() throws Exception {
        TestStores.Inductive t = TestStores.inductive(dir, 300);
        float[] features;
        String board;
        String otherBoard;
        try (GraphStore s = GraphStore.open(t.store())) {
            FeatureMatrix f = s.features(Side.LEFT).orElseThrow();
            features = new float[f.dim()];
            f.copyRow(17, features, 0);
            board = Integer.toString(s.graph().neighbor(Side.LEFT, 17, 0));
            otherBoard = Integer.toString(s.graph().neighbor(Side.LEFT, 18, 0));
        }
        try (PinSageEngine engine = PinSageEngine.open(t.store(), EngineOptions.builder().threads(1).model(t.model())
                .liveEdges(null, LogSync.eachBatch()).build())) {
            List<WeightedPin> onBoard = List.of(new WeightedPin(board, 1f));
            float[] byBoard = engine.embedNewPin(features, onBoard);

            // a pin added by addNewPin stands for the starts it was embedded from: here its one board
            engine.addNewPin("added-1", features, onBoard);
            float[] withAdded = engine.embedNewPin(features, List.of(), List.of(new WeightedPin("added-1", 2f)));
            assertArrayEquals(byBoard, withAdded, "saved with a pin added on one board: walks from that board");

            // a pin live edges brought walks over the live graph, from its boards
            engine.addEdges(new EdgeBatch().add("5000", board));
            float[] withEdgePin = engine.embedNewPin(features, List.of(), List.of(new WeightedPin("5000", 1f)));
            double near = cosine(withEdgePin, byBoard);
            double far = cosine(withEdgePin, engine.embedNewPin(features, List.of(new WeightedPin(otherBoard, 1f))));
            assertTrue(near > far, "saved with a pin on board " + board + ": cosine " + near + " with that board's pin, "
                    + far + " with another board's");

            // a board live edges brought is a board too, and the next new pin may name the last one added
            engine.addEdges(new EdgeBatch().add("5001", "9000").add("17", "9000"));
            engine.addNewPin("added-2", features, List.of(new WeightedPin("9000", 1f)),
                    List.of(new WeightedPin("added-1", 1f), new WeightedPin("5001", 1f)));
            float[] chained = engine.embedNewPin(features, List.of(), List.of(new WeightedPin("added-2", 1f)));
            assertEquals(byBoard.length, chained.length);

            UnknownIdException unknown = assertThrows(UnknownIdException.class, () -> engine.embedNewPin(features,
                    List.of(), List.of(new WeightedPin("added-1", 1f), new WeightedPin("nobody", 1f))));
            assertEquals(1, unknown.index());
            assertEquals("nobody", unknown.id());
            assertThrows(IllegalArgumentException.class, () -> engine.embedNewPin(features, List.of(),
                    List.of(new WeightedPin("added-1", 0f))));
        }
    }
}
