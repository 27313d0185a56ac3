package io.pinsage.csr;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.MappedStoreFile;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreFileWriter;
import io.pinsage.csr.format.StoreGeneration;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips and damage of the id maps: {@link IdMapWriter} writes, {@link IdMap} reads ({@link IdMapFormat}). */
class IdMapTest {

    @TempDir
    Path dir;

    private final long seed = TestSeed.next();
    private final Random rnd = new Random(seed);

    /** Writes {@code ids} as side LEFT's id maps into a fresh directory and returns its generation. */
    private StoreGeneration writeLong(long... ids) throws IOException {
        IdMapWriter w = new IdMapWriter(Side.LEFT, IdKind.LONG);
        for (long id : ids) {
            w.dense(id);
        }
        return write(w);
    }

    private StoreGeneration writeString(List<String> ids) throws IOException {
        IdMapWriter w = new IdMapWriter(Side.LEFT, IdKind.STRING);
        for (String id : ids) {
            w.dense(id);
        }
        return write(w);
    }

    private StoreGeneration write(IdMapWriter w) throws IOException {
        Path gen = Files.createDirectories(dir.resolve("gen"));
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        w.writeTo(gen, scratch);
        try (var left = Files.list(scratch)) {
            assertEquals(0, left.count(), "the scratch table is deleted");
        }
        return generation(gen);
    }

