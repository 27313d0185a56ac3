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
    void shouldRejectNegativeCapacity() {
        assertThrows(IllegalArgumentException.class, () -> new VisitMap(-1));
    }
}
