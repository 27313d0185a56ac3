package io.pinsage.csr;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One side's mapping between external ids and dense ids, both ways, read in place from two mapped files: external
 * to dense through the hash table {@code <side>.idmap} ({@link IdMapFormat}), dense to external through the id
 * list {@code <side>.ids} ({@link IdListFormat}), which the table's lookups also read to confirm a match.
 *
 * <p>Cost: {@link #open} maps both files and checks their headers (no body is read: milliseconds at any size).
 * {@link #dense(long)} is O(1) expected (two probes on average, then one read of the list) and allocates nothing;
 * {@link #dense(String)} also encodes the string to UTF-8 and compares bytes. {@link #externalLong} and
 * {@link #externalString} read the list (O(1); the string one allocates the string).
 *
 * <p>Threading: immutable; any number of threads may read. The mappings belong to the arena passed to
 * {@link #open}; reads after it closes throw {@link IllegalStateException}.
 */
public final class IdMap {

    private final MappedStoreFile list;
    private final MappedStoreFile table;
    private final MemorySegment listBody;
    private final MemorySegment slots;
    private final long slotCount;
    private final long stringBytesOffset;
    private final IdKind kind;
    private final int size;

    private IdMap(MappedStoreFile list, MappedStoreFile table) {
        this.list = list;
        this.table = table;
        this.listBody = list.body();
        this.slots = table.body();
        this.slotCount = table.header().count(IdMapFormat.COUNT_SLOTS);
        this.kind = list.header().count(IdListFormat.COUNT_KIND) == IdListFormat.KIND_LONG ? IdKind.LONG : IdKind.STRING;
        this.size = (int) list.header().count(IdListFormat.COUNT_IDS);
        this.stringBytesOffset = IdListFormat.stringBytesOffset(size);
    }

    /**
     * Opens {@code side}'s id list and table from {@code generation}.
     *
     * @throws CorruptStoreException if either is missing or damaged, if they disagree with each other or with the
     *                               graph's {@code nodeCount}, or if the table is a Chronicle Map written by an
     *                               older build (the message asks to rebuild the store)
     */
    public static IdMap open(StoreGeneration generation, Side side, int nodeCount, Arena arena) throws IOException {
        MappedStoreFile list = MappedStoreFile.open(generation.file(CsrLayout.idList(side)), IdListFormat.INSTANCE, arena);
        FileHeader lh = list.header();
        if (lh.count(IdListFormat.COUNT_IDS) != nodeCount || lh.count(IdListFormat.COUNT_SIDE) != side.ordinal()) {
            throw new CorruptStoreException(list.path(), "holds " + lh.count(IdListFormat.COUNT_IDS) + " ids of side "
                    + lh.count(IdListFormat.COUNT_SIDE) + ", the graph has " + nodeCount + " nodes on side " + side.ordinal());
        }
        Path tableFile = generation.file(CsrLayout.idMap(side));
        if (!generation.files().containsKey(CsrLayout.idMap(side))) {
            throw new CorruptStoreException(tableFile, "missing file: the id list " + list.path().getFileName() + " has no map");
        }
        MappedStoreFile table = openTable(tableFile, arena);
        FileHeader th = table.header();
        if (th.count(IdMapFormat.COUNT_IDS) != lh.count(IdListFormat.COUNT_IDS)
                || th.count(IdMapFormat.COUNT_KIND) != lh.count(IdListFormat.COUNT_KIND)
                || th.count(IdMapFormat.COUNT_SIDE) != side.ordinal()) {
            throw new CorruptStoreException(tableFile, "holds " + th.count(IdMapFormat.COUNT_IDS) + " ids of kind "
                    + th.count(IdMapFormat.COUNT_KIND) + " of side " + th.count(IdMapFormat.COUNT_SIDE) + ", the id list "
                    + list.path().getFileName() + " " + lh.count(IdListFormat.COUNT_IDS) + " of kind "
                    + lh.count(IdListFormat.COUNT_KIND) + " of side " + side.ordinal());
        }
        return new IdMap(list, table);
    }

    private static MappedStoreFile openTable(Path file, Arena arena) throws IOException {
        try {
            return MappedStoreFile.open(file, IdMapFormat.INSTANCE, arena);
        } catch (CorruptStoreException e) {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(IdMapFormat.SNIFF_BYTES);
            } catch (IOException unreadable) {
                throw e;
            }
            if (IdMapFormat.looksLikeChronicleMap(head)) {
                throw new CorruptStoreException(file, "a Chronicle Map id map written by an older build; this build reads "
                        + IdMapFormat.CODEC + " files only: rebuild the store from its edge lists (pinsage build)", e);
            }
            throw e;
        }
    }

    public IdKind kind() {
        return kind;
    }

    public int size() {
        return size;
    }

    /** Slots of the hash table ({@link IdMapFormat}); {@code size() / slots()} is its load. */
    public long slots() {
        return slotCount;
    }

    /** Dense id of a LONG external id, or -1 if unknown. O(1) expected; allocates nothing. */
    public int dense(long external) {
        requireKind(IdKind.LONG);
        return find(IdMapFormat.hashLong(external), external, null, 0, 0);
    }

    /** Dense id of a STRING external id, or -1 if unknown. O(length) expected. */
    public int dense(String external) {
        requireKind(IdKind.STRING);
        byte[] utf8 = external.getBytes(StandardCharsets.UTF_8);
        MemorySegment key = MemorySegment.ofArray(utf8);
        return find(IdMapFormat.hashBytes(key, 0, utf8.length), 0, key, 0, utf8.length);
    }

    /**
     * Walks the table from the home slot of {@code hash} to the key's slot or an empty one. The key is
     * {@code longKey} for LONG ids, the bytes {@code [offset, offset + length)} of {@code bytes} for STRING ids.
     * A slot naming a dense id outside the list (a damaged table) matches nothing.
     */
    private int find(long hash, long longKey, MemorySegment bytes, long offset, long length) {
        int tag = IdMapFormat.hashTag(hash);
        long s = IdMapFormat.home(hash, slotCount);
        for (long probes = 0; probes < slotCount; probes++, s = IdMapFormat.next(s, slotCount)) {
            long slot = slots.get(StoreFileFormat.LONG, IdMapFormat.slotOffset(s));
            int d = IdMapFormat.slotDense(slot);
            if (d == IdMapFormat.EMPTY) {
                return -1;
            }
            if (IdMapFormat.slotTag(slot) == tag && d >= 0 && d < size
                    && (bytes == null ? listBody.getAtIndex(StoreFileFormat.LONG, d) == longKey : sameBytes(d, bytes, offset, length))) {
                return d;
            }
        }
        return -1;
    }

    private boolean sameBytes(int node, MemorySegment bytes, long offset, long length) {
        long from = stringStart(node), to = stringStart(node + 1);
        return to - from == length && MemorySegment.mismatch(listBody, from, to, bytes, offset, offset + length) < 0;
    }

    /** Offset within the list's body of node {@code node}'s UTF-8 bytes; {@code node == size} gives the end. */
    private long stringStart(int node) {
        return stringBytesOffset + listBody.getAtIndex(StoreFileFormat.LONG, node);
    }

    /** External id of dense node {@code node} (LONG kind). */
    public long externalLong(int node) {
        requireKind(IdKind.LONG);
        Objects.checkIndex(node, size);
        return listBody.getAtIndex(StoreFileFormat.LONG, node);
    }

    /** External id of dense node {@code node} (STRING kind). */
    public String externalString(int node) {
        requireKind(IdKind.STRING);
        Objects.checkIndex(node, size);
        long from = stringStart(node), to = stringStart(node + 1);
        return new String(listBody.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
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
     * Checks both files' checksums, that the table holds exactly the list's ids and that each of them leads to
     * its own dense id. Cost: a sequential read of both files and one lookup per node.
     *
     * @throws CorruptStoreException naming the table or list at the first damage found
     */
    public void verify() throws CorruptStoreException {
        list.verifyChecksum();
        table.verifyChecksum();
        long occupied = 0;
        for (long s = 0; s < slotCount; s++) {
            int d = IdMapFormat.slotDense(slots.get(StoreFileFormat.LONG, IdMapFormat.slotOffset(s)));
            if (d != IdMapFormat.EMPTY && (d < 0 || d >= size)) {
                throw new CorruptStoreException(table.path(), "slot " + s + " holds dense id " + d + ", the id list has " + size);
            }
            occupied += d == IdMapFormat.EMPTY ? 0 : 1;
        }
        if (occupied != size) {
            throw new CorruptStoreException(table.path(), "holds " + occupied + " ids, the id list " + size);
        }
        for (int u = 0; u < size; u++) {
            int d;
            if (kind == IdKind.LONG) {
                d = dense(externalLong(u));
            } else {
                long from = stringStart(u), length = stringStart(u + 1) - from;
                d = find(IdMapFormat.hashBytes(listBody, from, length), 0, listBody, from, length);
            }
            if (d != u) {
                throw new CorruptStoreException(table.path(), "maps external id " + external(u) + " to " + d
                        + ", the id list says " + u);
            }
        }
    }
}
