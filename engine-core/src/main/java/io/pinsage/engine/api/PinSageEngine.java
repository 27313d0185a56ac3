package io.pinsage.engine.api;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.Residency;
import io.pinsage.csr.ResidencyPolicy;
import io.pinsage.csr.Side;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;
import io.pinsage.walk.WalkTable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The engine for a JVM service: Pixie recommendations over a graph store, addressed by the store's external pin ids.
 * Open with {@link #open}; the engine prints nothing and leaves reporting to its host ({@link #residency()},
 * {@link #residencyReason()}, {@link #hasWalkTable()} say what was loaded).
 *
 * <p>Threading: every method may be called from any number of threads at once. Queries run on the calling thread
 * ({@link #recommend}) or on the options' executor ({@link #recommendAsync}).
 *
 * <p>Memory: the store is mapped, or its adjacency copied into huge-page memory off the heap, as
 * {@link EngineOptions#residency()} says; a walk table takes about 8 bytes per edge of heap and is built only when it
 * fits in a quarter of the free heap. A query's scratch memory is pooled by the walk engine.
 *
 * <p>Close: {@link #close()} waits for the queries in flight, then unmaps the store and stops the engine's own pool;
 * calls made after it throw {@link IllegalStateException}. Closing twice is harmless.
 *
 * <p>Errors: a query naming a pin the store does not know throws {@link UnknownIdException} (the store's id maps
 * decide; without a map ids are dense ids); bad options throw {@link IllegalArgumentException} naming the field.
 */
public final class PinSageEngine implements AutoCloseable {

    private final GraphStore store;
    private final ResidencyPolicy.Choice residency;
    private final PixieEngine pixie;
    private final boolean walkTable;
    private final IdMap pinIds;
    private final Executor executor;
    private final ExecutorService ownPool;
    /** Queries hold the read side; close takes the write side, so it waits for them and later calls see it. */
    private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();
    private boolean closed;

    private PinSageEngine(GraphStore store, ResidencyPolicy.Choice residency, EngineOptions options) {
        this.store = store;
        this.residency = residency;
        this.walkTable = options.walkTable() && WalkTable.fitsHeap(store.graph());
        this.pixie = walkTable ? new PixieEngine(WalkTable.of(store.graph()), PixieEngine.DEFAULT_LANES)
                : new PixieEngine(store.graph());
        this.pinIds = store.ids(Side.LEFT).orElse(null);
        this.ownPool = options.executor().isPresent() ? null
                : Executors.newFixedThreadPool(options.threads(), Thread.ofPlatform().daemon().name("pinsage-engine-", 0).factory());
        this.executor = options.executor().orElse(ownPool);
    }

    /**
     * Opens the store at {@code storeDir}. Cost: opening the store (and copying its adjacency when the residency says
     * so), plus building the walk table when one is built (one pass over the edges).
     *
     * @throws IOException the store is missing or damaged (the store's exceptions name the file)
     */
    public static PinSageEngine open(Path storeDir, EngineOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        ResidencyPolicy.Choice choice = options.residency().isPresent()
                ? new ResidencyPolicy.Choice(options.residency().get(), "as asked")
                : ResidencyPolicy.forStore(storeDir, options.expectedWalkSteps());
        GraphStore store = GraphStore.open(storeDir, choice.residency());
        try {
            return new PinSageEngine(store, choice, options);
        } catch (RuntimeException | Error e) {
            store.close();
            throw e;
        }
    }

    /** How the graph's adjacency is held. */
    public Residency residency() {
        return residency.residency();
    }

    /** Why it is held so, e.g. {@code as asked} or the automatic rule's sizes. */
    public String residencyReason() {
        return residency.reason();
    }

    /** Whether Pixie walks over a heap walk table (else over the store's CSR). */
    public boolean hasWalkTable() {
        return walkTable;
    }

    /** Pins of the store. */
    public int pinCount() {
        return store.graph().nodeCount(Side.LEFT);
    }

    /** Boards of the store. */
    public int boardCount() {
        return store.graph().nodeCount(Side.RIGHT);
    }

    /** Edges of the store. */
    public long edgeCount() {
        return store.graph().edgeCount();
    }

    /**
     * The {@code k} pins Pixie finds most related to {@code pins}, best first (fewer when the walks visit fewer),
     * the query pins and the blocklist left out. Cost: {@code options.steps()} walk steps plus the visited pins.
     *
     * @throws UnknownIdException       a query or blocklist pin the store does not know
     * @throws IllegalArgumentException no pins, a weight that is not positive and finite, {@code k < 0}, or an
     *                                  option out of range (the message names it)
     * @throws IllegalStateException    the engine is closed
     */
    public List<ScoredPin> recommend(List<WeightedPin> pins, int k, RecommendOptions options) {
        Objects.requireNonNull(pins, "pins");
        Objects.requireNonNull(options, "options");
        if (k < 0) {
            throw new IllegalArgumentException("k=" + k + ": must be >= 0");
        }
        ReentrantReadWriteLock.ReadLock lock = life.readLock();
        lock.lock();
        try {
            requireOpen();
            PixieQuery.Builder b = PixieQuery.builder().steps(options.steps()).alpha(options.alpha()).boost(options.boost())
                    .topPins(k).seed(options.seed());
            for (WeightedPin p : pins) {
                b.pin(store.denseId(Side.LEFT, p.id()), p.weight());
            }
            int[] blocked = new int[options.blocklist().size()];
            for (int i = 0; i < blocked.length; i++) {
                blocked[i] = store.denseId(Side.LEFT, options.blocklist().get(i));
            }
            b.blocklist(blocked);
            if (options.earlyStopPins() > 0) {
                b.earlyStop(options.earlyStopPins(), options.earlyStopVisits());
            }
            PixieResult r = pixie.query(b.build());
            List<ScoredPin> out = new ArrayList<>(r.pinCount());
            for (int i = 0; i < r.pinCount(); i++) {
                out.add(new ScoredPin(externalPin(r.pin(i)), r.pinScore(i)));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #recommend} on the options' executor; the future fails with the exceptions {@link #recommend} throws.
     * A rejected submission (a bounded host executor) throws its {@link java.util.concurrent.RejectedExecutionException}
     * here, on the calling thread.
     */
    public CompletableFuture<List<ScoredPin>> recommendAsync(List<WeightedPin> pins, int k, RecommendOptions options) {
        return CompletableFuture.supplyAsync(() -> recommend(pins, k, options), executor);
    }

    /**
     * The external id of pin {@code dense}; the dense id as text when the store has no id map. O(1).
     *
     * @throws IllegalArgumentException {@code dense} is not a pin of the store
     */
    public String externalPin(int dense) {
        if (dense < 0 || dense >= pinCount()) {
            throw new IllegalArgumentException("pin=" + dense + ": expected a dense id in [0, " + pinCount() + ")");
        }
        return pinIds == null ? Integer.toString(dense) : pinIds.external(dense);
    }

    /**
     * The dense id of the pin {@code id} names. O(length of id) expected.
     *
     * @throws UnknownIdException the store does not know it
     */
    public int densePin(String id) {
        return store.denseId(Side.LEFT, id);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
    }

    /** Waits for the queries in flight, then releases the store and the engine's own threads. */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock lock = life.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (ownPool != null) {
                ownPool.shutdown();
            }
            store.close();
        } finally {
            lock.unlock();
        }
    }
}
