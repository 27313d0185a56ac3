package io.pinsage.engine.util;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkersTest {

    @Test
    void shouldRunEveryTaskOnceOnTheCallersExecutor() {
        ExecutorService host = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("host-", 0).factory());
        try {
            ConcurrentMap<Integer, String> ranOn = new ConcurrentHashMap<>();
            Workers.run(host, 5, "job", task -> ranOn.merge(task, Thread.currentThread().getName(), (a, b) -> a + "," + b));
            assertEquals(List.of(0, 1, 2, 3, 4), ranOn.keySet().stream().sorted().toList());
            assertTrue(ranOn.values().stream().allMatch(name -> name.matches("host-[01]")), ranOn::toString);
        } finally {
            host.shutdownNow();
        }
    }

    @Test
    void shouldRunOnFreshNamedThreadsWhenGivenACount() {
        ConcurrentMap<Integer, String> ranOn = new ConcurrentHashMap<>();
        Workers.run(3, "job", task -> ranOn.put(task, Thread.currentThread().getName()));
        assertEquals(3, ranOn.size());
        assertTrue(ranOn.values().stream().allMatch(name -> name.matches("job-[0-2]")), ranOn::toString);
    }

    @Test
    void shouldRethrowTheFailureAfterEveryTaskHasRun() {
        AtomicInteger ran = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("task 1");
        Executor callerRuns = Runnable::run;
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Workers.run(callerRuns, 3, "job", task -> {
            ran.incrementAndGet();
            if (task == 1) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        assertEquals(3, ran.get());
    }

    @Test
    void shouldFailWhenTheExecutorRejectsATaskAfterTheAcceptedOnesFinish() {
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        Executor oneOnly = task -> {
            if (accepted.getAndIncrement() > 0) {
                throw new RejectedExecutionException("full");
            }
            task.run();
        };
        assertThrows(RejectedExecutionException.class, () -> Workers.run(oneOnly, 3, "job", task -> ran.incrementAndGet()));
        assertEquals(1, ran.get());
    }
}
