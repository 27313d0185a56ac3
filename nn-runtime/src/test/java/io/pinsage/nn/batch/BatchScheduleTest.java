package io.pinsage.nn.batch;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchScheduleTest {

    @Test
    void shouldVisitEveryPairExactlyOncePerEpochAcrossItsBatches() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        for (int pairs : new int[] {1, 7, 64, 1001}) {
            for (int batchSize : new int[] {1, 8, 1000, 5000}) {
                BatchSchedule s = new BatchSchedule(pairs, batchSize, seed);
                String tag = "[-Dtests.seed=" + seed + "] pairs=" + pairs + " batchSize=" + batchSize;
                for (int epoch = 0; epoch < 3; epoch++) {
                    int[] order = s.order(epoch);
                    int[] seen = new int[pairs];
                    int covered = 0;
                    for (int b = 0; b < s.batches(); b++) {
                        assertEquals(covered, s.from(b), tag);
                        assertTrue(s.to(b) > s.from(b) && s.to(b) - s.from(b) <= batchSize, tag);
                        for (int p = s.from(b); p < s.to(b); p++) {
                            seen[order[p]]++;
                        }
                        covered = s.to(b);
                    }
                    assertEquals(pairs, covered, tag);
                    for (int i = 0; i < pairs; i++) {
                        assertEquals(1, seen[i], tag + " epoch=" + epoch + " pair=" + i);
                    }
                }
            }
        }
    }

    @Test
    void shouldDependOnlyOnSeedEpochAndIndexNotOnCallOrder() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        String tag = "[-Dtests.seed=" + seed + "]";
        BatchSchedule forward = new BatchSchedule(500, 16, seed);
        BatchSchedule backward = new BatchSchedule(500, 16, seed);
        int epochs = 4;
        int[][] orders = new int[epochs][];
        long[][] seeds = new long[epochs][forward.batches()];
        for (int e = 0; e < epochs; e++) {
            orders[e] = forward.order(e);
            for (int b = 0; b < forward.batches(); b++) {
                seeds[e][b] = forward.batchSeed(e, b);
            }
        }
        for (int e = epochs - 1; e >= 0; e--) {
            for (int b = backward.batches() - 1; b >= 0; b--) {
                assertEquals(seeds[e][b], backward.batchSeed(e, b), tag);
            }
            assertArrayEquals(orders[e], backward.order(e), tag);
        }
        assertNotEquals(seeds[0][0], seeds[0][1], tag);
        assertNotEquals(seeds[0][0], seeds[1][0], tag);
        assertTrue(!Arrays.equals(orders[0], orders[1]), tag);
        assertNotEquals(forward.batchSeed(0, 0), new BatchSchedule(500, 16, seed + 1).batchSeed(0, 0), tag);
    }

    /** Checkpoints resume on this rule, and results are compared across versions: it must never change. */
    @Test
    void shouldKeepTheRuleThatEarlierRunsWereMadeWith() {
        BatchSchedule s = new BatchSchedule(10, 4, 42);
        assertArrayEquals(new int[] {0, 3, 9, 6, 5, 7, 4, 8, 1, 2}, s.order(1));
        assertEquals(3148018545853001219L, s.batchSeed(2, 3));
    }

    @Test
    void shouldRejectBadSizesAndIndicesNamingThem() {
        assertEquals("pairs=0 batchSize=4: must be >= 1",
                assertThrows(IllegalArgumentException.class, () -> new BatchSchedule(0, 4, 1)).getMessage());
        assertEquals("pairs=3 batchSize=0: must be >= 1",
                assertThrows(IllegalArgumentException.class, () -> new BatchSchedule(3, 0, 1)).getMessage());
        BatchSchedule s = new BatchSchedule(10, 4, 1);
        assertEquals(3, s.batches());
        assertEquals(10, s.to(2));
        assertEquals("index=3: must lie in [0, 3)", assertThrows(IllegalArgumentException.class, () -> s.from(3)).getMessage());
        assertEquals(Integer.MAX_VALUE / 2 + 1, new BatchSchedule(Integer.MAX_VALUE, 2, 1).batches());
    }
}
