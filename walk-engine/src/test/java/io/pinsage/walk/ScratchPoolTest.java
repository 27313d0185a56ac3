package io.pinsage.walk;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScratchPoolTest {

    @Test
    void shouldReuseWhatWasGivenBackAndDropWhatDoesNotFit() {
        AtomicInteger made = new AtomicInteger();
        ScratchPool<int[]> pool = new ScratchPool<>(() -> new int[] {made.incrementAndGet()}, 2);
        int[] a = pool.take();
        int[] b = pool.take();
        int[] c = pool.take();
        assertEquals(3, made.get(), "nothing free: each take makes one");
        pool.give(a);
        pool.give(b);
        pool.give(c); // the pool holds two: the third is dropped
        assertEquals(2, pool.freeCount());
        Set<int[]> back = Collections.newSetFromMap(new IdentityHashMap<>());
        back.add(pool.take());
        back.add(pool.take());
        assertTrue(back.contains(a) && back.contains(b), "the two kept come back");
        assertEquals(3, made.get());
        int[] d = pool.take();
        assertEquals(4, d[0], "empty again: a new one");
        pool.give(d);
        assertSame(d, pool.take());
    }

    @Test
    void shouldNeverHandOneInstanceToTwoThreadsAtOnce() throws Exception {
        int threads = 8;
        ScratchPool<AtomicInteger> pool = new ScratchPool<>(AtomicInteger::new, 4);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try {
            Future<?>[] done = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                done[t] = exec.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        AtomicInteger s = pool.take();
                        // an instance in use by another thread would be seen at 1 here
                        assertEquals(0, s.getAndIncrement(), "an instance handed out twice");
                        s.decrementAndGet();
                        pool.give(s);
                    }
                    return null;
                });
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            exec.shutdownNow();
        }
        assertTrue(pool.freeCount() <= 4, "at most the capacity is kept: " + pool.freeCount());
    }

    @Test
    void shouldRejectBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ScratchPool<>(Object::new, 0));
        assertThrows(NullPointerException.class, () -> new ScratchPool<>(() -> null, 2).take());
        assertThrows(NullPointerException.class, () -> new ScratchPool<>(Object::new, 2).give(null));
    }
}
