package io.pinsage.walk;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VisitMapTest {

    @Test
    void shouldAgreeWithAHashMapAcrossGrowthAndClears() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        VisitMap map = new VisitMap(4);
        for (int round = 0; round < 30; round++) {
            Map<Integer, Float> expected = new HashMap<>();
            int ops = rnd.nextInt(3000);
            int range = 1 + rnd.nextInt(5000);
            for (int i = 0; i < ops; i++) {
                int key = rnd.nextInt(range);
                float delta = rnd.nextInt(5);
                expected.merge(key, delta, Float::sum);
                map.add(key, delta);
            }
            String msg = "seed=" + seed + " round=" + round;
            assertEquals(expected.size(), map.size(), msg);
            for (int i = 0; i < map.size(); i++) {
                assertEquals(expected.get(map.keyAt(i)), map.valueAt(i), msg);
            }
            for (int key = 0; key < range; key++) {
                assertEquals(expected.getOrDefault(key, 0f), map.get(key), msg + " key=" + key);
            }
            map.clear();
            assertEquals(0, map.size(), msg);
            for (int key = 0; key < range; key++) {
                assertFalse(map.containsKey(key), msg + " key=" + key + " survived clear()");
            }
        }
    }

    @Test
    void shouldCountTalliedKeysAsAddsWouldAcrossFlushesAndReuse() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        KeyTally tally = new KeyTally();
        VisitMap map = new VisitMap(4);
        for (int round = 0; round < 12; round++) {
            // Key ranges that leave the high digits constant (a sort pass skipped) and ones that use all 31 bits;
            // some rounds overflow the buffer, so a flush lands in a map that already holds counts.
            int range = round % 3 == 0 ? 1 << 10 : round % 3 == 1 ? 1 << 20 : Integer.MAX_VALUE;
            int total = round % 4 == 3 ? KeyTally.CAPACITY + 1 + rnd.nextInt(50_000) : rnd.nextInt(20_000);
            Map<Integer, Float> expected = new HashMap<>();
            int[] chunk = new int[256];
            for (int done = 0; done < total; ) {
                int n = Math.min(chunk.length, total - done);
                n = 1 + rnd.nextInt(n);
                for (int i = 0; i < n; i++) {
                    chunk[i] = rnd.nextInt(range);
                    expected.merge(chunk[i], 1f, Float::sum);
                }
                tally.append(chunk, n, map);
                done += n;
            }
            tally.flush(map);
            String msg = "seed=" + seed + " round=" + round;
            assertEquals(expected.size(), map.size(), msg);
            for (int i = 0; i < map.size(); i++) {
                assertEquals(expected.get(map.keyAt(i)), map.valueAt(i), msg + " key=" + map.keyAt(i));
            }
            // Lookups and adds after a bulk fill build the index on demand.
            int some = map.keyAt(map.size() / 2);
            assertEquals(expected.get(some), map.get(some), msg);
            assertEquals(expected.get(some) + 2f, map.add(some, 2f), msg);
            int absent = 0;
            while (expected.containsKey(absent)) {
                absent++;
            }
            assertFalse(map.containsKey(absent), msg + ": key " + absent + " was never counted");
            map.clear();
            assertEquals(0, map.size(), msg);
            assertEquals(0f, map.get(some), msg + ": a cleared map holds nothing");
            map.clear();
        }
    }

    @Test
    void shouldFillAnEmptyMapInKeyOrderAndLeaveItUsable() {
        VisitMap map = new VisitMap(2);
        map.addSortedKeys(new int[] {3, 3, 7, 9, 9, 9, 40}, 7);
        assertEquals(4, map.size());
        int[] keys = {3, 7, 9, 40};
        float[] values = {2, 1, 3, 1};
        for (int i = 0; i < 4; i++) {
            assertEquals(keys[i], map.keyAt(i));
            assertEquals(values[i], map.valueAt(i));
        }
        // Not empty any more: the next bulk add goes run by run through the index.
        map.addSortedKeys(new int[] {7, 8, 8}, 3);
        assertEquals(5, map.size());
        assertEquals(2f, map.get(7));
        assertEquals(2f, map.get(8));
        map.clear();
        map.addSortedKeys(new int[] {5}, 1);
        assertEquals(1, map.size());
        assertEquals(0f, map.get(7), "no entry of the earlier fill may survive in the index");
        assertEquals(1f, map.get(5));
    }

    @Test
    void shouldRejectNegativeCapacity() {
        assertThrows(IllegalArgumentException.class, () -> new VisitMap(-1));
    }
}
