package io.pinsage.bench;

import io.pinsage.csr.CsrLayout;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.MappedCsrGraph;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreGeneration;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Object2IntHashMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Id maps of stores built beforehand with {@code pinsage build} (or {@code pinsage generate}, for a store without
 * id maps). {@code openStore}: the first {@code GraphStore.open} of {@code openStore} in a fresh JVM, the cost every
 * command pays (compare a store with id maps against one without). {@code openIdMaps}: the first opening of the id
 * maps of {@code openStore} in a fresh JVM whose graph is already open, the id maps' own cost beyond mapping the
 * graph (nothing for a store without them). {@code lookup}: external to dense lookups of existing left ids of
 * {@code lookupStore} in random order on one thread, {@code via} its id map or, for the same keys, the peer:
 * Agrona's on-heap hash maps, the in-memory ceiling (a String caches its hash code, which favours the peer). Uses
 * only public API that older builds have too, so the same source measures either build.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xmx3g", "--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class IdMapBenchmark {

    private static final int KEYS = 1 << 20;
    private static final int BATCH = 1024;

    /** A store opened once per fresh JVM. */
    @State(Scope.Benchmark)
    public static class Cold {
        @Param({""})
        public String openStore;
    }

    /** The graph of {@link Cold#openStore} open, its id maps not yet: what {@code openIdMaps} adds is theirs alone. */
    @State(Scope.Benchmark)
    public static class GraphOpened {
        StoreGeneration generation;
        MappedCsrGraph graph;
        final Arena arena = Arena.ofShared();

        @Setup(Level.Trial)
        public void setUp(Cold c) throws IOException {
            generation = StoreDirectory.openCurrent(Path.of(c.openStore));
            graph = MappedCsrGraph.open(generation, Residency.MAPPED);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            graph.close();
            arena.close();
        }
    }

    /** A store held open, with random existing left ids to look up in its id map or in the heap peer. */
    @State(Scope.Thread)
    public static class Lookups {
        @Param({""})
        public String lookupStore;

        @Param({"idMap", "heapPeer"})
        public String via;

        GraphStore store;
        IdMap map;
        long[] longKeys;
        String[] stringKeys;
        Long2LongHashMap heapLongs;
        Object2IntHashMap<String> heapStrings;
        boolean longs;
        boolean heap;
        int next;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            store = GraphStore.open(Path.of(lookupStore));
            map = store.ids(Side.LEFT).orElseThrow(() -> new IllegalArgumentException("lookupStore=" + lookupStore
                    + ": the store has no id maps; build it with pinsage build --ids long|string"));
            SplittableRandom rnd = new SplittableRandom(5);
            longs = map.kind() == IdKind.LONG;
            heap = via.equals("heapPeer");
            longKeys = new long[KEYS];
            stringKeys = new String[KEYS];
            for (int i = 0; i < KEYS; i++) {
                int d = rnd.nextInt(map.size());
                if (longs) {
                    longKeys[i] = map.externalLong(d);
                } else {
                    stringKeys[i] = map.externalString(d);
                }
            }
            heapLongs = new Long2LongHashMap(-1);
            heapStrings = new Object2IntHashMap<>(-1);
            for (int d = 0; heap && d < map.size(); d++) {
                if (longs) {
                    heapLongs.put(map.externalLong(d), d);
                } else {
                    heapStrings.put(map.externalString(d), d);
                }
            }
        }

        /** Dense id of key {@code k}. */
        int dense(int k) {
            if (heap) {
                return longs ? (int) heapLongs.get(longKeys[k]) : heapStrings.getValue(stringKeys[k]);
            }
            return longs ? map.dense(longKeys[k]) : map.dense(stringKeys[k]);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            store.close();
        }
    }

    @Benchmark
    public int openStore(Cold c) throws IOException {
        try (GraphStore s = GraphStore.open(Path.of(c.openStore))) {
            return s.ids(Side.LEFT).map(IdMap::size).orElse(0);
        }
    }

    @Benchmark
    public int openIdMaps(GraphOpened g) throws IOException {
        int ids = 0;
        for (Side side : Side.values()) {
            if (g.generation.files().containsKey(CsrLayout.idList(side))) {
                ids += IdMap.open(g.generation, side, g.graph.nodeCount(side), g.arena).size();
            }
        }
        return ids;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 2)
    @Fork(1)
    @OperationsPerInvocation(BATCH)
    public long lookup(Lookups l) {
        long sum = 0;
        int at = l.next;
        for (int i = 0; i < BATCH; i++) {
            sum += l.dense((at + i) & (KEYS - 1));
        }
        l.next = at + BATCH;
        return sum;
    }
}
