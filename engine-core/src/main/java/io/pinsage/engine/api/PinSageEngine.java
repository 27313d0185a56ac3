package io.pinsage.engine.api;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.Residency;
import io.pinsage.csr.ResidencyPolicy;
import io.pinsage.csr.Side;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.csr.embedding.EmbeddingPair;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.live.BadEdgeException;
import io.pinsage.csr.live.Compaction;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.csr.live.LiveView;
import io.pinsage.csr.live.SourcePosition;
import io.pinsage.engine.ann.AnnIndex;
import io.pinsage.engine.ann.ExactSearch;
import io.pinsage.engine.ann.Neighbors;
import io.pinsage.engine.pipeline.NewPinEmbedder;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.walk.ImportanceNeighborhoods;
import io.pinsage.walk.PixieEngine;
import io.pinsage.walk.PixieQuery;
import io.pinsage.walk.PixieResult;
import io.pinsage.walk.UniformEdgeChooser;
import io.pinsage.walk.WalkTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The engine for a JVM service, addressed by the store's external pin ids: Pixie recommendations over the graph
 * ({@link #recommend}) and related pins by embedding ({@link #related} through the nearest-neighbour index,
 * {@link #relatedExact} by a full scan), when the store has pin embeddings ({@code ./pinsage embed}) and an index
 * ({@code ./pinsage index}). Open with {@link #open}; the engine prints nothing and leaves reporting to its host
 * ({@link #residency()}, {@link #residencyReason()}, {@link #hasWalkTable()}, {@link #hasEmbeddings()},
 * {@link #hasIndex()} say what was loaded).
 *
 * <p>New pins: opened with an inductive model ({@link EngineOptions#model}), {@link #embedNewPin} embeds a pin created
 * after the store was embedded from its features and its boards or the pins it is saved with, and {@link #addNewPin} also makes it a candidate of
 * later {@link #related} and {@link #relatedExact} calls: jvector cannot add to the on-disk index, so added pins are
 * held in memory beside it, scanned exactly, and merged with the index's answer by score, until the engine closes.
 *
 * <p>Threading: every method may be called from any number of threads at once. Queries run on the calling thread
 * ({@link #recommend}) or on the options' executor ({@link #recommendAsync}); new pins are embedded one at a time
 * (the model's backend is one thread's).
 *
 * <p>Memory: the store is mapped, or its adjacency copied into huge-page memory off the heap, as
 * {@link EngineOptions#residency()} says; a walk table takes about 8 bytes per edge of heap and is built only when it
 * fits in a quarter of the free heap. A query's scratch memory is pooled by the walk engine. Embeddings and the
 * index's graph are mapped files, read through the page cache.
 *
 * <p>Live edges: opened with {@link EngineOptions.Builder#liveEdges}, {@link #addEdges} adds pins, boards and saves
 * while the engine serves. An added batch is visible to every {@link #recommend} that starts after
 * {@link #addEdges} returned, its new pins are known ids from then on, and it is durable as the options'
 * {@link io.pinsage.csr.live.LogSync} promises ({@link LiveGraph} states the rule). With embeddings and a model for new pins, a pin that added edges bring,
 * or one the embeddings lack whose edges arrive, is embedded by the model from its edges (and zero features) on a
 * thread of the engine's and becomes a candidate and query pin of {@link #related} beside the index
 * ({@link #awaitFreshPins}); without a model {@link #related} knows the embedded pins only. {@link #compact} (or {@link EngineOptions#compactEvery}, in the
 * background) writes the store and the added edges as a new generation of the store while queries continue; the
 * pins and boards keep their ids.
 *
 * <p>Close: {@link #close()} waits for the queries in flight, then unmaps the store and stops the engine's own pool;
 * calls made after it throw {@link IllegalStateException}. Closing twice is harmless.
 *
 * <p>Errors: a query naming a pin the store does not know throws {@link UnknownIdException} (the store's id maps
 * decide; without a map ids are dense ids); bad options throw {@link IllegalArgumentException} naming the field.
 */
public final class PinSageEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PinSageEngine.class);

    private final GraphStore store;
    /** The store's graph plus edges added since; null unless opened with live edges. */
    private final LiveGraph live;
    /** Held by the one thread appending to {@link #live} at a time, as its single-writer contract asks. */
    private final ReentrantLock writer = new ReentrantLock();
    /** Held by the one compaction running. */
    private final ReentrantLock compacting = new ReentrantLock();
    /** Runs the compactions {@link EngineOptions#compactEvery} starts; null without a threshold. */
    private final ExecutorService compactor;
    private final long compactEvery;
    /** The live graph's edge log, or null without one; named in what compactions report. */
    private final Path edgeLog;
    private final AtomicBoolean compactionQueued = new AtomicBoolean();
    /**
     * Recent edges at which the next background compaction starts: {@link #compactEvery}, or after a failure that many
     * more than there were then, so that a failing store is not rewritten on every batch.
     */
    private volatile long compactAt;
    private final ResidencyPolicy.Choice residency;
    private final PixieEngine pixie;
    private final boolean walkTable;
    private final IdMap pinIds;
    private final EmbeddingStore embeddings;
    private final AnnIndex index;
    private final ExactSearch exact;
    private final ExactSearch content;
    private final Executor executor;
    private final ExecutorService ownPool;
    private final NewPinEmbedder newPinModel;
    private final Backend newPinBackend;
    private final NewPins added;
    /**
     * The view and walks {@link #embedNewPin} uses with live edges, so that new pins may name the boards and pins
     * those edges brought; guarded by the model's monitor. Null without live edges or a model.
     */
    private final LiveView newPinView;
    private final ImportanceNeighborhoods newPinWalks;
    /** Embeds the live graph's pins the embeddings lack; null without live edges, embeddings or a model. */
    private final FreshPins fresh;
    /** Queries hold the read side; close takes the write side, so it waits for them and later calls see it. */
    private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();
    private boolean closed;

    private PinSageEngine(GraphStore store, LiveGraph live, ResidencyPolicy.Choice residency, EngineOptions options,
                          EmbeddingStore embeddings, AnnIndex index, NewPinEmbedder newPinModel, Backend newPinBackend) {
        this.store = store;
        this.live = live;
        this.newPinModel = newPinModel;
        this.newPinBackend = newPinBackend;
        this.added = embeddings == null ? null : new NewPins(embeddings.dim());
        this.embeddings = embeddings;
        this.index = index;
        this.exact = embeddings == null ? null : new ExactSearch(embeddings);
        this.content = store.features(Side.LEFT)
                .map(f -> new ExactSearch(f.segment(), f.rows(), f.dim(), true)).orElse(null);
        this.residency = residency;
        this.walkTable = live == null && options.walkTable() && WalkTable.fitsHeap(store.graph());
        this.pixie = live != null ? new PixieEngine(live, view -> UniformEdgeChooser.INSTANCE, PixieEngine.DEFAULT_LANES)
                : walkTable ? new PixieEngine(WalkTable.of(store.graph()), PixieEngine.DEFAULT_LANES)
                : new PixieEngine(store.graph());
        this.pinIds = store.ids(Side.LEFT).orElse(null);
        this.ownPool = options.executor().isPresent() ? null
                : Executors.newFixedThreadPool(options.threads(), Thread.ofPlatform().daemon().name("pinsage-engine-", 0).factory());
        this.executor = options.executor().orElse(ownPool);
        this.compactEvery = live == null ? 0 : options.compactEvery();
        this.edgeLog = live == null ? null : options.edgeLog().orElse(null);
        this.compactAt = compactEvery;
        this.compactor = compactEvery == 0 ? null
                : Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("pinsage-compaction").factory());
        if (live != null && newPinModel != null) {
            this.newPinView = live.view();
            try {
                this.newPinWalks = newPinModel.walksOver(newPinView);
            } finally {
                newPinView.release();
            }
        } else {
            this.newPinView = null;
            this.newPinWalks = null;
        }
        this.fresh = live == null || added == null || newPinModel == null ? null
                : new FreshPins(live, newPinModel, added, store.features(Side.LEFT).orElse(null), embeddings.nodeCount());
        if (fresh != null) {
            // pins replayed from the log, or written by a compaction after the embedded ones
            for (int u = embeddings.nodeCount(), n = live.nodeCount(Side.LEFT); u < n; u++) {
                fresh.offer(u);
            }
        }
    }

    /**
     * Opens the store at {@code storeDir}, with its pin embeddings ({@link EmbeddingStore#defaultRoot}) and their
     * index ({@link AnnIndex#defaultRoot}) where they are published, and the options' model for new pins. Cost:
     * opening the store (and copying its adjacency when the residency says so), building the walk table when one is
     * built (one pass over the edges), and mapping the embeddings, the index and the model's neighbourhood stores
     * (the embeddings' and index's checksums are left to {@code ./pinsage verify}); with live edges, replaying their
     * log (a torn tail, never acknowledged, is dropped: {@link #liveRecovery()}).
     *
     * @throws IOException              the store, the embeddings, the index, the model directory or the edge log is
     *                                  damaged, or the embeddings are not the store's pins' (the exceptions name the
     *                                  file)
     * @throws IllegalArgumentException the options' model has an id-embedding table (the message names the training
     *                                  option that trains one without), was trained on another store, or gives
     *                                  embeddings of another width than the store's
     */
    public static PinSageEngine open(Path storeDir, EngineOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        ResidencyPolicy.Choice choice = options.residency().isPresent()
                ? new ResidencyPolicy.Choice(options.residency().get(), "as asked")
                : ResidencyPolicy.forStore(storeDir, options.expectedWalkSteps());
        GraphStore store = GraphStore.open(storeDir, choice.residency());
        EmbeddingStore embeddings = null;
        AnnIndex index = null;
        Backend backend = null;
        NewPinEmbedder model = null;
        LiveGraph live = null;
        try {
            Path embeddingRoot = EmbeddingStore.defaultRoot(storeDir, Side.LEFT);
            if (StoreDirectory.isPublished(embeddingRoot)) {
                embeddings = EmbeddingPair.open(storeDir, Side.LEFT, false);
                // a compaction appends pins after the embedded ones: the embeddings then cover a prefix of the pins
                if (embeddings.nodeCount() > store.graph().nodeCount(Side.LEFT)) {
                    throw new CorruptStoreException(embeddings.path(), embeddings.nodeCount() + " rows for a store of "
                            + store.graph().nodeCount(Side.LEFT) + " pins: embed the store again");
                }
                Path indexRoot = AnnIndex.defaultRoot(storeDir, Side.LEFT);
                if (StoreDirectory.isPublished(indexRoot)) {
                    index = AnnIndex.open(indexRoot, embeddings, false);
                }
            }
            if (options.model().isPresent()) {
                backend = new CpuBackend(1);
                model = NewPinEmbedder.open(store, options.model().get(), backend);
                if (embeddings != null && model.outputDim() != embeddings.dim()) {
                    throw new IllegalArgumentException(options.model().get() + " gives embeddings of " + model.outputDim()
                            + " floats, the store's " + embeddings.path() + " holds " + embeddings.dim() + ": embed the store"
                            + " with this model first");
                }
            }
            if (options.liveEdges()) {
                Path log = options.edgeLog().orElse(null);
                live = log == null ? LiveGraph.inMemory(store, LiveGraph.Limits.defaults())
                        : LiveGraph.open(store, log, options.logSync(), LiveGraph.Limits.defaults(),
                        Thread.ofPlatform().daemon().name("pinsage-edge-log").factory());
            }
            return new PinSageEngine(store, live, choice, options, embeddings, index, model, backend);
        } catch (IOException | RuntimeException | Error e) {
            if (model != null) {
                model.close();
            }
            if (backend != null) {
                backend.close();
            }
            if (live != null) {
                live.close();
            }
            if (index != null) {
                index.close();
            }
            if (embeddings != null) {
                embeddings.close();
            }
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

    /** Whether the store has pin embeddings, so that {@link #relatedExact} answers. */
    public boolean hasEmbeddings() {
        return embeddings != null;
    }

    /** Whether the embeddings have a nearest-neighbour index, so that {@link #related} answers. */
    public boolean hasIndex() {
        return index != null;
    }

    /** Whether the store has pin features, so that {@link #relatedByContent} answers. */
    public boolean hasContent() {
        return content != null;
    }

    /** Whether the engine was opened with a model for new pins, so that {@link #embedNewPin} answers. */
    public boolean hasNewPinModel() {
        return newPinModel != null;
    }

    /** Content features per pin that {@link #embedNewPin} expects; 0 without a model for new pins. */
    public int newPinFeatureDim() {
        return newPinModel == null ? 0 : newPinModel.featureDim();
    }

    /** Floats per pin embedding; 0 without embeddings. */
    public int embeddingDim() {
        return embeddings == null ? 0 : embeddings.dim();
    }

    /** Pins of the store, and those added since with live edges. */
    public int pinCount() {
        return live == null ? store.graph().nodeCount(Side.LEFT) : live.nodeCount(Side.LEFT);
    }

    /** Boards of the store, and those added since with live edges. */
    public int boardCount() {
        return live == null ? store.graph().nodeCount(Side.RIGHT) : live.nodeCount(Side.RIGHT);
    }

    /** Edges of the store, and those added since with live edges. */
    public long edgeCount() {
        return live == null ? store.graph().edgeCount() : live.edgeCount();
    }

    /** Whether the engine was opened with live edges, so that {@link #addEdges} accepts them. */
    public boolean hasLiveEdges() {
        return live != null;
    }

    /**
     * Recent edges: those added since the store generation now read as the base (a compaction moves them into it).
     *
     * @throws IllegalStateException the engine was opened without live edges
     */
    public long liveRecentEdges() {
        return requireLive().recentEdges();
    }

    /**
     * What opening the edge log replayed and dropped (all zero without a log).
     *
     * @throws IllegalStateException the engine was opened without live edges
     */
    public LiveGraph.Recovery liveRecovery() {
        return requireLive().recovery();
    }

    /**
     * The last position of {@code source} that a batch added with it ({@link EdgeBatch#source}) logged: the batches of
     * that source in the graph are exactly those up to it, also after a crash, a restart or a compaction. Empty
     * before the first such batch, and without an edge log (nothing survives the process then). Any thread; O(1).
     *
     * @throws IllegalStateException the engine was opened without live edges
     */
    public Optional<SourcePosition> liveSourcePosition(String source) {
        return requireLive().sourcePosition(source);
    }

    /**
     * Waits until the pins live edges brought before this call (and those the store's embeddings lacked when the engine
     * opened) are embedded and so candidates of {@link #related}, or {@code timeout} passes. Returns at once without
     * live edges, embeddings or a model for new pins, which {@link #related} needs for them.
     *
     * @return whether they all are
     */
    public boolean awaitFreshPins(Duration timeout) throws InterruptedException {
        return fresh == null || fresh.await(timeout.toNanos());
    }

    /**
     * Adds {@code batch}'s edges, creating the pins and boards whose external ids are new: logged first, then
     * applied; when this returns the batch is acknowledged, durable as the options' {@link io.pinsage.csr.live.LogSync}
     * says (an acknowledged batch survives a crash), and visible to every {@link #recommend} that starts afterwards.
     * Batches from several threads are applied one at a time; under group commit they share fsyncs. Cost: the log
     * write (and under {@code eachBatch} an fsync), O(1) expected per edge, and up to one group commit period.
     *
     * @throws BadEdgeException      naming the first bad edge of the batch (an id that cannot be one, a weight that is
     *                               NaN, infinite or negative); nothing of the batch is applied or logged
     * @throws IllegalStateException the engine was opened without live edges or is closed, or the batch would pass
     *                               the live graph's {@link LiveGraph.Limits}; nothing is applied
     * @throws IOException           the log cannot be written or forced; nothing is acknowledged
     */
    public EdgesAdded addEdges(EdgeBatch batch) throws IOException {
        Objects.requireNonNull(batch, "batch");
        ReentrantReadWriteLock.ReadLock lock = life.readLock();
        lock.lock();
        try {
            requireOpen();
            LiveGraph g = requireLive();
            long position;
            List<String> pins = new ArrayList<>();
            List<String> boards = new ArrayList<>();
            writer.lock();
            try {
                // new nodes take the ids after the last ones, so the counts around the append name them
                int pinsBefore = pinCount();
                int boardsBefore = boardCount();
                position = g.append(batch);
                for (int u = pinsBefore, n = pinCount(); u < n; u++) {
                    pins.add(g.externalId(Side.LEFT, u));
                }
                for (int u = boardsBefore, n = boardCount(); u < n; u++) {
                    boards.add(g.externalId(Side.RIGHT, u));
                }
            } finally {
                writer.unlock();
            }
            g.awaitDurable(position); // outside the writer's lock: batches of one group commit period share its fsync
            if (fresh != null) {
                for (int i = 0; i < batch.size(); i++) {
                    fresh.offer(g.find(Side.LEFT, batch.pin(i)));
                }
            }
            if (compactEvery > 0 && g.recentEdges() >= compactAt && compactionQueued.compareAndSet(false, true)) {
                compactor.execute(this::compactInBackground);
            }
            return new EdgesAdded(batch.size(), pins, boards);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the store's graph and every edge added so far, with the new pins and boards, as a new generation of the
     * store, verifies and publishes it, and switches to it as the base: the edges added meanwhile stay recent on top
     * of it, ids do not change, the edge log is cut to those edges, and queries continue throughout (those running
     * finish on the generation they started on, which is unmapped after the last of them). New pins' feature rows
     * are zeros; the embeddings, index and model stay those of the pins they were made for. Runs on the calling
     * thread, the build on one thread; a second call waits for the first. Cost: see
     * {@link io.pinsage.csr.live.Compaction}.
     *
     * @throws IllegalStateException the engine was opened without live edges or is closed
     * @throws IOException           writing or verifying the new generation failed (the store stays as it was), or
     *                               cutting the log failed after the switch (harmless: reopening skips what the store
     *                               holds)
     */
    public Compacted compact() throws IOException {
        ReentrantReadWriteLock.ReadLock lock = life.readLock();
        lock.lock();
        try {
            requireOpen();
            LiveGraph g = requireLive();
            compacting.lock();
            try {
                long start = System.nanoTime();
                Compaction c = g.compact(CsrBuildOptions.defaults().withThreads(1), writer);
                if (c.leftOut() > 0) {
                    LOG.warn("{} edges of weight 0 (logged before weights had to be positive) in {} left out of {}: no "
                            + "walk takes them", c.leftOut(), edgeLog, c.published().orElseThrow().name());
                }
                return new Compacted(c.published().orElseThrow().name(), c.baseEdges() + c.recentEdges() - c.leftOut(),
                        c.recentEdges(), System.nanoTime() - start);
            } finally {
                compacting.unlock();
            }
        } finally {
            lock.unlock();
        }
    }

    private void compactInBackground() {
        try {
            Compacted done = compact();
            compactAt = compactEvery;
            LOG.info("compacted {} recent edges into {} ({} edges) in {} ms", done.recentEdges(), done.generation(),
                    done.edges(), done.nanos() / 1_000_000);
        } catch (IOException | RuntimeException e) {
            if (closed) { // queued before close(): compact() saw the engine closed, under the lock that close() set it in
                LOG.debug("background compaction skipped: the engine closed");
                return;
            }
            long recent = live.recentEdges();
            compactAt = recent > Long.MAX_VALUE - compactEvery ? Long.MAX_VALUE : recent + compactEvery;
            LOG.warn("background compaction failed; the edges stay recent and logged, and the next try waits for {} recent"
                    + " edges", compactAt, e);
        } finally {
            compactionQueued.set(false);
        }
    }

    /** Recent edges at which the next background compaction starts. */
    long compactAt() {
        return compactAt;
    }

    /** Whether a background compaction is queued or running. */
    boolean compactionQueued() {
        return compactionQueued.get();
    }

    private LiveGraph requireLive() {
        if (live == null) {
            throw new IllegalStateException("the engine was opened without live edges: open it with EngineOptions.liveEdges");
        }
        return live;
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
        ReentrantReadWriteLock.ReadLock lock = openRead(k);
        try {
            requireOpen();
            PixieQuery.Builder b = PixieQuery.builder().steps(options.steps()).alpha(options.alpha()).boost(options.boost())
                    .topPins(k).seed(options.seed());
            for (WeightedPin p : pins) {
                b.pin(queryPin(p.id()), p.weight());
            }
            int[] blocked = new int[options.blocklist().size()];
            for (int i = 0; i < blocked.length; i++) {
                blocked[i] = queryPin(options.blocklist().get(i));
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

    /** The dense id of a query's pin, among the pins added so far where edges are live. */
    private int queryPin(String id) {
        return node(Side.LEFT, id);
    }

    /** The dense id of a node of {@code side}, among the nodes added so far where edges are live. */
    private int node(Side side, String id) {
        if (live == null) {
            return store.denseId(side, id);
        }
        String t = id.trim();
        int dense;
        try {
            dense = live.find(side, t);
        } catch (IllegalArgumentException e) {
            throw new UnknownIdException(side, t, e.getMessage());
        }
        // a node being added right now has its id before its batch is published; until then it is not known
        if (dense < 0 || dense >= store.graph().nodeCount(side) && dense >= live.nodeCount(side)) {
            throw new UnknownIdException(side, t, "not in the store's id map nor among the "
                    + (side == Side.LEFT ? "pins" : "boards") + " added since");
        }
        return dense;
    }

    /**
     * About the {@code k} pins whose embeddings have the largest dot product with {@code pin}'s (the model's score),
     * best first, {@code pin} itself left out, through the nearest-neighbour index. {@code filter} ({@code null}:
     * all) is asked about candidates by external id while the index is searched. Scores are exact dot products.
     * Cost: O(beam · degree · log n) embedding reads, {@link AnnIndex#DEFAULT_SEARCH_BEAM}.
     *
     * @throws UnknownIdException       the store does not know {@code pin}
     * @throws IllegalArgumentException {@code k < 0}
     * @throws IllegalStateException    the store has no index (build one with {@code ./pinsage index}), or the
     *                                  engine is closed
     */
    public List<ScoredPin> related(String pin, int k, Predicate<String> filter) {
        return nearest(pin, k, filter, Search.INDEX);
    }

    /** {@link #related} with no filter. */
    public List<ScoredPin> related(String pin, int k) {
        return nearest(pin, k, null, Search.INDEX);
    }

    /**
     * The exact answer {@link #related} approximates: a SIMD scan of every pin's embedding. For evaluation and
     * small stores. Cost: pins × dim multiply-adds.
     *
     * @throws IllegalStateException the store has no embeddings ({@code ./pinsage embed}), or the engine is closed
     */
    public List<ScoredPin> relatedExact(String pin, int k, Predicate<String> filter) {
        return nearest(pin, k, filter, Search.EXACT);
    }

    /**
     * The content-only baseline: the {@code k} pins whose features have the largest cosine with {@code pin}'s, by a
     * full scan, {@code pin} left out; what the graph adds shows against it. Cost: pins × feature dim × 2.
     *
     * @throws IllegalStateException the store has no pin features, or the engine is closed
     */
    public List<ScoredPin> relatedByContent(String pin, int k, Predicate<String> filter) {
        return nearest(pin, k, filter, Search.CONTENT);
    }

    /**
     * The embedding of a pin the store does not hold, with content {@code features}, saved on {@code boards} (the
     * store's external board ids, each with a positive weight: 1 for a plain save): a short walk from its boards
     * gives its neighbourhood row, and the model's layers over that row and the rows of the pins it names give its
     * embedding, as {@code ./pinsage embed} gives a stored pin's. Nothing is stored. Cost: the model directory's walk
     * steps per pin and a forward over up to {@code 1 + T + ... + T^K} nodes, about a millisecond at the quickstart's
     * size; calls wait for each other. The same as {@link #embedNewPin(float[], List, List)} saved with no pins.
     *
     * @throws UnknownIdException       a board the store does not know
     * @throws IllegalArgumentException no boards, a weight that is not positive and finite, or a feature count other
     *                                  than {@link #newPinFeatureDim} (the message names it)
     * @throws IllegalStateException    the engine was opened without a model for new pins ({@link EngineOptions#model}),
     *                                  or is closed
     */
    public float[] embedNewPin(float[] features, List<WeightedPin> boards) {
        return embedNewPin(features, boards, List.of());
    }

    /**
     * The embedding of a pin the store does not hold, with content {@code features}, saved on {@code boards} (board
     * ids) and beside the pins {@code savedWith} (pin ids, e.g. the pins of the board it was saved to: the store's,
     * those live edges added, or those {@link #addNewPin} added, which stand for the boards and pins they were
     * embedded from), each with a positive weight; either list may be empty, not both. With live edges the walk runs
     * over the graph as the edges acknowledged so far make it, so boards and pins they brought are starts too. Its neighbourhood row comes from walks that
     * start at its boards and at the pins it is saved with: the walk steps are shared among all of them in proportion
     * to their weights, one scale for both (a board and a pin of weight 1 get equal shares), a walk from a board
     * restarting to it and a walk from a pin to that pin, which makes a pin P stand for all of P's boards. Its
     * log-degree counts its boards, or one save when only pins are given. Otherwise as
     * {@link #embedNewPin(float[], List)}.
     *
     * @throws UnknownIdException       a board or pin neither the store, the live edges nor {@link #addNewPin} knows
     *                                  (its {@link UnknownIdException#side()} tells which); a pin's exception has its
     *                                  index in {@code savedWith}
     * @throws IllegalArgumentException neither boards nor pins, a weight that is not positive and finite, or a feature
     *                                  count other than {@link #newPinFeatureDim} (the message names it)
     * @throws IllegalStateException    as {@link #embedNewPin(float[], List)}
     */
    public float[] embedNewPin(float[] features, List<WeightedPin> boards, List<WeightedPin> savedWith) {
        return embed(features, boards, savedWith).embedding();
    }

    /** A new pin's embedding and the walk starts it came from. */
    private record Embedded(float[] embedding, NewPins.Starts starts) {
    }

    private Embedded embed(float[] features, List<WeightedPin> boards, List<WeightedPin> savedWith) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(boards, "boards");
        Objects.requireNonNull(savedWith, "savedWith");
        ReentrantReadWriteLock.ReadLock lock = life.readLock();
        lock.lock();
        try {
            requireOpen();
            if (newPinModel == null) {
                throw new IllegalStateException("the engine has no model for new pins: open it with EngineOptions.model, an "
                        + "inductive model trained with --id-embeddings off or hashed:N");
            }
            synchronized (newPinModel) {
                if (newPinView == null) {
                    return embedOver(null, features, boards, savedWith);
                }
                newPinView.refresh(); // the walk sees the edges added so far, and resolves ids among them
                try {
                    return embedOver(newPinWalks, features, boards, savedWith);
                } finally {
                    newPinView.release();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Resolves the ids and walks over {@code walks} (the live view's; null: the store's graph). A pin of
     * {@code savedWith} that {@link #addNewPin} added is not in the graph: its own starts stand for it, their weights
     * scaled to sum to its weight, as a walk from a pin of the graph stands for walks from its boards.
     */
    private Embedded embedOver(ImportanceNeighborhoods walks, float[] features, List<WeightedPin> boards,
                               List<WeightedPin> savedWith) {
        int saves = boards.size();
        StartList boardStarts = new StartList();
        for (WeightedPin b : boards) {
            boardStarts.add(walkStart(Side.RIGHT, b.id()), b.weight());
        }
        StartList pinStarts = new StartList();
        for (int i = 0; i < savedWith.size(); i++) {
            WeightedPin p = savedWith.get(i);
            if (!(p.weight() > 0) || Float.isInfinite(p.weight())) {
                throw new IllegalArgumentException("savedWith[" + i + "].weight=" + p.weight() + ": must be positive and finite");
            }
            int dense;
            try {
                dense = walkStart(Side.LEFT, p.id());
            } catch (UnknownIdException e) {
                NewPins.Starts from = added == null ? null : added.starts(p.id());
                if (from == null) {
                    throw new UnknownIdException(Side.LEFT, e.id(), e.problem() + ", nor added by addNewPin").at(i);
                }
                double scale = p.weight() / from.total();
                for (int j = 0; j < from.boards().length; j++) {
                    boardStarts.add(from.boards()[j], (float) (from.boardWeights()[j] * scale));
                }
                for (int j = 0; j < from.pins().length; j++) {
                    pinStarts.add(from.pins()[j], (float) (from.pinWeights()[j] * scale));
                }
                continue;
            }
            pinStarts.add(dense, p.weight());
        }
        float[] embedding = walks == null
                ? newPinModel.embed(features, boardStarts.ids, boardStarts.weights, boardStarts.size, pinStarts.ids,
                pinStarts.weights, pinStarts.size, saves)
                : newPinModel.embed(walks, features, boardStarts.ids, boardStarts.weights, boardStarts.size, pinStarts.ids,
                pinStarts.weights, pinStarts.size, saves);
        return new Embedded(embedding, NewPins.Starts.of(boardStarts.ids, boardStarts.weights, boardStarts.size,
                pinStarts.ids, pinStarts.weights, pinStarts.size));
    }

    /**
     * The dense id of a node of {@code side} that the new pins' walk may start from: one the view refreshed for it
     * holds (a batch published after that refresh, by a request still in flight, is not yet known to it).
     */
    private int walkStart(Side side, String id) {
        int dense = node(side, id);
        if (newPinView != null && dense >= newPinView.nodeCount(side)) {
            throw new UnknownIdException(side, id.trim(), "added by edges still being acknowledged");
        }
        return dense;
    }

    /** Dense ids and weights of walk starts, growing. */
    private static final class StartList {
        int[] ids = new int[8];
        float[] weights = new float[8];
        int size;

        void add(int id, float weight) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, 2 * size);
                weights = Arrays.copyOf(weights, 2 * size);
            }
            ids[size] = id;
            weights[size++] = weight;
        }
    }

    /**
     * {@link #embedNewPin}, then holds the pin under {@code id} so that later {@link #related} and
     * {@link #relatedExact} calls may return it, and take it as their query pin, until the engine closes. The same as
     * {@link #addNewPin(String, float[], List, List)} saved with no pins.
     *
     * @return its embedding
     * @throws IllegalArgumentException as {@link #embedNewPin}, or {@code id} names a pin of the store or one added
     *                                  before
     * @throws IllegalStateException    as {@link #embedNewPin}, the store has no embeddings to search beside, or
     *                                  {@value NewPins#MAX} pins were added already
     */
    public float[] addNewPin(String id, float[] features, List<WeightedPin> boards) {
        return addNewPin(id, features, boards, List.of());
    }

    /**
     * {@link #embedNewPin(float[], List, List)}, then holds the pin under {@code id} as
     * {@link #addNewPin(String, float[], List)} does.
     *
     * @return its embedding
     * @throws IllegalArgumentException as {@link #embedNewPin(float[], List, List)}, or {@code id} names a pin of the
     *                                  store or one added before
     * @throws IllegalStateException    as {@link #addNewPin(String, float[], List)}
     */
    public float[] addNewPin(String id, float[] features, List<WeightedPin> boards, List<WeightedPin> savedWith) {
        Objects.requireNonNull(id, "id");
        if (added == null) {
            throw new IllegalStateException("the store has no pin embeddings: run ./pinsage embed");
        }
        if (isStorePin(id)) {
            throw new IllegalArgumentException("pin=" + id + ": the store already holds a pin of that id");
        }
        Embedded e = embed(features, boards, savedWith);
        added.add(id, e.embedding(), e.starts());
        return e.embedding();
    }

    private boolean isStorePin(String id) {
        try {
            store.denseId(Side.LEFT, id);
            return true;
        } catch (UnknownIdException e) {
            return false;
        }
    }

    private enum Search { INDEX, EXACT, CONTENT }

    private List<ScoredPin> nearest(String pin, int k, Predicate<String> filter, Search search) {
        Objects.requireNonNull(pin, "pin");
        ReentrantReadWriteLock.ReadLock lock = openRead(k);
        try {
            requireOpen();
            if (search == Search.CONTENT ? content == null : embeddings == null) {
                throw new IllegalStateException(search == Search.CONTENT ? "the store has no pin features"
                        : "the store has no pin embeddings: run ./pinsage embed");
            }
            if (search == Search.INDEX && index == null) {
                throw new IllegalStateException("the store's embeddings have no index: run ./pinsage index");
            }
            float[] addedVector = search == Search.CONTENT ? null : added.vector(pin);
            int query = addedVector != null ? -1 : queryPin(pin);
            if (query >= (search == Search.CONTENT ? store.graph().nodeCount(Side.LEFT) : embeddings.nodeCount())) {
                throw new UnknownIdException(Side.LEFT, pin.trim(), "added since the store was "
                        + (search == Search.CONTENT ? "built: it has no features" : "embedded: it has no embedding") + " yet");
            }
            IntPredicate accept = filter == null ? u -> u != query : u -> u != query && filter.test(externalPin(u));
            if (search == Search.CONTENT) {
                FeatureMatrix features = store.features(Side.LEFT).orElseThrow();
                float[] row = new float[features.dim()];
                features.copyRow(query, row, 0);
                return external(content.search(row, k, accept));
            }
            float[] vector = addedVector;
            if (vector == null) {
                vector = new float[embeddings.dim()];
                embeddings.read(query, vector, 0);
            }
            return byEmbedding(vector, k, accept, id -> !id.equals(pin) && (filter == null || filter.test(id)), search);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The {@code k} pins, stored or added, whose embeddings have the largest dot product with {@code embedding}, best
     * first, through the index when the store has one, else by a full scan ({@link #relatedExact}'s); {@code filter}
     * ({@code null}: all) is asked about candidates by external id. For the related pins of a pin that is not stored,
     * such as one {@link #embedNewPin} embedded. Cost: as {@link #related} or {@link #relatedExact}.
     *
     * @throws IllegalArgumentException {@code k < 0} or an embedding of another width than the store's
     * @throws IllegalStateException    the store has no embeddings, or the engine is closed
     */
    public List<ScoredPin> relatedTo(float[] embedding, int k, Predicate<String> filter) {
        Objects.requireNonNull(embedding, "embedding");
        ReentrantReadWriteLock.ReadLock lock = openRead(k);
        try {
            requireOpen();
            if (embeddings == null) {
                throw new IllegalStateException("the store has no pin embeddings: run ./pinsage embed");
            }
            if (embedding.length != embeddings.dim()) {
                throw new IllegalArgumentException("embedding.length=" + embedding.length + ": the store's embeddings have "
                        + embeddings.dim() + " floats");
            }
            IntPredicate accept = filter == null ? null : u -> filter.test(externalPin(u));
            return byEmbedding(embedding, k, accept, filter == null ? id -> true : filter, index == null ? Search.EXACT
                    : Search.INDEX);
        } finally {
            lock.unlock();
        }
    }

    /** The store's pins {@code accept} admits and the added ones {@code acceptAdded} admits, merged by score. */
    private List<ScoredPin> byEmbedding(float[] vector, int k, IntPredicate accept, Predicate<String> acceptAdded,
                                        Search search) {
        List<ScoredPin> out = external(search == Search.INDEX ? index.search(vector, k, AnnIndex.DEFAULT_SEARCH_BEAM, accept)
                : exact.search(vector, k, accept));
        List<ScoredPin> fresh = added.search(vector, k, acceptAdded);
        if (fresh.isEmpty()) {
            return out;
        }
        List<ScoredPin> merged = new ArrayList<>(out);
        merged.addAll(fresh);
        // both lists hold exact dot products: one order, stable, so ties keep the store's pins first
        merged.sort(Comparator.comparingDouble(ScoredPin::score).reversed());
        return List.copyOf(merged.subList(0, Math.min(k, merged.size())));
    }

    private List<ScoredPin> external(Neighbors n) {
        List<ScoredPin> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            out.add(new ScoredPin(externalPin(n.rows()[i]), n.scores()[i]));
        }
        return out;
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
     * The external id of pin {@code dense} (of the store, or added since); the dense id as text when the store has
     * no id map. O(1).
     *
     * @throws IllegalArgumentException {@code dense} is not a pin of the store
     */
    public String externalPin(int dense) {
        int base = store.graph().nodeCount(Side.LEFT);
        if (dense >= 0 && dense < base) {
            return pinIds == null ? Integer.toString(dense) : pinIds.external(dense);
        }
        int pins = pinCount();
        if (dense < 0 || dense >= pins) {
            throw new IllegalArgumentException("pin=" + dense + ": expected a dense id in [0, " + pins + ")");
        }
        return live.externalId(Side.LEFT, dense);
    }

    /**
     * The dense id of the pin {@code id} names (of the store, or added since). O(length of id) expected.
     *
     * @throws UnknownIdException the store does not know it
     */
    public int densePin(String id) {
        return queryPin(id);
    }

    /** Checks {@code k}, then takes the read side of the life lock; the caller unlocks it and calls {@link #requireOpen}. */
    private ReentrantReadWriteLock.ReadLock openRead(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k=" + k + ": must be >= 0");
        }
        ReentrantReadWriteLock.ReadLock lock = life.readLock();
        lock.lock();
        return lock;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
    }

    /**
     * Waits for the queries and batches in flight, forces and closes the edge log, then releases the store, its
     * embeddings and index, and the engine's threads.
     */
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
            if (compactor != null) {
                compactor.shutdown(); // a compaction queued now finds the engine closed; none runs: close holds the lock
            }
            if (fresh != null) {
                fresh.close(); // before the model and the live graph it reads
            }
            if (newPinModel != null) {
                newPinModel.close();
                newPinBackend.close();
            }
            try {
                try {
                    if (live != null) {
                        live.close(); // no batch is in flight: addEdges holds the read side of this lock
                    }
                } finally {
                    if (index != null) {
                        index.close();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                if (embeddings != null) {
                    embeddings.close();
                }
                store.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
