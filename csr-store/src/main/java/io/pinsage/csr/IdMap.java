package io.pinsage.csr;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One side's mapping between external ids and dense ids, both ways: external to dense through a persisted
 * Chronicle Map ({@code <side>.idmap}), dense to external through the mapped {@link IdListFormat} list
 * ({@code <side>.ids}).
 *
 * <p>Cost: {@link #dense} is a Chronicle Map lookup (~0.3 µs; it allocates a boxed key and value);
 * {@link #externalLong}/{@link #externalString} read the mapped list (O(1); the string one allocates the
 * string). Thread-safe for reading. {@link #close()} closes the Chronicle Map.
 */
public final class IdMap implements AutoCloseable {

    private final Path mapFile;
    private final MappedStoreFile list;
    private final IdKind kind;
    private final int size;
    private final ChronicleMap<Long, Integer> longMap;
    private final ChronicleMap<CharSequence, Integer> stringMap;

    static ChronicleMapBuilder<Long, Integer> longMapBuilder(int entries) {
        return ChronicleMap.of(Long.class, Integer.class).name("pinsage-ids").entries(Math.max(entries, 1));
    }

    static ChronicleMapBuilder<CharSequence, Integer> stringMapBuilder(int entries, double averageKeyBytes) {
        return ChronicleMap.of(CharSequence.class, Integer.class).name("pinsage-ids").entries(Math.max(entries, 1))
                .averageKeySize(Math.max(1, averageKeyBytes));
    }

    private IdMap(Path mapFile, MappedStoreFile list, ChronicleMap<Long, Integer> longMap, ChronicleMap<CharSequence, Integer> stringMap) {
        this.mapFile = mapFile;
        this.list = list;
        this.kind = list.header().count(IdListFormat.COUNT_KIND) == IdListFormat.KIND_LONG ? IdKind.LONG : IdKind.STRING;
        this.size = (int) list.header().count(IdListFormat.COUNT_IDS);
        this.longMap = longMap;
        this.stringMap = stringMap;
    }

    /**
     * Opens {@code side}'s id list and map from {@code generation}.
     *
     * @throws CorruptStoreException if either is missing or damaged, or the list's size is not {@code nodeCount}
     */
    public static IdMap open(StoreGeneration generation, Side side, int nodeCount, Arena arena) throws IOException {
        MappedStoreFile list = MappedStoreFile.open(generation.file(CsrLayout.idList(side)), IdListFormat.INSTANCE, arena);
        if (list.header().count(IdListFormat.COUNT_IDS) != nodeCount || list.header().count(IdListFormat.COUNT_SIDE) != side.ordinal()) {
            throw new CorruptStoreException(list.path(), "holds " + list.header().count(IdListFormat.COUNT_IDS) + " ids of side "
                    + list.header().count(IdListFormat.COUNT_SIDE) + ", the graph has " + nodeCount + " nodes on side " + side.ordinal());
        }
        Path mapFile = generation.file(CsrLayout.idMap(side));
        if (!generation.files().containsKey(CsrLayout.idMap(side))) {
            throw new CorruptStoreException(mapFile, "missing file: the id list " + list.path().getFileName() + " has no map");
        }
        int n = nodeCount;
        try {
            if (list.header().count(IdListFormat.COUNT_KIND) == IdListFormat.KIND_LONG) {
                return new IdMap(mapFile, list, longMapBuilder(n).createPersistedTo(mapFile.toFile()), null);
            }
            return new IdMap(mapFile, list, null, stringMapBuilder(n, 8).createPersistedTo(mapFile.toFile()));
        } catch (IOException | RuntimeException e) {
            throw new CorruptStoreException(mapFile, "not a readable Chronicle Map id map: " + e.getMessage(), e);
        }
    }

    public IdKind kind() {
        return kind;
    }

    public int size() {
        return size;
    }

    /** Dense id of a LONG external id, or -1 if unknown. */
    public int dense(long external) {
        requireKind(IdKind.LONG);
        Integer d = longMap.get(external);
        return d == null ? -1 : d;
    }

    /** Dense id of a STRING external id, or -1 if unknown. */
    public int dense(String external) {
        requireKind(IdKind.STRING);
        Integer d = stringMap.get(external);
        return d == null ? -1 : d;
    }

    /** External id of dense node {@code node} (LONG kind). */
    public long externalLong(int node) {
        requireKind(IdKind.LONG);
        java.util.Objects.checkIndex(node, size);
        return list.body().getAtIndex(StoreFileFormat.LONG, node);
    }

    /** External id of dense node {@code node} (STRING kind). */
    public String externalString(int node) {
        requireKind(IdKind.STRING);
        java.util.Objects.checkIndex(node, size);
        MemorySegment body = list.body();
        long from = body.getAtIndex(StoreFileFormat.LONG, node), to = body.getAtIndex(StoreFileFormat.LONG, node + 1L);
        byte[] bytes = body.asSlice(8L * (size + 1) + from, to - from).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** External id of {@code node} as text, whatever the kind. */
    public String external(int node) {
        return kind == IdKind.LONG ? Long.toString(externalLong(node)) : externalString(node);
    }

    private void requireKind(IdKind k) {
        if (kind != k) {
            throw new IllegalArgumentException("kind=" + k + ": this id map holds " + kind + " ids");
        }
    }

    /**
     * Checks the list's checksum and that map and list agree on every id. Cost: one map lookup per node.
     *
     * @throws CorruptStoreException naming the map or list on the first disagreement
     */
    public void verify() throws CorruptStoreException {
        list.verifyChecksum();
        long mapSize = kind == IdKind.LONG ? longMap.longSize() : stringMap.longSize();
        if (mapSize != size) {
            throw new CorruptStoreException(mapFile, "holds " + mapSize + " ids, the id list " + size);
        }
        for (int u = 0; u < size; u++) {
            int d = kind == IdKind.LONG ? dense(externalLong(u)) : dense(externalString(u));
            if (d != u) {
                throw new CorruptStoreException(mapFile, "maps external id " + external(u) + " to " + d + ", the id list says " + u);
            }
        }
    }

    @Override
    public void close() {
        if (longMap != null) {
            longMap.close();
        }
        if (stringMap != null) {
            stringMap.close();
        }
    }
}
