package io.pinsage.csr.live;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.EdgeWeight;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An immutable base graph plus the edges added since: new pins, new boards and saves between any of them, appended
 * by one writer while any number of readers walk {@link LiveView}s without locks.
 *
 * <p><b>Visibility rule:</b> an edge is visible to every query that starts after its batch was acknowledged
 * ({@link #add} returned, or {@link #append} under no log). A batch is applied whole — its new nodes get their
 * dense ids (after the base's, in order of first appearance), its edges their positions in arrival order and their
 * places in both ends' lists — and only then is the new edge count published (a volatile write). A view reads that count
 * once when it is {@linkplain LiveView#refresh() refreshed} (a volatile read) and shows exactly the edges below it,
 * so a query sees one consistent graph from start to end and never a half-written edge.
 *
 * <p><b>Compaction:</b> the base and the recent edges up to a point are written as a new generation of the base's store
 * in the background ({@link #beginCompaction}, {@link Compaction#run}, {@link #finishCompaction}); then the live graph
 * switches to it as its base, the edges that arrived meanwhile stay recent on top of it, and the log is cut to them
 * ({@link EdgeLogFormat} states the rule that keeps every acknowledged edge through a crash at any step). Dense ids
 * never change: the new base numbers its nodes as the live graph did. Readers hold a lease on the generation they
 * read ({@link LiveView#refresh()} to {@link LiveView#release()}); a replaced generation's store is closed only when
 * its last lease ends, so a reader never reads an unmapped file.
 *
 * <p><b>Threading:</b> {@link #append}, {@link #add}, {@link #beginCompaction}, {@link #finishCompaction},
 * {@link #abortCompaction} and {@link #close} from one writer thread at a time; {@link Compaction#run} from any one
 * thread; {@link #view}, {@link #find}, {@link #awaitDurable} and the views' refreshes from any thread. A view itself
 * is confined to one thread (a query's scratch).
 *
 * <p><b>Memory:</b> 12 bytes per recent edge and side in the nodes' lists (position, neighbour, weight), which double
 * when full and leave their old places unused until the generation is replaced: fewer than 48 bytes per recent edge
 * and side in all. Also a 16-byte table slot per node with recent edges (at load at most 1/2), a map entry per new
 * node, and one bit per base node and side off-heap; bounded by {@link Limits}. The base is not copied. During a
 * compaction, 12 bytes more per edge appended meanwhile; at its switch, the new generation's lists beside the old
 * ones until the old one's last lease ends (then neither the live graph nor a released view refers to it;
 * {@link #retainedGenerations()} counts those still held).
 *
 * <p><b>Errors:</b> a bad edge (an id that cannot be one, a weight that is not positive and finite) is a
 * {@link BadEdgeException} naming it, and nothing of its batch is applied or logged; a batch beyond the
 * {@link Limits} an {@link IllegalStateException}; log failures {@link IOException}s.
 */
public final class LiveGraph implements AutoCloseable {

    /**
     * How much a live graph may hold beside its base; a batch that would pass either bound is refused whole.
     *
     * @param recentEdges at most this many recent edges, at most {@link Integer#MAX_VALUE}
     * @param newNodes    at most this many new nodes per side
     */
    public record Limits(long recentEdges, int newNodes) {

        /** @throws IllegalArgumentException for a bound out of range */
        public Limits {
            if (recentEdges < 0 || recentEdges > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("recentEdges=" + recentEdges + ": must lie in [0, " + Integer.MAX_VALUE + "]");
            }
            if (newNodes < 0) {
                throw new IllegalArgumentException("newNodes=" + newNodes + ": must be at least 0");
            }
        }

        /** 100 M recent edges (2.4 GB in full lists, at most 9.6 GB) and 10 M new nodes per side. */
        public static Limits defaults() {
            return new Limits(100_000_000, 10_000_000);
        }
    }

    /**
     * What reopening the log found: records and edges replayed, and the bytes of a torn tail dropped (a batch
     * being written when the process died, never acknowledged), 0 when the log ended cleanly.
     */
    public record Recovery(long records, long edges, long droppedBytes) {
    }

    /** The most edges a compaction keeps appended meanwhile: the longest array the VM reliably allocates. */
    static final int MAX_TAIL = Integer.MAX_VALUE - 8;

    private final Limits limits;
    private final EdgeLog log;
    private final Recovery recovery;
    /** The generation readers lease and the writer appends to; replaced whole by {@link #finishCompaction}. */
    private volatile LiveGeneration current;
    private volatile boolean closed;
    /** Replaced generations whose last lease has not ended yet; each removes itself when it closes. */
    private final List<LiveGeneration> retired = new CopyOnWriteArrayList<>();
    /** The compaction in progress (writer only), and the edges appended since it began, which stay recent. */
    private Compaction compaction;
    private int[] tailLeft = new int[0];
    private int[] tailRight = new int[0];
    private float[] tailWeights = new float[0];
    private int tailEdges;

    // writer's scratch for one batch
    private int[] batchLeft = new int[16];
    private int[] batchRight = new int[16];
    private final List<Object> newLeft = new ArrayList<>();
    private final List<Object> newRight = new ArrayList<>();
    private final Map<Object, Integer> pendingLeft = new HashMap<>();
    private final Map<Object, Integer> pendingRight = new HashMap<>();
    private ByteBuffer payload = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    /** Each source's last position, logged or replayed; written by the writer (and the opener), read by any thread. */
    private final Map<String, SourcePosition> sources = new ConcurrentHashMap<>();

    private LiveGraph(LiveGeneration generation, Limits limits) {
        this.current = generation;
        this.limits = Objects.requireNonNull(limits, "limits");
        log = null;
        recovery = new Recovery(0, 0, 0);
    }

    private LiveGraph(LiveGeneration generation, Limits limits, Path logFile, LogSync sync, ThreadFactory threads)
            throws IOException {
        this.current = generation;
        this.limits = Objects.requireNonNull(limits, "limits");
        Map<String, SourcePosition> stored = new HashMap<>();
        this.log = EdgeLog.open(logFile, generation.base.edgeCount(), sync, threads,
                (record, inStore) -> replay(logFile, record, inStore ? stored : null));
        EdgeLog.Replay r = log.replay();
        this.recovery = new Recovery(r.records(), r.edges(), r.droppedBytes());
        if (r.storedEnd() > EdgeLogFormat.HEADER_BYTES) {
            try {
                log.cut(r.storedEnd(), generation.baseEdges, sourcesRecord(stored));
            } catch (IOException | RuntimeException e) {
                log.close();
                throw e;
            }
        }
    }

    private static LiveGeneration generation(GraphStore store) {
        return new LiveGeneration(store, false, store.graph(), store.ids(Side.LEFT).orElse(null),
                store.ids(Side.RIGHT).orElse(null));
    }

    /**
     * A live graph over {@code base} kept in memory only (nothing survives the process, nothing can be compacted).
     *
     * @param leftIds  the base's pin id map, or null for dense ids
     * @param rightIds the base's board id map, or null for dense ids
     */
    public static LiveGraph inMemory(BipartiteGraph base, IdMap leftIds, IdMap rightIds, Limits limits) {
        return new LiveGraph(new LiveGeneration(null, false, Objects.requireNonNull(base, "base"), leftIds, rightIds), limits);
    }

    /**
     * A live graph over {@code store}'s graph and id maps without a log: edges are lost with the process unless a
     * compaction writes them into a new generation of the store. The store must stay open while the live graph is.
     */
    public static LiveGraph inMemory(GraphStore store, Limits limits) {
        return new LiveGraph(generation(store), limits);
    }

    /**
     * A live graph over {@code store}'s graph and id maps whose batches go to the write-ahead log {@code logFile}
     * first (created if missing): replays the log, dropping a torn tail ({@link #recovery()}), then accepts batches.
     * Records that a compaction already wrote into the store (it published, the process died before the log was cut)
     * are skipped and cut now. The store must stay open while the live graph is in use; stores that compactions open
     * are the live graph's own.
     *
     * @param threads makes the group commit flusher (unused under {@link LogSync#eachBatch()})
     * @throws CorruptStoreException if the log is damaged before its tail or belongs to another base
     */
    public static LiveGraph open(GraphStore store, Path logFile, LogSync sync, Limits limits, ThreadFactory threads)
            throws IOException {
        return new LiveGraph(generation(store), limits, logFile, sync, threads);
    }

    /** Same, over any base with its id maps (null for dense ids); such a live graph cannot be compacted. */
    public static LiveGraph open(BipartiteGraph base, IdMap leftIds, IdMap rightIds, Path logFile, LogSync sync,
                                 Limits limits, ThreadFactory threads) throws IOException {
        return new LiveGraph(new LiveGeneration(null, false, Objects.requireNonNull(base, "base"), leftIds, rightIds),
                limits, logFile, sync, threads);
    }

    /** What opening the log replayed and dropped. */
    public Recovery recovery() {
        return recovery;
    }

    /**
     * The last position logged for {@code source} ({@link EdgeBatch#source}): in the graph are exactly the batches
     * of that source up to it. Survives restarts and compactions with the log; empty without a log or before the
     * first such batch. Any thread; O(1).
     */
    public Optional<SourcePosition> sourcePosition(String source) {
        return Optional.ofNullable(sources.get(source));
    }

    /** Recent edges visible now, on top of the current base. Any thread. */
    public long recentEdges() {
        return current.published;
    }

    /** Nodes of {@code side} visible now, base and new. Any thread; O(1). */
    public int nodeCount(Side side) {
        LiveGeneration g = current;
        return side == Side.LEFT ? g.leftNodes : g.rightNodes;
    }

    /** Edges visible now, base and recent. Any thread; O(1). */
    public long edgeCount() {
        LiveGeneration g = current;
        return g.baseEdges + g.published;
    }

    /** Edges of the current base (those of the store generation it reads). Any thread. */
    public long baseEdges() {
        return current.baseEdges;
    }

    /** The store generation the current base was read from, or null for a base without a store. Any thread. */
    public StoreGeneration baseGeneration() {
        GraphStore s = current.store;
        return s == null ? null : s.generation();
    }

    /**
     * Generations replaced by compactions that a lease still holds (their stores stay mapped, their deleted files'
     * space on disk and their recent lists' memory held, until it ends): 0 once the queries that started on them have
     * finished, unless a view was never released. Any thread; O(1).
     */
    public int retainedGenerations() {
        return retired.size();
    }

    /**
     * A new view showing the graph as of now, holding a lease on the current generation until it is
     * {@linkplain LiveView#release() released}; refresh it at the start of each query and release it at the end.
     * Any thread.
     */
    public LiveView view() {
        return new LiveView(this);
    }

    /** A lease on the current generation; the caller releases it. Any thread, lock-free. */
    LiveGeneration acquire() {
        while (true) {
            LiveGeneration g = current;
            if (g.tryAcquire()) {
                return g;
            }
            if (closed && g == current) {
                throw new IllegalStateException("the live graph is closed");
            }
            // retired by a compaction that has already switched: the next read of current finds its successor
        }
    }

    /**
     * Dense id of the node named {@code text} on {@code side} (base or new), or -1 if none has it yet. Any thread.
     *
     * @throws IllegalArgumentException if {@code text} cannot be an id of the side
     */
    public int find(Side side, String text) {
        LiveGeneration g = acquire();
        try {
            LiveIds ids = g.ids(side);
            return ids.find(ids.key(text));
        } finally {
            g.release();
        }
    }

    /** The external id of node {@code node} of {@code side} as text. Any thread. */
    public String externalId(Side side, int node) {
        LiveGeneration g = acquire();
        try {
            return String.valueOf(g.ids(side).external(node));
        } finally {
            g.release();
        }
    }

    /**
     * Checks, logs and applies {@code batch} (writer only) and returns its log position for {@link #awaitDurable}
     * (0 without a log). The batch is visible to every query that starts after this returns; it is acknowledged
     * once it is also durable ({@link #add}).
     *
     * @throws BadEdgeException      naming the first bad edge; nothing of the batch is applied or logged
     * @throws IllegalStateException if the batch would pass the {@link Limits} or what a compaction in progress can
     *                               keep; nothing is applied or logged
     * @throws IOException           if the log cannot be written; nothing is applied
     */
    public long append(EdgeBatch batch) throws IOException {
        LiveGeneration g = current;
        int n = batch.size();
        resolve(g, batch, n);
        long recent = g.published;
        if (recent + n > limits.recentEdges()) {
            clearPending();
            throw new IllegalStateException("live graph full: " + recent + " recent edges + " + n + " would pass recentEdges="
                    + limits.recentEdges());
        }
        if (g.leftIds.freshCount() + newLeft.size() > limits.newNodes()
                || g.rightIds.freshCount() + newRight.size() > limits.newNodes()) {
            clearPending();
            throw new IllegalStateException("live graph full: the batch's " + newLeft.size() + " new pins and "
                    + newRight.size() + " new boards would pass newNodes=" + limits.newNodes());
        }
        if (compaction != null) {
            try {
                growTail(n); // before the log: a batch that cannot be kept for the compaction is refused whole
            } catch (RuntimeException e) {
                clearPending();
                throw e;
            }
        }
        long position = 0;
        if (log != null) {
            try {
                encode(batch, n);
                position = log.append(payload);
            } catch (IOException | RuntimeException e) {
                clearPending();
                throw e;
            }
        }
        for (Object key : newLeft) {
            g.leftIds.assign(key);
        }
        for (Object key : newRight) {
            g.rightIds.assign(key);
        }
        for (int i = 0; i < n; i++) {
            put(g, batchLeft[i], batchRight[i], batch.weight(i));
        }
        if (compaction != null) {
            keepForCompaction(n, batch);
        }
        publish(g);
        clearPending();
        if (log != null && batch.source() != null) {
            sources.put(batch.source().source(), batch.source());
        }
        return position;
    }

    /**
     * {@link #append} and {@link #awaitDurable}: when this returns the batch is acknowledged, durable as the log's
     * {@link LogSync} promises and visible to every query that starts afterwards. Writer only.
     */
    public void add(EdgeBatch batch) throws IOException {
        awaitDurable(append(batch));
    }

    /** Returns once the log is durable up to {@code position} ({@link #append}'s result); at once without a log. */
    public void awaitDurable(long position) throws IOException {
        if (log != null) {
            log.awaitDurable(position);
        }
    }

    /**
     * Starts a compaction of everything visible now: the base and the recent edges so far, with the new nodes so
     * far. Writer only; O(1). Batches may be appended while the compaction {@linkplain Compaction#run runs}; they are
     * kept (12 bytes per edge) to stay recent on top of the new base.
     *
     * @throws IllegalStateException if a compaction is in progress or the base is not a store's
     */
    public Compaction beginCompaction() {
        if (compaction != null) {
            throw new IllegalStateException("a compaction is in progress");
        }
        LiveGeneration g = acquire();
        if (g.store == null) {
            g.release();
            throw new IllegalStateException("the live graph's base is not a store's: nothing to compact into");
        }
        compaction = new Compaction(this, g, g.published, log == null ? 0 : log.written(), g.leftNodes, g.rightNodes,
                g.weighted, Map.copyOf(sources));
        tailEdges = 0;
        return compaction;
    }

    /**
     * Ends {@code c}, which {@linkplain Compaction#run published} its new generation: switches to it as the base,
     * with the edges appended since {@link #beginCompaction} recent on top of it and the nodes added since keeping
     * their ids, then cuts the log to those edges. Queries that start after this returns walk the new base; those
     * running keep theirs until they release it. Writer only. Cost: re-applying the edges appended since the start.
     *
     * @throws IllegalStateException if {@code c} is not this graph's compaction in progress or did not publish
     * @throws IOException           if the log cannot be cut; the switch has happened, the log keeps its longer
     *                               prefix (harmless: reopening skips what the store holds) and the error is thrown
     */
    public void finishCompaction(Compaction c) throws IOException {
        if (c != compaction || c.result() == null) {
            throw new IllegalStateException(c != compaction ? "not the compaction in progress" : "the compaction did not publish");
        }
        LiveGeneration old = c.generation;
        GraphStore store = c.result();
        LiveGeneration next = new LiveGeneration(store, true, store.graph(), store.ids(Side.LEFT).orElse(null),
                store.ids(Side.RIGHT).orElse(null));
        for (int u = c.pins; u < old.leftNodes; u++) {
            next.leftIds.assign(old.leftIds.external(u));
        }
        for (int u = c.boards; u < old.rightNodes; u++) {
            next.rightIds.assign(old.rightIds.external(u));
        }
        for (int i = 0; i < tailEdges; i++) {
            put(next, tailLeft[i], tailRight[i], tailWeights[i]);
        }
        publish(next);
        current = next; // queries that start from now on lease the new generation
        retired.add(old);
        old.retire(() -> retired.remove(old));
        endCompaction(c); // ends the compaction's own lease on the old generation, which may close it now
        if (log != null) {
            log.cut(c.logPosition, next.baseEdges, sourcesRecord(c.sources));
        }
    }

    /**
     * A whole compaction on the writer's thread: {@link #beginCompaction}, {@link Compaction#run} and
     * {@link #finishCompaction}, or {@link #abortCompaction} if the run fails. Writer only; no batch can be appended
     * meanwhile (a service compacts in the background with the three steps instead).
     *
     * @return the published generation
     */
    public StoreGeneration compact(CsrBuildOptions build) throws IOException {
        return compact(build, new ReentrantLock()).published().orElseThrow();
    }

    /**
     * The same for a writer shared by threads that hold {@code writer} around each {@link #append}: holds it for
     * {@link #beginCompaction} and {@link #finishCompaction} (or {@link #abortCompaction}) only, so that batches are
     * appended while the new generation is written. Any thread that may write, one compaction at a time.
     *
     * @return the finished compaction (its published generation and edge counts)
     */
    public Compaction compact(CsrBuildOptions build, Lock writer) throws IOException {
        Compaction c;
        writer.lock();
        try {
            c = beginCompaction();
        } finally {
            writer.unlock();
        }
        try {
            c.run(build);
        } catch (IOException | RuntimeException | Error e) {
            writer.lock();
            try {
                abortCompaction(c);
            } finally {
                writer.unlock();
            }
            throw e;
        }
        writer.lock();
        try {
            finishCompaction(c);
        } finally {
            writer.unlock();
        }
        return c;
    }

    /** Ends {@code c} without switching (it failed, or is given up); a generation it published stays on disk. Writer only. */
    public void abortCompaction(Compaction c) {
        if (c == compaction) {
            GraphStore written = c.result();
            if (written != null) {
                written.close();
            }
            endCompaction(c);
        }
    }

    private void endCompaction(Compaction c) {
        compaction = null;
        tailEdges = 0;
        tailLeft = new int[0];
        tailRight = new int[0];
        tailWeights = new float[0];
        c.generation.release();
    }

    /** Makes room for {@code n} more edges kept for the compaction in progress, or throws with nothing changed. */
    private void growTail(int n) {
        if (tailWeights.length - tailEdges < n) {
            int size = tailCapacity(tailWeights.length, (long) tailEdges + n);
            tailLeft = Arrays.copyOf(tailLeft, size);
            tailRight = Arrays.copyOf(tailRight, size);
            tailWeights = Arrays.copyOf(tailWeights, size);
        }
    }

    /**
     * The tail's next length: doubled, at least {@code needed}, at most {@link #MAX_TAIL}.
     *
     * @throws IllegalStateException if {@code needed} passes {@link #MAX_TAIL}
     */
    static int tailCapacity(int length, long needed) {
        if (needed > MAX_TAIL) {
            throw new IllegalStateException("compaction in progress: " + needed + " edges appended since it began would "
                    + "pass the " + MAX_TAIL + " it can keep; let it finish or abort it first");
        }
        return (int) Math.min(MAX_TAIL, Math.max(needed, 2L * length));
    }

    /** Copies the batch's resolved edges into the tail, which {@link #growTail} sized. */
    private void keepForCompaction(int n, EdgeBatch batch) {
        System.arraycopy(batchLeft, 0, tailLeft, tailEdges, n);
        System.arraycopy(batchRight, 0, tailRight, tailEdges, n);
        for (int i = 0; i < n; i++) {
            tailWeights[tailEdges + i] = batch.weight(i);
        }
        tailEdges += n;
    }

    /** Resolves every edge's ends into {@code batchLeft}/{@code batchRight}, new nodes pending, or throws. */
    private void resolve(LiveGeneration g, EdgeBatch batch, int n) {
        if (batchLeft.length < n) {
            batchLeft = new int[Math.max(n, batchLeft.length * 2)];
            batchRight = new int[batchLeft.length];
        }
        try {
            for (int i = 0; i < n; i++) {
                float w = batch.weight(i);
                String problem = EdgeWeight.check("weight", Float.toString(w), w);
                if (problem != null) {
                    throw new BadEdgeException(i, problem);
                }
                batchLeft[i] = resolve(i, g.leftIds, batch.pin(i), g.leftNodes, pendingLeft, newLeft);
                batchRight[i] = resolve(i, g.rightIds, batch.board(i), g.rightNodes, pendingRight, newRight);
            }
        } catch (RuntimeException e) {
            clearPending();
            throw e;
        }
    }

    private static int resolve(int edge, LiveIds ids, String text, int nodes, Map<Object, Integer> pending,
                               List<Object> fresh) {
        Object key;
        try {
            key = ids.key(text);
        } catch (IllegalArgumentException e) {
            throw new BadEdgeException(edge, e.getMessage());
        }
        int id = ids.find(key);
        if (id >= 0) {
            return id;
        }
        Integer p = pending.get(key);
        if (p == null) {
            p = nodes + fresh.size();
            pending.put(key, p);
            fresh.add(key);
        }
        return p;
    }

    private void clearPending() {
        newLeft.clear();
        newRight.clear();
        pendingLeft.clear();
        pendingRight.clear();
    }

    /** Stores one edge at the next position of {@code g} and adds it to both ends' lists; not yet visible. */
    private static void put(LiveGeneration g, int left, int right, float weight) {
        int position = (int) g.published + g.pendingEdges;
        BipartiteGraph base = g.base;
        int dl = g.leftAdj.append(left, position, right, weight) + (left < base.nodeCount(Side.LEFT) ? base.degree(Side.LEFT, left) : 0);
        int dr = g.rightAdj.append(right, position, left, weight) + (right < base.nodeCount(Side.RIGHT) ? base.degree(Side.RIGHT, right) : 0);
        if (dl > g.maxLeftDegree) {
            g.maxLeftDegree = dl;
        }
        if (dr > g.maxRightDegree) {
            g.maxRightDegree = dr;
        }
        if (weight != 1f && !g.weighted) {
            g.weighted = true;
        }
        g.pendingEdges++;
    }

    /** Makes everything put so far visible: node counts, then the edge count last (the release store readers acquire). */
    private static void publish(LiveGeneration g) {
        g.leftNodes = g.base.nodeCount(Side.LEFT) + g.leftIds.freshCount();
        g.rightNodes = g.base.nodeCount(Side.RIGHT) + g.rightIds.freshCount();
        g.published += g.pendingEdges;
        g.pendingEdges = 0;
    }

    /**
     * Applies one replayed record, its new nodes taking exactly the ids the writer gave them, and takes its source
     * positions; a record the store holds ({@code stored} not null) is only read, its positions also put in
     * {@code stored}. Returns its edges of positive weight, those a compaction writes into the store.
     */
    private long replay(Path file, ByteBuffer record, Map<String, SourcePosition> stored) {
        int pins = record.getInt();
        int boards = record.getInt();
        int count = record.getInt();
        LiveGeneration g = current;
        long positive = 0;
        try {
            for (int i = 0; i < pins; i++) {
                Object key = decodeKey(record);
                if (stored == null) {
                    g.leftIds.assign(key);
                }
            }
            for (int i = 0; i < boards; i++) {
                Object key = decodeKey(record);
                if (stored == null) {
                    g.rightIds.assign(key);
                }
            }
            int ln = g.base.nodeCount(Side.LEFT) + g.leftIds.freshCount();
            int rn = g.base.nodeCount(Side.RIGHT) + g.rightIds.freshCount();
            for (int i = 0; i < count; i++) {
                int l = record.getInt();
                int r = record.getInt();
                float w = record.getFloat();
                // >= 0, not EdgeWeight's rule: logs written while live batches took weight 0 must still open
                if (l < 0 || l >= ln || r < 0 || r >= rn || !(w >= 0) || Float.isInfinite(w)) {
                    throw new CorruptStoreException(file, "record at edge " + (g.published + g.pendingEdges) + " names edge ("
                            + l + ", " + r + ", " + w + ") outside the graph's " + ln + " pins and " + rn + " boards");
                }
                if (w > 0) {
                    positive++;
                }
                if (stored == null) {
                    put(g, l, r, w);
                }
            }
            if (record.hasRemaining()) {
                for (int i = 0, n = record.getInt(); i < n; i++) {
                    int length = record.getInt();
                    if (length < 0 || length > record.remaining()) {
                        throw new CorruptStoreException(file, "source name of " + length + " bytes in a record of "
                                + record.limit());
                    }
                    byte[] utf8 = new byte[length];
                    record.get(utf8);
                    SourcePosition p = new SourcePosition(new String(utf8, StandardCharsets.UTF_8), record.getLong(),
                            record.getLong());
                    sources.put(p.source(), p);
                    if (stored != null) {
                        stored.put(p.source(), p);
                    }
                }
            }
            if (record.hasRemaining()) {
                throw new CorruptStoreException(file, record.remaining() + " bytes after the record's source positions");
            }
        } catch (CorruptStoreException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new CorruptStoreException(file, "undecodable record: " + e, e));
        }
        if (stored == null) {
            publish(g);
        }
        return positive;
    }

    /** A record of no edges holding {@code positions}, which a cut writes for the records it drops; null if none. */
    private ByteBuffer sourcesRecord(Map<String, SourcePosition> positions) {
        if (positions.isEmpty()) {
            return null;
        }
        payload.clear();
        ensure(12);
        payload.putInt(0).putInt(0).putInt(0);
        encodeSources(positions.values());
        payload.flip();
        return payload;
    }

    /** Appends the source positions part of a record: their count, then each. */
    private void encodeSources(Collection<SourcePosition> positions) {
        ensure(4);
        payload.putInt(positions.size());
        for (SourcePosition p : positions) {
            byte[] utf8 = p.source().getBytes(StandardCharsets.UTF_8);
            ensure(20L + utf8.length);
            payload.putInt(utf8.length).put(utf8).putLong(p.offset()).putLong(p.line());
        }
    }

    private void encode(EdgeBatch batch, int n) {
        payload.clear();
        ensure(12L + (long) n * EdgeLogFormat.EDGE_BYTES);
        payload.putInt(newLeft.size()).putInt(newRight.size()).putInt(n);
        for (Object key : newLeft) {
            encodeKey(key);
        }
        for (Object key : newRight) {
            encodeKey(key);
        }
        for (int i = 0; i < n; i++) {
            payload.putInt(batchLeft[i]).putInt(batchRight[i]).putFloat(batch.weight(i));
        }
        if (batch.source() != null) {
            encodeSources(List.of(batch.source()));
        }
        payload.flip();
    }

    private void encodeKey(Object key) {
        if (key instanceof Long l) {
            ensure(9);
            payload.put(EdgeLogFormat.KEY_LONG).putLong(l);
        } else {
            byte[] utf8 = ((String) key).getBytes(StandardCharsets.UTF_8);
            ensure(5L + utf8.length);
            payload.put(EdgeLogFormat.KEY_STRING).putInt(utf8.length).put(utf8);
        }
    }

    private static Object decodeKey(ByteBuffer b) {
        byte kind = b.get();
        if (kind == EdgeLogFormat.KEY_LONG) {
            return b.getLong();
        }
        if (kind != EdgeLogFormat.KEY_STRING) {
            throw new IllegalStateException("key kind " + kind);
        }
        byte[] utf8 = new byte[b.getInt()];
        b.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** Grows the payload buffer to hold {@code more} bytes beyond its position. */
    private void ensure(long more) {
        if (payload.remaining() < more) {
            long need = payload.position() + more;
            if (need > EdgeLogFormat.MAX_PAYLOAD) {
                throw new IllegalStateException("batch of " + need + " log bytes: at most " + EdgeLogFormat.MAX_PAYLOAD
                        + " per batch; split it");
            }
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(EdgeLogFormat.MAX_PAYLOAD, Math.max(need, 2L * payload.capacity())))
                    .order(ByteOrder.LITTLE_ENDIAN);
            payload.flip();
            b.put(payload);
            payload = b;
        }
    }

    /**
     * Forces and closes the log (writer only) and gives up a compaction in progress; views stay readable until they
     * are released. The store the live graph was opened over is the caller's to close, after this; a store a
     * compaction opened is closed here, or by the last release of a view that still holds it.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (compaction != null) {
            abortCompaction(compaction);
        }
        current.retire(() -> { });
        if (log != null) {
            log.close();
        }
    }
}
