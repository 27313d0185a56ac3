package io.pinsage.walk;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Reusable per-call state (walkers, visit maps, buffers) shared by the threads of an object that any number of
 * threads call at once: {@link #take} hands out a free instance or makes one, {@link #give} returns it.
 *
 * <p>Why not a {@link ThreadLocal}: a thread keeps its thread-local values after the owner is gone until the map
 * happens to clear them, so a service that swaps a graph or walk table for a new one would keep the old one
 * (gigabytes, or a store generation's mapped files) reachable from every thread that ever queried it. A pool
 * belongs to its owner and goes with it.
 *
 * <p>Lock-free and allocation-free once warm (Agrona's {@link ManyToManyConcurrentArrayQueue}); it keeps at most
 * {@code capacity} free instances, and instances given back beyond that are dropped, so more concurrent callers
 * than that only cost allocations.
 *
 * @param <T> the state; an instance is used by one thread at a time, between a take and a give
 */
public final class ScratchPool<T> {

    private final Supplier<T> factory;
    private final ManyToManyConcurrentArrayQueue<T> free;

    /** A pool keeping up to twice as many free instances as the machine has processors. */
    public ScratchPool(Supplier<T> factory) {
        this(factory, 2 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param capacity free instances kept at most (rounded up to a power of two, at least 2)
     */
    public ScratchPool(Supplier<T> factory, int capacity) {
        this.factory = Objects.requireNonNull(factory, "factory");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity + ": must be >= 1");
        }
        this.free = new ManyToManyConcurrentArrayQueue<>(Math.max(2, capacity));
    }

    /** A free instance, or a new one from the factory when none is free. */
    public T take() {
        T t = free.poll();
        return t != null ? t : Objects.requireNonNull(factory.get(), "the factory returned null");
    }

    /** Returns {@code t}, taken from this pool and no longer used by the caller; dropped when the pool is full. */
    public void give(T t) {
        free.offer(Objects.requireNonNull(t, "t"));
    }

    /** Free instances held now (for tests and monitoring; other threads may change it at once). */
    public int freeCount() {
        return free.size();
    }
}
