package io.pinsage.engine.train;

import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.model.PinSageConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class RunFingerprintTest {

    private static TrainingConfig training(int epochs, int batch, int threads) {
        return new TrainingConfig(epochs, batch, 3, false, 0, RankingLossKind.SOFTMAX, 0.1f, 0.2f, 1e-2f, 1e-2f, 0.5f, 5, 7L,
                threads, 1, 4, 0, false, 0f);
    }

    private static final PinSageConfig MODEL = new PinSageConfig(0, true, 40, 8, 8, 1, 8, 8, 8, 8, Pooling.MEAN, true, 7L);

    @Test
    void shouldIgnoreTheEpochCapAndThreadsButNotTheBatchSize() {
        RunFingerprint a = RunFingerprint.of("lightgcn items=3", "T=10", training(2, 64, 1), MODEL);
        assertArrayEquals(a.bytes(), RunFingerprint.of("lightgcn items=3", "T=10", training(9, 64, 16), MODEL).bytes());
        RunFingerprint b = RunFingerprint.of("lightgcn items=3", "T=10", training(2, 32, 1), MODEL);
        assertFalse(java.util.Arrays.equals(a.bytes(), b.bytes()));
        List<String> differ = a.differences(b.summary());
        assertEquals(1, differ.size(), differ.toString());
        assertEquals(true, differ.get(0).startsWith("training (here "), differ.get(0));
        assertEquals(List.of(), a.differences(a.summary()));
    }

    @Test
    void shouldNameTheDifferingPartsOfASamplersRefusal() {
        RunFingerprint mine = RunFingerprint.of("lightgcn items=3", "T=10", training(2, 64, 1), MODEL);
        RunFingerprint theirs = RunFingerprint.of("lightgcn items=4", "T=10", training(2, 64, 1), MODEL);
        String reason = "sampler 127.0.0.1:4100: refused by the sampler: fingerprint differs: sampler " + theirs.summary()
                + ", trainer 0011223344556677";
        String said = RemoteBatchSupply.explain(reason, mine);
        assertEquals(true, said.startsWith("sampler 127.0.0.1:4100 serves another run: data (here "), said);
        assertEquals(true, said.endsWith(") differs; start the samplers with this trainer's data and training options"), said);
        assertEquals("no sampler reachable (x)", RemoteBatchSupply.explain("no sampler reachable (x)", mine));
    }
}