    private static StoreGeneration generation(Path gen) throws IOException {
        Map<String, Long> files = new HashMap<>();
        try (var list = Files.list(gen)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                files.put(p.getFileName().toString(), Files.size(p));
            }
        }
        return new StoreGeneration(gen.getParent(), "gen", gen, files);
    }

    private String tag() {
        return TestSeed.tag(seed);
    }

    @Test
    void shouldMapEveryLongIdBothWaysAfterReopen() throws IOException {
        LongHashSet distinct = new LongHashSet();
        for (long extreme : new long[]{0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            distinct.add(extreme);
        }
        while (distinct.size() < 20_000) {
            distinct.add(rnd.nextInt(4) == 0 ? rnd.nextInt(50_000) : rnd.nextLong());
        }
        long[] ids = distinct.stream().mapToLong(Long::longValue).toArray();
        StoreGeneration g = writeLong(ids);
        for (int reopen = 0; reopen < 2; reopen++) {
            try (Arena arena = Arena.ofShared()) {
                IdMap m = IdMap.open(g, Side.LEFT, ids.length, arena);
                m.verify();
                assertEquals(IdKind.LONG, m.kind());
                assertEquals(ids.length, m.size());
                assertEquals(IdMapFormat.slotsFor(ids.length), m.slots());
                for (int d = 0; d < ids.length; d++) {
                    assertEquals(d, m.dense(ids[d]), tag() + "id " + ids[d]);
                    assertEquals(ids[d], m.externalLong(d), tag());
                }
                for (int i = 0; i < 20_000; i++) {
                    long absent = rnd.nextLong();
                    if (!distinct.contains(absent)) {
                        assertEquals(-1, m.dense(absent), tag() + "absent id " + absent);
                    }
                }
            }
        }
    }

    @Test
    void shouldMapEveryStringIdBothWaysIncludingUnicode() throws IOException {
        List<String> ids = new ArrayList<>(List.of("", "a", "a\u0000", "ab", "pin-ü", "日本語のピン", "emoji-\uD83D\uDCCC",
                "e\u0301", "\u00e9", "12345678", "123456789", "1234567", "board\tx", "Ω".repeat(300)));
        Set<String> distinct = new HashSet<>(ids);
        while (distinct.size() < 5_000) {
            StringBuilder b = new StringBuilder();
            int len = rnd.nextInt(24);
            for (int i = 0; i < len; i++) {
                b.appendCodePoint(switch (rnd.nextInt(4)) {
                    case 0 -> 'a' + rnd.nextInt(26);
                    case 1 -> 0xE0 + rnd.nextInt(0x500);
                    case 2 -> 0x4E00 + rnd.nextInt(0x5000);
                    default -> 0x1F300 + rnd.nextInt(0x300);
                });
            }
            if (distinct.add(b.toString())) {
                ids.add(b.toString());
            }
        }
        StoreGeneration g = writeString(ids);
        try (Arena arena = Arena.ofShared()) {
            IdMap m = IdMap.open(g, Side.LEFT, ids.size(), arena);
            m.verify();
            assertEquals(IdKind.STRING, m.kind());
            for (int d = 0; d < ids.size(); d++) {
                assertEquals(d, m.dense(ids.get(d)), tag() + "id '" + ids.get(d) + "'");
                assertEquals(ids.get(d), m.externalString(d), tag());
            }
            for (String absent : List.of("a\u0000\u0000", "A", "b", "pin-u", "日本語", "12345678 ", "Ω".repeat(299))) {
                if (!distinct.contains(absent)) {
                        assertEquals(-1, m.dense(absent), tag() + "absent id '" + absent + "'");
                }
            }
        }
    }

    @Test
    void shouldMapEmptyAndSingleIdSides() throws IOException {
        for (long[] ids : new long[][]{{}, {42}}) {
            StoreGeneration g = writeLong(ids);
            try (Arena arena = Arena.ofShared()) {
                IdMap m = IdMap.open(g, Side.LEFT, ids.length, arena);
                m.verify();
                assertEquals(ids.length, m.size());
                assertEquals(ids.length == 0 ? -1 : 0, m.dense(42));
                assertEquals(-1, m.dense(43));
            }
            deleteGeneration();
        }
        for (List<String> ids : List.of(List.<String>of(), List.of("only"))) {
            StoreGeneration g = writeString(ids);
            try (Arena arena = Arena.ofShared()) {
                IdMap m = IdMap.open(g, Side.LEFT, ids.size(), arena);
                m.verify();
                assertEquals(ids.isEmpty() ? -1 : 0, m.dense("only"));
                assertEquals(-1, m.dense(""));
            }
            deleteGeneration();
        }
    }

    private void deleteGeneration() throws IOException {
        try (var list = Files.list(dir.resolve("gen"))) {
            for (Path p : (Iterable<Path>) list::iterator) {
                Files.delete(p);
            }
        }
    }

    /**
     * Ids whose hashes share both the home slot and the tag (found by a birthday search), plus more ids homed in
     * the last slot so that the probe walk wraps to slot 0: the table must still tell them all apart.
     */
    @Test
    void shouldTellApartIdsWhoseHashesCollide() throws IOException {
        int count = 8;
        long slots = IdMapFormat.slotsFor(count);
        long base = rnd.nextLong();
        long[] pair = collidingPair(slots, i -> IdMapFormat.hashLong(base + i));
        List<Long> ids = new ArrayList<>(List.of(base + pair[0], base + pair[1]));
        long absentInLastCluster = 0;
        for (long i = 1; ids.size() < count || absentInLastCluster == 0; i++) {
            if (IdMapFormat.home(IdMapFormat.hashLong(base - i), slots) == slots - 1 && !ids.contains(base - i)) {
                if (ids.size() < count) {
                    ids.add(base - i);
                } else {
                    absentInLastCluster = base - i;
                }
            }
        }
        StoreGeneration g = writeLong(ids.stream().mapToLong(Long::longValue).toArray());
        try (Arena arena = Arena.ofShared()) {
            IdMap m = IdMap.open(g, Side.LEFT, count, arena);
            m.verify();
            for (int d = 0; d < count; d++) {
                assertEquals(d, m.dense(ids.get(d)), tag() + "ids " + ids);
            }
            assertEquals(-1, m.dense(absentInLastCluster), tag() + "ids " + ids);
        }
        deleteGeneration();

        String prefix = "s" + rnd.nextInt() + "-";
        long[] strings = collidingPair(IdMapFormat.slotsFor(2), i -> utf8Hash(prefix + i));
        List<String> both = List.of(prefix + strings[0], prefix + strings[1]);
        g = writeString(both);
        try (Arena arena = Arena.ofShared()) {
            IdMap m = IdMap.open(g, Side.LEFT, 2, arena);
            m.verify();
            assertEquals(0, m.dense(both.get(0)), tag() + both);
            assertEquals(1, m.dense(both.get(1)), tag() + both);
        }
    }

    private static long utf8Hash(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return IdMapFormat.hashBytes(MemorySegment.ofArray(b), 0, b.length);
    }

    /** Two candidates {@code i != j} whose hashes have the same tag and the same home among {@code slots}. */
    private long[] collidingPair(long slots, LongUnaryOperator hashOf) {
        Long2LongHashMap seen = new Long2LongHashMap(-1);
        for (long i = 0; i < 1L << 23; i++) {
            long h = hashOf.applyAsLong(i);
            long key = (IdMapFormat.hashTag(h) & 0xFFFF_FFFFL) | IdMapFormat.home(h, slots) << 32;
            long j = seen.get(key);
            if (j >= 0) {
                return new long[]{j, i};
            }
            seen.put(key, i);
        }
        throw new AssertionError(tag() + "no colliding pair among 2^23 candidates");
    }

    @Test
    void shouldRejectAFlippedTableByteOnVerify() throws IOException {
        long[] ids = rnd.longs(1_000).distinct().toArray();
        StoreGeneration g = writeLong(ids);
        Path table = g.file(CsrLayout.idMap(Side.LEFT));
        long body = Files.size(table) - StoreFileFormat.HEADER_LENGTH - StoreFileFormat.FOOTER_LENGTH;
        long at = StoreFileFormat.HEADER_LENGTH + (long) (rnd.nextDouble() * body);
        flip(table, at);
        try (Arena arena = Arena.ofShared()) {
            IdMap m = IdMap.open(g, Side.LEFT, ids.length, arena);
            CorruptStoreException e = assertThrows(CorruptStoreException.class, m::verify, tag() + "at=" + at);
            assertEquals(table, e.file());
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        }
    }

    @Test
    void shouldRejectAFlippedHeaderByteOrATruncatedTableOnOpen() throws IOException {
        StoreGeneration g = writeString(List.of("x", "y", "z"));
        Path table = g.file(CsrLayout.idMap(Side.LEFT));
        int at = 4 + rnd.nextInt(StoreFileFormat.HEADER_LENGTH - 4);
        flip(table, at);
        CorruptStoreException e = expectOnOpen(g, 3);
        assertEquals(table, e.file());
        assertTrue(e.getMessage().contains("header checksum"), tag() + "at=" + at + ": " + e.getMessage());
        flip(table, at);
        try (RandomAccessFile raf = new RandomAccessFile(table.toFile(), "rw")) {
            raf.setLength(raf.length() - 8);
        }
        e = expectOnOpen(g, 3);
        assertEquals(table, e.file());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void shouldRejectATableThatDisagreesWithItsList() throws IOException {
        StoreGeneration g = writeLong(1, 2, 3);
        Path table = g.file(CsrLayout.idMap(Side.LEFT));
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        IdMapWriter w = new IdMapWriter(Side.LEFT, IdKind.LONG);
        w.dense(1);
        w.dense(2);
        w.writeTo(other, Files.createDirectories(dir.resolve("scratch2")));
        Files.copy(other.resolve(CsrLayout.idMap(Side.LEFT)), table, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CorruptStoreException e = expectOnOpen(generation(g.directory()), 3);
        assertEquals(table, e.file());
        assertTrue(e.getMessage().contains("holds 2 ids"), e.getMessage());
    }

    /** A table framed and checksummed correctly whose slots lie: verify finds it, lookups still end. */
    @Test
    void shouldRejectWellFramedTablesWithWrongSlotsOnVerify() throws IOException {
        long[] ids = rnd.longs(100).distinct().toArray();
        StoreGeneration g = writeLong(ids);
        Path table = g.file(CsrLayout.idMap(Side.LEFT));
        long slots = IdMapFormat.slotsFor(ids.length);
        long[] body = new long[(int) slots];
        try (Arena arena = Arena.ofConfined()) {
            MappedStoreFile f = MappedStoreFile.open(table, IdMapFormat.INSTANCE, arena);
            for (int s = 0; s < slots; s++) {
                body[s] = f.body().get(StoreFileFormat.LONG, IdMapFormat.slotOffset(s));
            }
        }
        int a = firstOccupied(body, 0), b = firstOccupied(body, a + 1);
        long[] lost = body.clone();
        lost[a] = IdMapFormat.slot(IdMapFormat.slotDense(body[b]), IdMapFormat.slotTag(body[a]));
        rewrite(table, lost, ids.length);
        expectOnVerify(g, ids.length, table, "to -1, the id list says " + IdMapFormat.slotDense(body[a]));

        long[] outOfRange = body.clone();
        outOfRange[a] = IdMapFormat.slot(ids.length + 5, IdMapFormat.slotTag(body[a]));
        rewrite(table, outOfRange, ids.length);
        expectOnVerify(g, ids.length, table, "holds dense id " + (ids.length + 5));

        long[] full = new long[body.length];
        java.util.Arrays.fill(full, IdMapFormat.slot(0, 7));
        rewrite(table, full, ids.length);
        try (Arena arena = Arena.ofShared()) {
            IdMap m = IdMap.open(g, Side.LEFT, ids.length, arena);
            assertEquals(-1, m.dense(ids[1]), "a table without an empty slot still ends a lookup");
        }
        expectOnVerify(g, ids.length, table, "holds " + slots + " ids");
    }

    @Test
    void shouldAskToRebuildAStoreWithAChronicleMapIdMap() throws IOException {
        StoreGeneration g = writeLong(5, 6);
        Path table = g.file(CsrLayout.idMap(Side.LEFT));
        byte[] legacy = new byte[8192];
        byte[] head = "c!\u00fe4\u00cb\u00e5\u00ed\u00162\u0006\u0000\u0000!net.openhft.chronicle.map.VanillaChronicleMap {\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(head, 0, legacy, 0, head.length);
        Files.write(table, legacy);
        CorruptStoreException e = expectOnOpen(generation(g.directory()), 2);
        assertEquals(table, e.file());
        assertTrue(e.getMessage().contains("Chronicle Map") && e.getMessage().contains("rebuild the store"), e.getMessage());
    }

    private static int firstOccupied(long[] body, int from) {
        for (int s = from; ; s++) {
            if (IdMapFormat.slotDense(body[s]) != IdMapFormat.EMPTY) {
                return s;
            }
        }
    }

    private static void rewrite(Path table, long[] slots, int ids) throws IOException {
        Files.delete(table);
        try (StoreFileWriter w = new StoreFileWriter(table, IdMapFormat.INSTANCE)) {
            w.putLongs(slots, 0, slots.length);
            w.finish(ids, IdListFormat.KIND_LONG, Side.LEFT.ordinal(), slots.length);
        }
    }

    private CorruptStoreException expectOnOpen(StoreGeneration g, int nodes) {
        return assertThrows(CorruptStoreException.class, () -> {
            try (Arena arena = Arena.ofShared()) {
                IdMap.open(g, Side.LEFT, nodes, arena);
            }
        }, tag());
    }

    private void expectOnVerify(StoreGeneration g, int nodes, Path file, String words) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            IdMap m = IdMap.open(g, Side.LEFT, nodes, arena);
            CorruptStoreException e = assertThrows(CorruptStoreException.class, m::verify, tag());
            assertEquals(file, e.file());
            assertTrue(e.getMessage().contains(words), e.getMessage());
        }
    }

    private static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, at);
        }
    }
}
