package io.pinsage.walk;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopKHeapTest {

    @Test
    void shouldKeepTheFirstKOfASortByScoreThenLowerId() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        Random rnd = new Random(seed);
        TopKHeap heap = new TopKHeap(0); // grows on demand: rounds also check reuse after growth
        for (int round = 0; round < 300; round++) {
            String msg = "[-Dtests.seed=" + seed + "] round=" + round;
            int n = rnd.nextInt(300);
            int[] ids = shuffledIds(rnd, n);
            float[] scores = new float[n];
            int distinct = 1 + rnd.nextInt(8); // few distinct scores: ties everywhere
            for (int i = 0; i < n; i++) {
                float v = rnd.nextInt(distinct) - distinct / 2;
                // a quarter of the zeros are -0: the heap ties them with 0 (Float.compare would not)
                scores[i] = v == 0 && rnd.nextInt(4) == 0 ? -0f : v;
            }
            int k = rnd.nextInt(80);
            heap.reset(k);
            for (int i = 0; i < n; i++) {
                if (heap.size() < k) {
                    assertTrue(heap.admits(ids[i], scores[i]), msg + ": a heap with room admits every pair");
                }
                heap.offer(ids[i], scores[i]);
                assertTrue(heap.size() <= k, msg);
            }
            Integer[] order = new Integer[n];
            Arrays.setAll(order, i -> i);
            // The heap's order: == ties -0 with 0, where Float.compare would not.
            Arrays.sort(order, (a, b) -> scores[a] > scores[b] ? -1 : scores[a] < scores[b] ? 1 : Integer.compare(ids[a], ids[b]));
            int expected = Math.min(k, n);
            assertEquals(expected, heap.size(), msg);
            if (expected > 0) {
                assertEquals(scores[order[expected - 1]], heap.weakestScore(), msg);
            }
            int[] outIds = new int[expected];
            float[] outScores = new float[expected];
            assertEquals(expected, heap.drainBestFirst(outIds, outScores), msg);
            for (int r = 0; r < expected; r++) {
                assertEquals(ids[order[r]], outIds[r], msg + " rank=" + r);
                assertEquals(scores[order[r]], outScores[r], msg + " rank=" + r);
            }
            assertEquals(0, heap.size(), msg + ": drained");
        }
    }

    /** While the heap is filling it admits everything; afterwards (admits, offer) agree with the tie rule. */
    @Test
    void shouldAdmitOnlyPairsThatBeatTheWeakestOnceFull() {
        TopKHeap heap = new TopKHeap(2);
        heap.reset(2);
        heap.offer(5, 1f);
        heap.offer(3, 1f);
        assertFalse(heap.admits(4, 0.5f), "lower score");
        assertFalse(heap.admits(6, 1f), "equal score, higher id than the weakest (5)");
        assertTrue(heap.admits(4, 1f), "equal score, lower id than the weakest (5)");
        heap.offer(6, 1f);
        heap.offer(4, 1f);
        int[] ids = new int[2];
        assertEquals(2, heap.drainBestFirst(ids, null));
        assertArrayEquals(new int[] {3, 4}, ids);
    }

    @Test
    void shouldKeepNothingForAKOfZero() {
        TopKHeap heap = new TopKHeap(4);
        heap.reset(0);
        assertFalse(heap.admits(1, Float.MAX_VALUE));
        heap.offer(1, Float.MAX_VALUE);
        assertEquals(0, heap.size());
        assertEquals(0, heap.drainBestFirst(new int[0], new float[0]));
    }

    @Test
    void shouldRejectANegativeKAndOutputsShorterThanTheHeap() {
        TopKHeap heap = new TopKHeap(4);
        assertThrows(IllegalArgumentException.class, () -> heap.reset(-1));
        heap.reset(3);
        heap.offer(1, 1f);
        heap.offer(2, 2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> heap.drainBestFirst(new int[2], new float[1]));
        assertEquals("size=2 outIds.length=2 outScores.length=1: outputs must hold size() pairs", e.getMessage());
        assertEquals(2, heap.size(), "a refused drain keeps the pairs");
    }

    private static int[] shuffledIds(Random rnd, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i * 3 + rnd.nextInt(3); // distinct, not dense
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        return ids;
    }
}
