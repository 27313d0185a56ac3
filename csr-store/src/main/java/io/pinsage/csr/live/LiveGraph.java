package io.pinsage.csr.live;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

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
 * <p><b>Threading:</b> {@link #append}, {@link #add} and {@link #close} from one writer thread at a time;
 * {@link #view}, {@link #find}, {@link #awaitDurable} and the views' refreshes from any thread. A view itself is
 * confined to one thread (a query's scratch).
 *
 * <p><b>Memory:</b> 12 bytes per recent edge and side in the nodes' lists (position, neighbour, weight; up to twice
 * that while a list doubles), a table entry per node with recent edges, a map entry per new node, and one bit per
 * base node and side off-heap; bounded by {@link Limits}. The base is not copied.
 *
 * <p><b>Errors:</b> a bad edge (an id that cannot be one, a NaN, infinite or negative weight) is a
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

        /** 100 M recent edges (about 2.4 GB) and 10 M new nodes per side. */
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

    private final BipartiteGraph base;
    private final Limits limits;
    private final LiveIds leftIds;
    private final LiveIds rightIds;
    final RecentAdjacency leftAdj;
    final RecentAdjacency rightAdj;
    private final EdgeLog log;
    private final Recovery recovery;

    /** Recent edges visible to queries: the one published count (written last, with release). */
    private volatile long published;
    private volatile int leftNodes;
    private volatile int rightNodes;
    private volatile int maxLeftDegree;
    private volatile int maxRightDegree;
    private volatile boolean weighted;
    /** Edges put since the last publication (writer only). */
    private int pendingEdges;

    // writer's scratch for one batch
    private int[] batchLeft = new int[16];
    private int[] batchRight = new int[16];
    private final List<Object> newLeft = new ArrayList<>();
    private final List<Object> newRight = new ArrayList<>();
    private final Map<Object, Integer> pendingLeft = new HashMap<>();
    private final Map<Object, Integer> pendingRight = new HashMap<>();
    private ByteBuffer payload = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private LiveGraph(BipartiteGraph base, IdMap leftMap, IdMap rightMap, Limits limits) {
        this.base = Objects.requireNonNull(base, "base");
        this.limits = Objects.requireNonNull(limits, "limits");
        leftNodes = base.nodeCount(Side.LEFT);
        rightNodes = base.nodeCount(Side.RIGHT);
        leftIds = new LiveIds(Side.LEFT, leftMap, leftNodes);
        rightIds = new LiveIds(Side.RIGHT, rightMap, rightNodes);
        leftAdj = new RecentAdjacency(leftNodes);
        rightAdj = new RecentAdjacency(rightNodes);
        maxLeftDegree = base.maxDegree(Side.LEFT);
        maxRightDegree = base.maxDegree(Side.RIGHT);
        weighted = base.hasWeights();
        log = null;
        recovery = new Recovery(0, 0, 0);
    }

    private LiveGraph(LiveGraph shell, Path logFile, LogSync sync, ThreadFactory threads) throws IOException {
        this.base = shell.base;
        this.limits = shell.limits;
        this.leftIds = shell.leftIds;
        this.rightIds = shell.rightIds;
        this.leftAdj = shell.leftAdj;
        this.rightAdj = shell.rightAdj;
        this.leftNodes = shell.leftNodes;
        this.rightNodes = shell.rightNodes;
        this.maxLeftDegree = shell.maxLeftDegree;
        this.maxRightDegree = shell.maxRightDegree;
        this.weighted = shell.weighted;
        this.log = EdgeLog.open(logFile, base.edgeCount(), sync, threads, record -> replay(logFile, record));
        EdgeLog.Replay r = log.replay();
        this.recovery = new Recovery(r.records(), r.edges(), r.droppedBytes());
    }

    /**
     * A live graph over {@code base} kept in memory only (nothing survives the process).
     *
     * @param leftIds  the base's pin id map, or null for dense ids
     * @param rightIds the base's board id map, or null for dense ids
     */
    public static LiveGraph inMemory(BipartiteGraph base, IdMap leftIds, IdMap rightIds, Limits limits) {
        return new LiveGraph(base, leftIds, rightIds, limits);
    }

    /**
     * A live graph over {@code store}'s graph and id maps whose batches go to the write-ahead log {@code logFile}
     * first (created if missing): replays the log, dropping a torn tail ({@link #recovery()}), then accepts batches.
     * The store must stay open while the live graph is in use.
     *
     * @param threads makes the group commit flusher (unused under {@link LogSync#eachBatch()})
     * @throws CorruptStoreException if the log is damaged before its tail or belongs to another base
     */
    public static LiveGraph open(GraphStore store, Path logFile, LogSync sync, Limits limits, ThreadFactory threads)
            throws IOException {
        LiveGraph shell = new LiveGraph(store.graph(), store.ids(Side.LEFT).orElse(null),
                store.ids(Side.RIGHT).orElse(null), limits);
        return new LiveGraph(shell, logFile, sync, threads);
    }

    /** Same, over any base with its id maps (null for dense ids). */
    public static LiveGraph open(BipartiteGraph base, IdMap leftIds, IdMap rightIds, Path logFile, LogSync sync,
                                 Limits limits, ThreadFactory threads) throws IOException {
        return new LiveGraph(new LiveGraph(base, leftIds, rightIds, limits), logFile, sync, threads);
    }

    /** The base graph. */
    public BipartiteGraph base() {
        return base;
    }

    /** What opening the log replayed and dropped. */
    public Recovery recovery() {
        return recovery;
    }

    /** Recent edges visible now. Any thread. */
    public long recentEdges() {
        return published;
    }

    /** A new view showing the graph as of now; refresh it at the start of each query. Any thread. */
    public LiveView view() {
        return new LiveView(this);
    }

    /**
     * Dense id of the node named {@code text} on {@code side} (base or new), or -1 if none has it yet. Any thread.
     *
     * @throws IllegalArgumentException if {@code text} cannot be an id of the side
     */
    public int find(Side side, String text) {
        LiveIds ids = ids(side);
        return ids.find(ids.key(text));
    }

    /** The external id of node {@code node} of {@code side} as text. */
    public String externalId(Side side, int node) {
        return String.valueOf(ids(side).external(node));
    }

    private LiveIds ids(Side side) {
        return side == Side.LEFT ? leftIds : rightIds;
    }

    /**
     * Checks, logs and applies {@code batch} (writer only) and returns its log position for {@link #awaitDurable}
     * (0 without a log). The batch is visible to every query that starts after this returns; it is acknowledged
     * once it is also durable ({@link #add}).
     *
     * @throws BadEdgeException      naming the first bad edge; nothing of the batch is applied or logged
     * @throws IllegalStateException if the batch would pass the {@link Limits}; nothing is applied or logged
     * @throws IOException           if the log cannot be written; nothing is applied
     */
    public long append(EdgeBatch batch) throws IOException {
        int n = batch.size();
        resolve(batch, n);
        long recent = published;
        if (recent + n > limits.recentEdges()) {
            clearPending();
            throw new IllegalStateException("live graph full: " + recent + " recent edges + " + n + " would pass recentEdges="
                    + limits.recentEdges());
        }
        if (leftIds.freshCount() + newLeft.size() > limits.newNodes()
                || rightIds.freshCount() + newRight.size() > limits.newNodes()) {
            clearPending();
            throw new IllegalStateException("live graph full: the batch's " + newLeft.size() + " new pins and "
                    + newRight.size() + " new boards would pass newNodes=" + limits.newNodes());
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
            leftIds.assign(key);
        }
        for (Object key : newRight) {
            rightIds.assign(key);
        }
        for (int i = 0; i < n; i++) {
            put(batchLeft[i], batchRight[i], batch.weight(i));
        }
        publish();
        clearPending();
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

    /** Resolves every edge's ends into {@code batchLeft}/{@code batchRight}, new nodes pending, or throws. */
    private void resolve(EdgeBatch batch, int n) {
        if (batchLeft.length < n) {
            batchLeft = new int[Math.max(n, batchLeft.length * 2)];
            batchRight = new int[batchLeft.length];
        }
        try {
            for (int i = 0; i < n; i++) {
                float w = batch.weight(i);
                if (!(w >= 0) || Float.isInfinite(w)) {
                    throw new BadEdgeException(i, "weight=" + w + ": expected a finite number >= 0");
                }
                batchLeft[i] = resolve(i, leftIds, batch.pin(i), leftNodes, pendingLeft, newLeft);
                batchRight[i] = resolve(i, rightIds, batch.board(i), rightNodes, pendingRight, newRight);
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

    /** Stores one edge at the next position and adds it to both ends' lists; not yet visible. */
    private void put(int left, int right, float weight) {
        int position = (int) published + pendingEdges;
        int dl = leftAdj.append(left, position, right, weight) + (left < base.nodeCount(Side.LEFT) ? base.degree(Side.LEFT, left) : 0);
        int dr = rightAdj.append(right, position, left, weight) + (right < base.nodeCount(Side.RIGHT) ? base.degree(Side.RIGHT, right) : 0);
        if (dl > maxLeftDegree) {
            maxLeftDegree = dl;
        }
        if (dr > maxRightDegree) {
            maxRightDegree = dr;
        }
        if (weight != 1f && !weighted) {
            weighted = true;
        }
        pendingEdges++;
    }

    /** Makes everything put so far visible: node counts, then the edge count last (the release store readers acquire). */
    private void publish() {
        leftNodes = base.nodeCount(Side.LEFT) + leftIds.freshCount();
        rightNodes = base.nodeCount(Side.RIGHT) + rightIds.freshCount();
        published += pendingEdges;
        pendingEdges = 0;
    }

    /** Applies one replayed record; its new nodes must take exactly the ids the writer gave them. */
    private void replay(Path file, ByteBuffer record) {
        int pins = record.getInt();
        int boards = record.getInt();
        int count = record.getInt();
        try {
            for (int i = 0; i < pins; i++) {
                leftIds.assign(decodeKey(record));
            }
            for (int i = 0; i < boards; i++) {
                rightIds.assign(decodeKey(record));
            }
            int ln = base.nodeCount(Side.LEFT) + leftIds.freshCount();
            int rn = base.nodeCount(Side.RIGHT) + rightIds.freshCount();
            for (int i = 0; i < count; i++) {
                int l = record.getInt();
                int r = record.getInt();
                float w = record.getFloat();
                if (l < 0 || l >= ln || r < 0 || r >= rn || !(w >= 0) || Float.isInfinite(w)) {
                    throw new CorruptStoreException(file, "record at edge " + (published + pendingEdges) + " names edge ("
                            + l + ", " + r + ", " + w + ") outside the graph's " + ln + " pins and " + rn + " boards");
                }
                put(l, r, w);
            }
        } catch (CorruptStoreException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new CorruptStoreException(file, "undecodable record: " + e, e));
        }
        publish();
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

    // read by views
    long published() {
        return published;
    }

    int nodes(Side side) {
        return side == Side.LEFT ? leftNodes : rightNodes;
    }

    int maxDegree(Side side) {
        return side == Side.LEFT ? maxLeftDegree : maxRightDegree;
    }

    boolean weighted() {
        return weighted;
    }

    /** Forces and closes the log (writer only); views stay readable. The base is the caller's to close. */
    @Override
    public void close() throws IOException {
        if (log != null) {
            log.close();
        }
    }
}
