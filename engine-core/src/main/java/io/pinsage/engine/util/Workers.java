package io.pinsage.engine.util;

import io.pinsage.csr.ResourceLimits;

import java.util.function.IntConsumer;

/**
 * Runs one body on {@code threads} fresh threads (each gets its index) and waits for all of them; the first
 * failure is rethrown on the caller's thread after every thread has finished. For batch jobs that share work
 * through an atomic counter (evaluation, neighbourhood and hard-negative precomputation).
 */
public final class Workers {

    private Workers() {
    }

    /** @throws IllegalArgumentException if {@code threads} is outside {@code [1, ResourceLimits.MAX_THREADS]} */
    public static void run(int threads, String name, IntConsumer body) {
        ResourceLimits.requireThreads("threads", threads);
        Thread[] workers = new Thread[threads];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            int index = t;
            workers[t] = new Thread(() -> {
                try {
                    body.accept(index);
                } catch (Throwable e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                }
            }, name + "-" + t);
            workers[t].start();
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name + " threads", e);
            }
        }
        synchronized (failure) {
            if (failure[0] instanceof RuntimeException re) {
                throw re;
            }
            if (failure[0] instanceof Error err) {
                throw err;
            }
            if (failure[0] != null) {
                throw new IllegalStateException(failure[0]);
            }
        }
    }
}
