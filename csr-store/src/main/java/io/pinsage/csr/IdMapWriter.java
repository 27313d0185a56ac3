package io.pinsage.csr;

import io.pinsage.csr.format.FileWrites;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreFileWriter;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.Object2IntHashMap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Assigns dense ids to one side's external ids in order of first appearance, then persists both directions:
 * the reverse list ({@link IdListFormat}) and the forward hash table ({@link IdMapFormat}). Assignment uses
 * Agrona's primitive hash maps on the heap (about 40 bytes per LONG id, more for strings): the node count, unlike
 * the edge count, fits the heap for the graphs this targets; inputs with more nodes should arrive with dense ids
 * ({@link IdKind#DENSE}). Persisting adds no heap: the table is built in a mapped scratch file.
 *
 * <p>Not thread-safe: one ingest thread.
 */
public final class IdMapWriter {

    /** Bytes of the scratch table handed to the framed writer at once; a ByteBuffer view must stay under 2 GiB. */
    private static final long COPY_CHUNK = 1L << 26;

    private final Side side;
    private final IdKind kind;
    private final Long2LongHashMap longIds;
    private final LongArrayList longList;
    private final Object2IntHashMap<String> stringIds;
    private final List<String> stringList;
    private long stringBytes;

    public IdMapWriter(Side side, IdKind kind) {
        if (kind == IdKind.DENSE) {
            throw new IllegalArgumentException("kind=DENSE: dense ids need no map");
        }
        this.side = side;
        this.kind = kind;
        this.longIds = kind == IdKind.LONG ? new Long2LongHashMap(-1) : null;
        this.longList = kind == IdKind.LONG ? new LongArrayList() : null;
        this.stringIds = kind == IdKind.STRING ? new Object2IntHashMap<>(-1) : null;
        this.stringList = kind == IdKind.STRING ? new ArrayList<>() : null;
    }

    public IdKind kind() {
        return kind;
    }

    /** Number of ids assigned so far. */
    public int size() {
        return kind == IdKind.LONG ? longList.size() : stringList.size();
    }

    /** The dense id of {@code external}, assigning the next one on first sight. O(1) expected. */
    public int dense(long external) {
        long d = longIds.get(external);
        if (d < 0) {
            d = longList.size();
            checkRoom();
            longIds.put(external, d);
            longList.addLong(external);
        }
        return (int) d;
    }

    /** The dense id of {@code external}, assigning the next one on first sight. O(length) expected. */
    public int dense(String external) {
        int d = stringIds.getValue(external);
        if (d < 0) {
            d = stringList.size();
            checkRoom();
            stringIds.put(external, d);
            stringList.add(external);
            stringBytes += external.getBytes(StandardCharsets.UTF_8).length;
        }
        return d;
    }

    /** The dense id already assigned to {@code text} (parsed as this map's kind), or -1. */
    public int find(String text) {
        if (kind == IdKind.STRING) {
            return stringIds.getValue(text);
        }
        try {
            return (int) longIds.get(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void checkRoom() {
        if (size() == Integer.MAX_VALUE) {
            throw new IllegalArgumentException(side + " side has more than 2^31 - 1 distinct ids");
        }
    }

    /**
     * Writes {@code dir/<side>.ids} and {@code dir/<side>.idmap}. The hash table is filled in a mapped temporary
     * file in {@code scratch} (deleted before this returns), so it takes no heap however many ids there are, then
     * copied into its framed file.
     */
    public void writeTo(Path dir, Path scratch) throws IOException {
        int n = size();
        try (StoreFileWriter w = new StoreFileWriter(dir.resolve(CsrLayout.idList(side)), IdListFormat.INSTANCE)) {
            if (kind == IdKind.LONG) {
                for (int i = 0; i < n; i++) {
                    w.putLong(longList.getLong(i));
                }
                w.finish(n, IdListFormat.KIND_LONG, side.ordinal(), 0);
            } else {
                long start = 0;
                w.putLong(0);
                for (String s : stringList) {
                    start += s.getBytes(StandardCharsets.UTF_8).length;
                    w.putLong(start);
                }
                for (String s : stringList) {
                    w.put(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
                }
                w.finish(n, IdListFormat.KIND_STRING, side.ordinal(), stringBytes);
            }
        }
        writeTable(dir.resolve(CsrLayout.idMap(side)), scratch.resolve(CsrLayout.idMap(side) + ".slots"));
    }

    private void writeTable(Path file, Path slotsFile) throws IOException {
        int n = size();
        long slotCount = IdMapFormat.slotsFor(n);
        long bytes = IdMapFormat.slotOffset(slotCount);
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(slotsFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                     StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE)) {
            // zeros (all slots empty), written rather than left to the mapping so that a full disk fails here
            FileWrites.allocate(ch, bytes, slotsFile);
            MemorySegment slots = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            for (int d = 0; d < n; d++) {
                long hash;
                if (kind == IdKind.LONG) {
                    hash = IdMapFormat.hashLong(longList.getLong(d));
                } else {
                    byte[] utf8 = stringList.get(d).getBytes(StandardCharsets.UTF_8);
                    hash = IdMapFormat.hashBytes(MemorySegment.ofArray(utf8), 0, utf8.length);
                }
                long s = IdMapFormat.home(hash, slotCount);
                while (IdMapFormat.slotDense(slots.get(StoreFileFormat.LONG, IdMapFormat.slotOffset(s))) != IdMapFormat.EMPTY) {
                    s = IdMapFormat.next(s, slotCount);
                }
                slots.set(StoreFileFormat.LONG, IdMapFormat.slotOffset(s), IdMapFormat.slot(d, IdMapFormat.hashTag(hash)));
            }
            try (StoreFileWriter w = new StoreFileWriter(file, IdMapFormat.INSTANCE)) {
                for (long off = 0; off < bytes; off += COPY_CHUNK) {
                    w.put(slots.asSlice(off, Math.min(COPY_CHUNK, bytes - off)).asByteBuffer());
                }
                w.finish(n, kind == IdKind.LONG ? IdListFormat.KIND_LONG : IdListFormat.KIND_STRING, side.ordinal(), slotCount);
            }
        }
    }
}
