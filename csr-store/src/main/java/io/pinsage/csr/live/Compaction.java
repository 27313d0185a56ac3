package io.pinsage.csr.live;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.CsrBuilder;
import io.pinsage.csr.CsrLayout;
import io.pinsage.csr.DuplicatePolicy;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.FeatureMatrixFormat;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.IdMapWriter;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileWriter;
import io.pinsage.csr.format.StoreGeneration;
import io.pinsage.csr.format.StoreLineage;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One compaction of a {@link LiveGraph}: the base and the recent edges visible when it {@linkplain
 * LiveGraph#beginCompaction() began}, written as a new generation of the base's store and published atomically
 * ({@link #run}), for {@link LiveGraph#finishCompaction} to switch to.
 *
 * <p>What the new generation holds: every edge of the base and every recent edge of positive weight up to the start,
 * parallel edges kept (so its edge count is the base's plus those, which is how a reopened log knows which of its
 * records the store already has; recent edges of weight 0, which only logs of older writers hold, are left out and
 * counted, {@link #leftOut()}); the nodes added up to the start, with the dense ids the live graph gave them; each side's id map
 * extended by their external ids (a side without a map whose nodes were all dense gets one once it has new nodes:
 * base node {@code i} keeps external id {@code i}); each feature matrix extended by a row of zeros per new node (a
 * node's content is not known from its edges: zero is the model's "no content" input, and content search scores it
 * 0); its {@link StoreLineage} (the base's fingerprint and counts, then the base's own lineage), so that what was made
 * on an earlier generation knows this one for a descendant; every other file (held-out pairs) as it was. The generation is opened and verified in full (every checksum,
 * offset and neighbour id, the id maps, the counts above) before it is published.
 *
 * <p>Cost: one pass over the base and the recent edges into {@link CsrBuilder}'s external build (its spill files and
 * bounded sort memory: no heap array indexed by edges), the id maps rebuilt through {@link IdMapWriter} (on the heap:
 * about 40 bytes per long id, more for strings), the feature matrices copied, and a verifying read of the result.
 * Before writing, the log is forced up to the start, so the store never holds an edge the log could lose.
 *
 * <p>Threading: {@link #run} once, from any one thread, while the writer appends and readers walk; it holds a lease
 * on the generation it reads, which the live graph ends when the compaction finishes or is aborted.
 */
public final class Compaction {

    /** Bytes of a mapped feature matrix handed to the writer at once (a ByteBuffer view stays under 2 GiB). */
    private static final long COPY_CHUNK = 1L << 26;

    private final LiveGraph live;
    final LiveGeneration generation;
    final long recentEdges;
    final long logPosition;
    final int pins;
    final int boards;
    private final boolean weighted;
    /** Each source's last position up to the start: what the log's cut keeps of the records it drops. */
    final Map<String, SourcePosition> sources;
    private volatile GraphStore result;
    private volatile long leftOut;
    private boolean ran;

    Compaction(LiveGraph live, LiveGeneration generation, long recentEdges, long logPosition, int pins, int boards,
               boolean weighted, Map<String, SourcePosition> sources) {
        this.live = live;
        this.generation = generation;
        this.recentEdges = recentEdges;
        this.logPosition = logPosition;
        this.pins = pins;
        this.boards = boards;
        this.weighted = weighted;
        this.sources = sources;
    }

    /** Recent edges up to its start: those it moves into the store, and the {@link #leftOut()} ones. */
    public long recentEdges() {
        return recentEdges;
    }

    /**
     * Recent edges of weight 0 that {@link #run} left out of the new generation (0 before it ran): logs written before
     * batches had to be of positive weight may hold them, and no weighted walk can take one.
     */
    public long leftOut() {
        return leftOut;
    }

    /** Edges of the base it starts from. */
    public long baseEdges() {
        return generation.baseEdges;
    }

    /** Pins of the new generation, base and new. */
    public int pins() {
        return pins;
    }

    /** Boards of the new generation, base and new. */
    public int boards() {
        return boards;
    }

    /** The published generation once {@link #run} returned, else empty. */
    public Optional<StoreGeneration> published() {
        GraphStore s = result;
        return s == null ? Optional.empty() : Optional.of(s.generation());
    }

    GraphStore result() {
        return result;
    }

    /**
     * Writes, verifies and publishes the new generation into the base store's directory, and opens it (mapped) for
     * {@link LiveGraph#finishCompaction}. A failure before the publication leaves the published store as it was.
     *
     * @param build the external build's resources (threads, shard and bucket sizes); its duplicate policy and
     *              weighting are set here (parallel edges kept; weighted if the base or a recent edge is)
     * @throws IllegalStateException if it ran before
     * @throws CorruptStoreException if the written generation does not verify
     * @throws java.nio.file.FileSystemException if another process is publishing into the store's directory
     */
    public StoreGeneration run(CsrBuildOptions build) throws IOException {
        synchronized (this) {
            if (ran) {
                throw new IllegalStateException("the compaction ran already");
            }
            ran = true;
        }
        live.awaitDurable(logPosition);
        GraphStore source = generation.store;
        StoreGeneration committed;
        long zeros;
        try (Publication p = StoreDirectory.beginPublication(source.generation().root())) {
            CsrBuilder builder = new CsrBuilder(p.directory(), p.scratchDirectory(),
                    build.withDuplicates(DuplicatePolicy.KEEP).withWeighted(weighted));
            try (CsrBuilder.Sink sink = builder.newSink()) {
                zeros = writeEdges(sink);
            }
            builder.build(pins, boards);
            for (Side side : Side.values()) {
                writeIds(side, p.directory(), p.scratchDirectory());
                Optional<FeatureMatrix> f = source.features(side);
                if (f.isPresent()) {
                    writeFeatures(f.get(), side == Side.LEFT ? pins : boards, p.directory().resolve(CsrLayout.features(side)));
                }
            }
            StoreGeneration from = source.generation();
            StoreLineage.write(p.directory(), StoreLineage.childOf(from, generation.baseNodes(Side.LEFT),
                    generation.baseNodes(Side.RIGHT), generation.baseEdges));
            for (String name : from.files().keySet()) {
                if (!CsrLayout.isAdjacency(name) && !Files.exists(p.directory().resolve(name))) {
                    Files.copy(from.file(name), p.directory().resolve(name));
                }
            }
            try (GraphStore written = GraphStore.open(p.pendingGeneration(), Residency.MAPPED)) {
                written.verify();
                BipartiteGraph g = written.graph();
                long expected = generation.baseEdges + recentEdges - zeros;
                if (g.edgeCount() != expected || g.nodeCount(Side.LEFT) != pins || g.nodeCount(Side.RIGHT) != boards) {
                    throw new CorruptStoreException(p.directory(), "holds " + g.edgeCount() + " edges, "
                            + g.nodeCount(Side.LEFT) + " pins and " + g.nodeCount(Side.RIGHT) + " boards; the compaction wrote "
                            + expected + ", " + pins + " and " + boards);
                }
            }
            committed = p.commit();
        }
        leftOut = zeros;
        result = GraphStore.open(committed, Residency.MAPPED);
        return committed;
    }

    /** Each pin's base edges, then its recent ones up to the start, in pin order; returns the weight-0 ones left out. */
    private long writeEdges(CsrBuilder.Sink sink) throws IOException {
        long zeros = 0;
        BipartiteGraph base = generation.base;
        RecentAdjacency recent = generation.leftAdj;
        int baseLeft = base.nodeCount(Side.LEFT);
        for (int u = 0; u < pins; u++) {
            if (u < baseLeft) {
                long first = base.firstEdge(Side.LEFT, u);
                for (int i = 0, d = base.degree(Side.LEFT, u); i < d; i++) {
                    add(sink, u, base.neighborAt(Side.LEFT, first + i), weighted ? base.weightAt(Side.LEFT, first + i) : 1f);
                }
            }
            if (u >= baseLeft || recent.baseHasRecent(u)) {
                long list = recent.list(u);
                for (int i = 0, d = recent.degree(u, recentEdges); i < d; i++) {
                    float w = recent.weight(list, i);
                    if (w > 0) {
                        add(sink, u, recent.neighbor(list, i), w);
                    } else {
                        zeros++; // replay admits weight 0 from older logs; the build does not
                    }
                }
            }
        }
        return zeros;
    }

    private void add(CsrBuilder.Sink sink, int left, int right, float weight) throws IOException {
        if (weighted) {
            sink.add(left, right, weight);
        } else {
            sink.add(left, right);
        }
    }

    /** The side's id map with the new nodes' external ids after the base's; none for a dense side without new nodes. */
    private void writeIds(Side side, Path dir, Path scratch) throws IOException {
        IdMap map = generation.store.ids(side).orElse(null);
        int nodes = side == Side.LEFT ? pins : boards;
        if (map == null && nodes == generation.baseNodes(side)) {
            return;
        }
        LiveIds ids = generation.ids(side);
        IdMapWriter writer = new IdMapWriter(side, map == null ? IdKind.LONG : map.kind());
        for (int u = 0; u < nodes; u++) {
            Object key = ids.external(u);
            int dense = key instanceof Long l ? writer.dense(l) : writer.dense((String) key);
            if (dense != u) {
                throw new IllegalStateException(side + " node " + u + " has the external id " + key + " of node " + dense);
            }
        }
        writer.writeTo(dir, scratch);
    }

    /** The base's rows, then a row of zeros per new node. */
    private static void writeFeatures(FeatureMatrix features, int rows, Path file) throws IOException {
        MemorySegment data = features.segment();
        long bytes = 4L * features.rows() * features.dim();
        try (StoreFileWriter w = new StoreFileWriter(file, FeatureMatrixFormat.INSTANCE, 1 << 22)) {
            for (long off = 0; off < bytes; off += COPY_CHUNK) {
                w.put(data.asSlice(off, Math.min(COPY_CHUNK, bytes - off)).asByteBuffer());
            }
            ByteBuffer zeros = ByteBuffer.allocate(4 * features.dim());
            for (int u = features.rows(); u < rows; u++) {
                w.put(zeros.clear());
            }
            w.finish(rows, features.dim(), features.side().ordinal());
        }
    }
}
