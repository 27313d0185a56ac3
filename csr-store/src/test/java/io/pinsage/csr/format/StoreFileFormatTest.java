package io.pinsage.csr.format;

import io.pinsage.csr.TestSeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreFileFormatTest {

    /** A format of {@code count(0)} ints, enough to exercise the framing. */
    static final FileFormat INTS = new FileFormat() {
        @Override
        public String codec() {
            return "test.ints";
        }

        @Override
        public int minVersion() {
            return 1;
        }

        @Override
        public int currentVersion() {
            return 2;
        }

        @Override
        public long bodyLength(FileHeader h) {
            if (h.count(0) < 0) {
                throw new IllegalArgumentException("count=" + h.count(0));
            }
            return 4 * h.count(0);
        }
    };

    @TempDir
    Path dir;

    static Path writeInts(Path file, int[] values) throws IOException {
        try (StoreFileWriter w = new StoreFileWriter(file, INTS, 64)) {
            w.putInts(values, 0, values.length);
            w.finish(values.length);
        }
        return file;
    }

    @Test
    void shouldRoundTripBodyAndCounts() throws IOException {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        int[] values = rnd.ints(1 + rnd.nextInt(5000)).toArray();
        Path f = writeInts(dir.resolve("a"), values);
        try (Arena arena = Arena.ofConfined()) {
            MappedStoreFile m = MappedStoreFile.open(f, INTS, arena);
            assertEquals(values.length, m.header().count(0), TestSeed.tag(seed));
            assertEquals(2, m.header().version());
            for (int i = 0; i < values.length; i++) {
                assertEquals(values[i], m.body().getAtIndex(StoreFileFormat.INT, i), TestSeed.tag(seed) + "i=" + i);
            }
            m.verifyChecksum();
        }
    }

    @Test
    void shouldRejectTruncatedFile() throws IOException {
        Path f = writeInts(dir.resolve("t"), new int[100]);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(f) - 4);
        }
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> open(f));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void shouldRejectWrongMagic() throws IOException {
        Path f = writeInts(dir.resolve("m"), new int[3]);
        poke(f, 0, (byte) 'X');
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> open(f));
        assertTrue(e.getMessage().contains("wrong magic"), e.getMessage());
    }

    @Test
    void shouldRejectFlippedBodyByteOnVerify() throws IOException {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        int n = 1 + rnd.nextInt(1000);
        Path f = writeInts(dir.resolve("b"), rnd.ints(n).toArray());
        long at = StoreFileFormat.HEADER_LENGTH + rnd.nextInt(4 * n);
        flip(f, at);
        try (Arena arena = Arena.ofConfined()) {
            MappedStoreFile m = MappedStoreFile.open(f, INTS, arena);
            CorruptStoreException e = assertThrows(CorruptStoreException.class, m::verifyChecksum, TestSeed.tag(seed));
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertEquals(f, e.file());
        }
    }

    @Test
    void shouldRejectFlippedHeaderByteOnOpen() throws IOException {
        Path f = writeInts(dir.resolve("h"), new int[7]);
        flip(f, StoreFileFormat.COUNTS_OFFSET + 8);
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> open(f));
        assertTrue(e.getMessage().contains("header checksum"), e.getMessage());
    }

    @Test
    void shouldRejectOtherCodecAndUnsupportedVersion() throws IOException {
        Path f = writeInts(dir.resolve("v"), new int[2]);
        FileFormat other = new FileFormat() {
            public String codec() { return "test.other"; }
            public int minVersion() { return 1; }
            public int currentVersion() { return 1; }
            public long bodyLength(FileHeader h) { return 8; }
        };
        CorruptStoreException codec = assertThrows(CorruptStoreException.class,
                () -> MappedStoreFile.open(f, other, Arena.ofAuto()));
        assertTrue(codec.getMessage().contains("codec 'test.ints'"), codec.getMessage());

        ByteBuffer head = StoreFileFormat.encodeHeader(new FileHeader("test.ints", 9, 2));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(head, 0);
        }
        CorruptStoreException version = assertThrows(CorruptStoreException.class, () -> open(f));
        assertTrue(version.getMessage().contains("unsupported test.ints version 9"), version.getMessage());
    }

    @Test
    void shouldReportMissingFile() {
        Path f = dir.resolve("absent");
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> open(f));
        assertTrue(e.getMessage().contains("missing file"), e.getMessage());
    }

    @Test
    void shouldDeletePartialFileWhenNotFinished() throws IOException {
        Path f = dir.resolve("p");
        try (StoreFileWriter w = new StoreFileWriter(f, INTS)) {
            w.putInt(1);
        }
        assertTrue(Files.notExists(f));
    }

    @Test
    void shouldMapBodiesPastFourGibibytesSparsely() throws IOException {
        // a sparse file: only the framing and the last int are written, the 4 GiB hole reads as zeros
        long n = (1L << 30) + 5;
        Path f = dir.resolve("big");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long bodyEnd = StoreFileFormat.HEADER_LENGTH + 4 * n;
            ByteBuffer last = ByteBuffer.allocate(4).order(StoreFileFormat.BYTE_ORDER).putInt(0, 123456789);
            ch.write(last, bodyEnd - 4);
            ch.write(StoreFileFormat.encodeFooter(0), bodyEnd);
            ch.write(StoreFileFormat.encodeHeader(new FileHeader("test.ints", 2, n)), 0);
        }
        try (Arena arena = Arena.ofConfined()) {
            MappedStoreFile m = MappedStoreFile.open(f, INTS, arena);
            assertEquals(4 * n, m.body().byteSize());
            assertEquals(123456789, m.body().getAtIndex(StoreFileFormat.INT, n - 1));
            assertEquals(0, m.body().getAtIndex(StoreFileFormat.INT, (1L << 30) + 1));
        }
    }

    private static void open(Path f) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MappedStoreFile.open(f, INTS, arena);
        }
    }

    static void flip(Path f, long at) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x5a);
        }
    }

    static void poke(Path f, long at, byte value) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(at);
            raf.write(value);
        }
    }
}
