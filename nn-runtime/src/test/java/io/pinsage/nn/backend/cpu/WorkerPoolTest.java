package io.pinsage.nn.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WorkerPoolTest {

    /**
     * Back-to-back tasks of different chunk counts, with more workers than cores so that late workers of one
     * generation overlap the next: every chunk of every task must run exactly once, and before run() returns.
     */
    @Test
    void shouldRunEveryChunkOfEveryTaskExactlyOnceBeforeReturning() {
        int tasks = 20_000;
        try (WorkerPool pool = new WorkerPool(8)) {
            for (int t = 0; t < tasks; t++) {
                int chunks = 2 + t % 7;
                AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                pool.run(runs::incrementAndGet, chunks);
                for (int c = 0; c < chunks; c++) {
                    assertEquals(1, runs.get(c), "task " + t + " chunk " + c + " of " + chunks);
                }
            }
        }
    }
}
