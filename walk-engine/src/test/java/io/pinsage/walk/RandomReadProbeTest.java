package io.pinsage.walk;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RandomReadProbeTest {

    @Test
    void shouldChaseOneCycleThroughEveryEntryOfEachPart() {
        long seed = new Random().nextLong();
        // 3 parts of 1,000 entries, one chain in each (starting at entries 0, 333 and 666 of its part): every chain
        // returns to its start after exactly 1,000 reads and not before, since each part is one cycle through all
        // of its entries.
        RandomReadProbe probe = new RandomReadProbe(3_000 * 4, seed, 1_000);
        assertEquals(12_000, probe.bytes(), "seed=" + seed);
        probe.run(3, 0);
        int[] start = {probe.position(0), probe.position(1), probe.position(2)};
        assertEquals(666, start[2], "seed=" + seed);
        for (int read = 1; read < 1_000; read++) {
            probe.run(3, 1);
            for (int k = 0; k < 3; k++) {
                assertNotEquals(start[k], probe.position(k), "seed=" + seed + " chain=" + k + " read=" + read
                        + ": the cycle closed early");
            }
        }
        assertEquals(999, probe.run(3, 1), "seed=" + seed);
    }

    @Test
    void shouldRefuseTooLittleMemoryOrNoChains() {
        assertThrows(IllegalArgumentException.class, () -> new RandomReadProbe(4, 1));
        assertThrows(IllegalArgumentException.class, () -> new RandomReadProbe(64, 1).run(0, 1));
    }
}
