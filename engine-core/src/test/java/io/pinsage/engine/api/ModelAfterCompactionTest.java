package io.pinsage.engine.api;

import io.pinsage.csr.Residency;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LogSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model trained on a store keeps working on the generations compactions write from it, and only on those. */
class ModelAfterCompactionTest {

    @TempDir
    Path dir;

    @Test
    void shouldOpenAModelOnACompactionOfItsStoreAndRefuseAnUnrelatedStoreNamingBoth() throws Exception {
        TestStores.Inductive t = TestStores.inductive(dir.resolve("a"), 300);
        EngineOptions live = EngineOptions.builder().residency(Residency.MAPPED).threads(1).model(t.model())
                .liveEdges(dir.resolve("edges.log"), LogSync.eachBatch()).build();
        try (PinSageEngine engine = PinSageEngine.open(t.store(), live)) {
            engine.addEdges(new EdgeBatch().add("5000", "3").add("5000", "7").add("5001", "7").add("5001", "900"));
            engine.compact();
            engine.compact(); // a second generation: the lineage reaches back through the first
        }
        try (PinSageEngine engine = PinSageEngine.open(t.store(), live)) {
            assertEquals(302, engine.pinCount());
            float[] e = engine.embedNewPin(new float[engine.newPinFeatureDim()],
                    List.of(new WeightedPin("3", 1f), new WeightedPin("900", 1f)));
            assertEquals(engine.embeddingDim(), e.length);
            for (float v : e) {
                assertTrue(Float.isFinite(v), "a finite embedding over the compacted store");
            }
        }

        TestStores.Inductive other = TestStores.inductive(dir.resolve("b"), 200);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PinSageEngine.open(other.store(),
                EngineOptions.builder().threads(1).model(t.model()).build()));
        assertTrue(e.getMessage().contains(t.model().toString()) && e.getMessage().contains(other.store().toString())
                && e.getMessage().contains("pins=300") && e.getMessage().contains("pins=200")
                && e.getMessage().contains("neither that generation nor a compaction of it"), e.getMessage());
    }
}
