package io.pinsage.walk;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TopSelectorTest {

    @Test
    void shouldEqualAFullSortWithIdTieBreakAndFilter() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        TopSelector selector = new TopSelector();
        VisitMap map = new VisitMap(16);
        for (int round = 0; round < 200; round++) {
            map.clear();
            int n = rnd.nextInt(400);
            for (int i = 0; i < n; i++) {
                map.add(rnd.nextInt(1000), rnd.nextInt(20)); // few distinct scores: many ties
            }
            int k = rnd.nextInt(60);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < map.size(); i++) {
                if (map.keyAt(i) % 7 != 0) {
                    order.add(i);
                }
            }
            order.sort(Comparator.<Integer>comparingDouble(i -> -map.valueAt(i)).thenComparingInt(map::keyAt));
            int[] ids = new int[k];
            float[] scores = new float[k];
            int got = selector.select(map, k, node -> node % 7 != 0, ids, scores);
            String msg = "seed=" + seed + " round=" + round;
            assertEquals(Math.min(k, order.size()), got, msg);
            for (int i = 0; i < got; i++) {
                assertEquals(map.keyAt(order.get(i)), ids[i], msg + " rank=" + i);
                assertEquals(map.valueAt(order.get(i)), scores[i], msg + " rank=" + i);
            }
        }
    }

    @Test
    void shouldRejectOutputsShorterThanK() {
        VisitMap map = mapOf(3);
        assertThrows(IllegalArgumentException.class,
                () -> new TopSelector().select(map, 3, NodeFilter.ALL, new int[2], new float[3]));
    }

    @Test
    void shouldTreatAKBeyondTheMapAsEveryEntryWithoutSizingByK() {
        VisitMap map = mapOf(5);
        int[] ids = new int[5];
        float[] scores = new float[5];
        assertEquals(5, new TopSelector().select(map, Integer.MAX_VALUE, NodeFilter.ALL, ids, scores));
        assertEquals(4, ids[0]);
        assertEquals(0, ids[4]);
    }

    /** Keys 0..n-1, key i with score i + 1. */
    private static VisitMap mapOf(int n) {
        VisitMap map = new VisitMap(n);
        for (int i = 0; i < n; i++) {
            map.add(i, i + 1);
        }
        return map;
    }
}
