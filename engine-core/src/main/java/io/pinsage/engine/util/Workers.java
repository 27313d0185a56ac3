package io.pinsage.engine.util;

import io.pinsage.csr.ResourceLimits;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs one body as {@code tasks} parallel tasks (each gets its index) and waits for all of them; the first failure
 * is rethrown on the caller's thread after every task has finished. For batch jobs that share work through an
 * atomic counter (evaluation, hard-negative precomputation).
 *
 * <p>Threading: the tasks run on the executor the caller hands over (a host service's pool), or on fresh threads
 * named {@code name-i}; the caller's thread only waits. The bodies must never wait for each other, so an executor
 * with fewer threads than tasks (one, or a caller-runs executor) still completes the job, with less parallelism.
 */
public final class Workers {

    private Workers() {
    }

    /**
     * The tasks on {@code threads} fresh platform threads, one each.
     *
     * @throws IllegalArgumentException if {@code threads} is outside {@code [1, ResourceLimits.MAX_THREADS]}
     */
    public static void run(int threads, String name, IntConsumer body) {
        ResourceLimits.requireThreads("threads", threads);
        run(freshThreads(name), threads, name, body);
    }

    /** An executor that starts a platform thread named {@code name-i} for the i-th task it is given. */
    public static Executor freshThreads(String name) {
        AtomicInteger started = new AtomicInteger();
        return task -> new Thread(task, name + "-" + started.getAndIncrement()).start();
    }

    /**
     * The tasks on {@code executor}; a task it rejects fails the job (after the ones it accepted have finished).
     *
     * @throws IllegalArgumentException if {@code tasks} is outside {@code [1, ResourceLimits.MAX_THREADS]}
     */
    public static void run(Executor executor, int tasks, String name, IntConsumer body) {
        ResourceLimits.requireThreads("tasks", tasks);
        CountDownLatch finished = new CountDownLatch(tasks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < tasks; t++) {
            int index = t;
            try {
                executor.execute(() -> {
                    try {
                        body.accept(index);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        finished.countDown();
                    }
                });
            } catch (RejectedExecutionException e) {
                failure.compareAndSet(null, e);
                for (int rest = t; rest < tasks; rest++) {
                    finished.countDown();
                }
                break;
            }
        }
        try {
            finished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name + " tasks", e);
        }
        Throwable first = failure.get();
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
    }
}
