package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A walk-oriented copy of a graph's adjacency, 4 bytes per slot, in which a uniform walk hop is one dependent
 * random read instead of CSR's two.
 *
 * <p>In CSR a hop from {@code u} reads u's offsets (first edge and degree), draws an edge, then reads the
 * neighbour id at that edge: two dependent cache misses. The table lays each side out again with its nodes in
 * ascending degree (ties by id): node u's range of slots starts at its <em>key</em>, and slot {@code key(u) + i}
 * holds the key of u's i-th neighbour on the other side. Because nodes of one degree are contiguous, a key alone
 * gives the degree: a side has only a few thousand distinct degrees, each one run of keys, and an index of at
 * most 2<sup>15</sup> buckets (128 KiB, cache-resident) gives any key's degree in two cached reads without a
 * branch ({@link Layout}). A walker therefore carries only its node's key, draws an
 * edge inside the key's range and reads the slot, which is the next node's key.
 *
 * <p>Keys are unique among the nodes with edges of a side; the walkers count visits by key and only the few
 * nodes reported are turned back into ids ({@link #node}). Keys order nodes by (degree, id): where a key
 * order breaks ties, the node of lower degree wins, the one whose visits are the larger share of its edges.
 *
 * <p>Why 4 bytes: a billion-edge walk reads its slots at random, and a random read costs more once the memory it
 * spans outgrows what the processor's TLB maps (on the 2-core bench machine, with 2 MiB pages, 256 chains read
 * 203 M/s over 4 GiB, 115 M/s over 8 GiB and 61 M/s over 15 GiB). Halving the slots halves the span.
 *
 * <p>Cost: 8 bytes per edge (4 per edge and direction), plus the padding that places the runs (4% at a billion
 * power-law edges), plus 8 bytes per node (id-to-key and key-to-id arrays), on the heap, next to the graph it was
 * built from, which it keeps. Building sorts each side's nodes by degree and reads every edge once with a random
 * read of the other side's keys, in parallel over the common fork-join pool (seconds per hundred million edges).
 * Each side, padding included, must fit one Java array: fewer than 2<sup>31</sup> − 8 slots.
 *
 * <p>Weighted walks: {@link #weighted} adds, per slot, the node's alias table entry ({@link WeightedEdgeChooser}'s
 * Vose construction, in slot order: a 32-bit threshold and the alias's offset in the node's run), 8 bytes per slot
 * and side. A weighted hop draws a slot as the uniform one does, reads its entry, keeps the slot or takes its alias
 * by a 32-bit coin, then reads the slot: two dependent reads per hop instead of CSR's three (offsets, alias entry,
 * neighbour). (Records holding both neighbours' keys and the threshold, one read per hop, were tried: at 12 bytes
 * per slot they were no faster, the walk's hot slots then filling three times the cache.)
 *
 * <p>Immutable once built and safe to read from any number of threads. The graph must not change afterwards.
 * Building checks every neighbour id (within the other side, and a node with edges) and throws the graph's
 * {@link BipartiteGraph#corruptNeighbor} for the first that is not: for a store, an
 * {@link java.io.UncheckedIOException} around a {@code CorruptStoreException} naming the shard.
 */
public final class WalkTable {

    /** Edges a side may hold: the largest Java array. */
    public static final long MAX_EDGES = Integer.MAX_VALUE - 8;

    private static final int CHUNK = 1 << 16;

    private final BipartiteGraph graph;
    private final Layout[] layouts = new Layout[2];
    private final int[][] slots = new int[2][];
    /** Per side, per slot: the alias entry of a weighted table; null for a uniform one. */
    private final long[][] aliases;

    private WalkTable(BipartiteGraph graph, int maxBuckets, boolean weighted) {
        this.graph = graph;
        for (Side side : Side.values()) {
            layouts[side.ordinal()] = Layout.of(graph, side, maxBuckets);
        }
        for (Side side : Side.values()) {
            slots[side.ordinal()] = fill(graph, side, layouts[side.ordinal()], layouts[side.opposite().ordinal()]);
        }
        aliases = weighted ? new long[][] {aliases(graph, Side.LEFT), aliases(graph, Side.RIGHT)} : null;
    }

    /**
     * Builds the table of {@code graph}.
     *
     * @throws IllegalArgumentException if the graph has more than {@link #MAX_EDGES} edges, or a side padded to
     *                                  align its runs would not fit one Java array
     */
    public static WalkTable of(BipartiteGraph graph) {
        return of(graph, Layout.MAX_BUCKETS);
    }

    /** As {@link #of(BipartiteGraph)} with at most {@code maxBuckets} buckets per side (tests: wide buckets). */
    static WalkTable of(BipartiteGraph graph, int maxBuckets) {
        return build(graph, maxBuckets, false);
    }

    /**
     * Builds the table of {@code graph} for walks that follow edges in proportion to their weights
     * ({@link BipartiteGraph#weightAt}), as {@link WeightedEdgeChooser} does on the graph. A node whose weights sum to
     * zero is walked uniformly. Cost: 8 bytes per slot and side more than {@link #of}, built in parallel.
     *
     * @throws IllegalArgumentException if the graph has no edge weights, or as {@link #of}
     */
    public static WalkTable weighted(BipartiteGraph graph) {
        Objects.requireNonNull(graph, "graph");
        if (!graph.hasWeights()) {
            throw new IllegalArgumentException("the graph has no edge weights: a weighted walk table needs them"
                    + " (WalkTable.of walks uniformly)");
        }
        return build(graph, Layout.MAX_BUCKETS, true);
    }

    private static WalkTable build(BipartiteGraph graph, int maxBuckets, boolean weighted) {
        Objects.requireNonNull(graph, "graph");
        if (graph.edgeCount() > MAX_EDGES) {
            throw new IllegalArgumentException("edges=" + graph.edgeCount() + ": a walk table holds each side in one "
                    + "Java array, at most " + MAX_EDGES + " edges");
        }
        return new WalkTable(graph, maxBuckets, weighted);
    }

    /**
     * Bytes a table of {@code graph} takes, about: {@link #bytes()} before building it, less the runs' padding
     * (a few percent of the slots).
     */
    public static long bytesFor(BipartiteGraph graph) {
        return 8L * graph.edgeCount() + 8L * ((long) graph.nodeCount(Side.LEFT) + graph.nodeCount(Side.RIGHT));
    }

    /**
     * Whether a table of {@code graph} can be built (at most {@link #MAX_EDGES} edges) and takes at most a quarter
     * of the heap still free: the policy of the commands that build one on their own.
     */
    public static boolean fitsHeap(BipartiteGraph graph) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return graph.edgeCount() <= MAX_EDGES && bytesFor(graph) <= free / 4;
    }

    private static int[] fill(BipartiteGraph graph, Side side, Layout here, Layout there) {
        int[] table = new int[here.length];
        int nodes = here.ids.length;
        int chunks = (nodes + CHUNK - 1) / CHUNK;
        int[] keysThere = there.keyOf;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            for (int r = c * CHUNK, end = Math.min(nodes, r + CHUNK); r < end; r++) {
                int u = here.ids[r];
                int key = here.keyOf[u];
                long first = graph.firstEdge(side, u);
                for (int i = 0, d = graph.degree(side, u); i < d; i++) {
                    // Every id is checked here, once, so that walks can read the slots unchecked: a neighbour
                    // outside the side, or one without edges (no key), would send a walker off the table.
                    int v = graph.neighborAt(side, first + i);
                    int k = v >= 0 && v < keysThere.length ? keysThere[v] : -1;
                    if (k < 0) {
                        throw graph.corruptNeighbor(side, first + i, v >= 0 && v < keysThere.length
                                ? "has no edges of its own" : "lies outside [0, " + keysThere.length + ")");
                    }
                    table[key + i] = k;
                }
            }
        });
        return table;
    }

    /** Each slot's alias entry for {@code side}: node by node in chunks over the common fork-join pool. */
    private long[] aliases(BipartiteGraph graph, Side side) {
        Layout here = layouts[side.ordinal()];
        long[] alias = new long[here.length];
        int nodes = here.ids.length;
        IntStream.range(0, (nodes + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
            int from = c * CHUNK;
            int to = Math.min(nodes, from + CHUNK);
            int widest = 1;
            for (int r = from; r < to; r++) {
                widest = Math.max(widest, graph.degree(side, here.ids[r]));
            }
            double[] scaled = new double[widest];
            int[] small = new int[widest];
            int[] large = new int[widest];
            for (int r = from; r < to; r++) {
                int u = here.ids[r];
                WeightedEdgeChooser.build(graph, side, graph.firstEdge(side, u), graph.degree(side, u), alias,
                        here.keyOf[u], scaled, small, large);
            }
        });
        return alias;
    }

    /** Whether walks on this table follow the edge weights ({@link #weighted}). */
    public boolean isWeighted() {
        return aliases != null;
    }

    /** Side {@code side}'s alias entries by slot, or null for a uniform table. */
    long[] aliases(Side side) {
        return aliases == null ? null : aliases[side.ordinal()];
    }

    /** The graph this table was built from. */
    public BipartiteGraph graph() {
        return graph;
    }

    /**
     * The key of {@code node} on {@code side}: where its slots start. Unique among the side's nodes with edges;
     * −1 for a node without edges, which no walk reaches. O(1).
     */
    public int key(Side side, int node) {
        return layouts[side.ordinal()].keyOf[node];
    }

    /**
     * The degree of the node on {@code side} whose key is {@code key}; the key must be one ({@link #key}). One read
     * of a cache-resident index, no read of the graph.
     */
    public int degree(Side side, int key) {
        return layouts[side.ordinal()].degree(key);
    }

    /**
     * The node on {@code side} whose key is {@code key}, for turning the few reported keys back into ids: a binary
     * search among the side's runs (a few thousand, cache-resident) and one read of a key-to-id array.
     *
     * @throws IllegalArgumentException if no node with edges has this key
     */
    public int node(Side side, int key) {
        Layout layout = layouts[side.ordinal()];
        if (key >= 0 && key < layout.length && layout.runStart.length > 0) {
            int run = layout.run(key);
            int offset = key - layout.runStart[run];
            int degree = layout.runDegree[run];
            int rank = layout.runRank[run] + offset / degree;
            int end = run + 1 < layout.runRank.length ? layout.runRank[run + 1] : layout.ids.length;
            if (offset % degree == 0 && rank < end) {
                return layout.ids[rank];
            }
        }
        throw new IllegalArgumentException("key=" + key + ": no node on " + side + " with edges starts there");
    }

    /** Side {@code side}'s slots, indexed by position: the key of the neighbour at that position. */
    int[] slots(Side side) {
        return slots[side.ordinal()];
    }

    /** Side {@code side}'s key layout, for the walkers' degree lookups. */
    Layout layout(Side side) {
        return layouts[side.ordinal()];
    }

    /** Bytes of slots, the memory walks read at random: 8 bytes per edge and the runs' padding. */
    public long slotBytes() {
        return 4L * ((long) slots[0].length + slots[1].length);
    }

    /** Bytes held by the table: slots, alias entries if weighted, key arrays and the degree index (not the graph). */
    public long bytes() {
        long bytes = slotBytes() * (aliases == null ? 1 : 3);
        for (Layout layout : layouts) {
            bytes += 4L * ((long) layout.keyOf.length + layout.ids.length + layout.bucket.length
                    + 3L * layout.runStart.length);
        }
        return bytes;
    }

    /**
     * One side's nodes with edges in ascending degree, ties by id, and the index that gives a key's degree.
     *
     * <p>Nodes of degree d form one <em>run</em>: run j starts at key {@code runStart[j]} and holds nodes of degree
     * {@code runDegree[j]} whose ranks (positions in {@code ids}) start at {@code runRank[j]}. The keys are cut into
     * {@code 2^shift}-wide buckets, and runs are placed so that no bucket meets more than two: a run that would be
     * the second to start inside a bucket starts at the next bucket instead, leaving padding slots that no key
     * points into (on the generator's power-law graphs 0.9% of the slots at 200 M edges, 7% at 600 M and 4% at
     * 1 B). The buckets are as narrow as the limit on their count allows, widened again if the padding pushes the
     * count past it. Bucket b's index entry holds the first run j it meets (high 16 bits) and
     * where the next run starts inside it less one ({@code split - 1}, low 16 bits; the bucket width less one if
     * nowhere, so buckets up to 2<sup>16</sup> slots wide fit), so {@link #degree} is
     * {@code runDegree[j + (offset >= split ? 1 : 0)]}: two cache-resident reads and arithmetic, no branch.
     */
    static final class Layout {
        /**
         * Buckets per side at most, so that both sides' index entries (128 KiB each) stay in the core's L2 cache
         * while walks stream the slots through it: an index four times larger (1 MiB per side) fell out of it and
         * cost a billion-edge walk a third of its rate.
         */
        static final int MAX_BUCKETS = 1 << 15;
        /** Widest bucket: its split less one, up to the width less one, must fit 16 bits. */
        private static final int MAX_SHIFT = 16;

        /** Slots of the side, padding included: keys lie below it. */
        final int length;
        final int[] keyOf;
        final int[] ids;
        final int[] runStart;
        final int[] runDegree;
        final int[] runRank;
        final int shift;
        final int[] bucket;

        private Layout(int length, int[] keyOf, int[] ids, int[] runStart, int[] runDegree, int[] runRank, int shift) {
            this.length = length;
            this.keyOf = keyOf;
            this.ids = ids;
            this.runStart = runStart;
            this.runDegree = runDegree;
            this.runRank = runRank;
            this.shift = shift;
            long width = 1L << shift;
            bucket = new int[(int) ((length + width - 1) >>> shift)];
            for (int b = 0, j = 0; b < bucket.length; b++) {
                long first = (long) b << shift;
                while (j + 1 < runStart.length && runStart[j + 1] <= first) {
                    j++;
                }
                long split = j + 1 < runStart.length ? Math.min(width, runStart[j + 1] - first) : width;
                bucket[b] = j << 16 | (int) (split - 1);
            }
        }

        /**
         * @param side       which side of {@code graph} to lay out
         * @param maxBuckets the most buckets the index may have (tests pass fewer to make buckets wide)
         * @throws IllegalArgumentException if the padded side would not fit one Java array
         */
        static Layout of(BipartiteGraph graph, Side side, int maxBuckets) {
            int nodes = graph.nodeCount(side);
            // Sort (degree, id) pairs of the nodes with edges; nodes without edges get no key.
            long[] order = IntStream.range(0, nodes).parallel().filter(u -> graph.degree(side, u) > 0)
                    .mapToLong(u -> (long) graph.degree(side, u) << 32 | u).toArray();
            Arrays.parallelSort(order);
            int runs = 0;
            for (int r = 0; r < order.length; r++) {
                if (r == 0 || order[r] >>> 32 != order[r - 1] >>> 32) {
                    runs++;
                }
            }
            // At most 65,535 distinct degrees fit 2^31 edges (1 + 2 + ... + d), so a run index fits 16 bits.
            long edges = graph.edgeCount();
            int shift = 0;
            while (shift < MAX_SHIFT && (edges + (1L << shift) - 1) >>> shift > maxBuckets) {
                shift++;
            }
            int[] runStart = new int[runs];
            int[] runDegree = new int[runs];
            int[] runRank = new int[runs];
            int[] keyOf = new int[nodes];
            Arrays.fill(keyOf, -1);
            int[] ids = new int[order.length];
            long key = place(order, shift, runStart, runDegree, runRank, keyOf, ids);
            // The padding can push the bucket count past the limit: wider buckets then, while there are any.
            while (shift < MAX_SHIFT && (key + (1L << shift) - 1) >>> shift > maxBuckets) {
                key = place(order, ++shift, runStart, runDegree, runRank, keyOf, ids);
            }
            if (key > MAX_EDGES) {
                throw new IllegalArgumentException("edges=" + edges + " on side " + side + ": with its runs placed "
                        + "two to a " + (1L << shift) + "-slot bucket at most, the side needs over " + MAX_EDGES
                        + " slots, more than one Java array holds");
            }
            return new Layout((int) key, keyOf, ids, runStart, runDegree, runRank, shift);
        }

        /**
         * Places the runs of {@code order} ((degree, id) pairs, sorted) in buckets of {@code 2^shift} slots, filling
         * the run and key arrays.
         *
         * @return the slots used, padding included; over {@link #MAX_EDGES} if they do not fit one array (the arrays
         *         are then only partly filled)
         */
        private static long place(long[] order, int shift, int[] runStart, int[] runDegree, int[] runRank,
                                  int[] keyOf, int[] ids) {
            long mask = (1L << shift) - 1;
            long key = 0;
            long bucketOfSplit = -1; // the bucket in which a run last started other than at its first slot
            for (int r = 0, j = -1; r < order.length; r++) {
                int degree = (int) (order[r] >>> 32);
                if (j < 0 || degree != runDegree[j]) {
                    j++;
                    if ((key & mask) != 0) {
                        if (key >>> shift == bucketOfSplit) {
                            key = (key | mask) + 1; // a third run in this bucket: start the next one
                        } else {
                            bucketOfSplit = key >>> shift;
                        }
                    }
                    if (key > MAX_EDGES) {
                        break;
                    }
                    runStart[j] = (int) key;
                    runDegree[j] = degree;
                    runRank[j] = r;
                }
                int u = (int) order[r];
                ids[r] = u;
                keyOf[u] = (int) key;
                key += degree;
            }
            return key;
        }

        /** The run holding {@code key}, {@code 0 <= key < length}: the last one starting at or before it. */
        int run(int key) {
            int lo = 0;
            int hi = runStart.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (runStart[mid] <= key) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        /** The degree of the node whose key is {@code key}: the walkers' lookup, written out in their loop. */
        int degree(int key) {
            return degree(bucket, runDegree, shift, key);
        }

        /**
         * The degree at {@code key} from a layout's {@code bucket} and {@code runDegree} arrays: the bucket's first
         * run, or the next one where the key lies at or past the bucket's split. Branch-free.
         */
        static int degree(int[] bucket, int[] runDegree, int shift, int key) {
            int entry = bucket[key >>> shift];
            int offset = key & ((1 << shift) - 1);
            return runDegree[(entry >>> 16) + (((entry & 0xFFFF) - offset) >>> 31)];
        }
    }
}
