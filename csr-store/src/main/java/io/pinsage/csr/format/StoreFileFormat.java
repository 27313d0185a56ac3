package io.pinsage.csr.format;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The header and footer that frame every store file, whatever its format. All values are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     MAGIC 0x46475350 ("PSGF")                 |  0
 *  +---------------------------------------------------------------+
 *  |                     version (int)                             |  4
 *  +---------------------------------------------------------------+
 *  |           codec name: 24 bytes of ASCII, zero-padded         ...  8
 *  +---------------------------------------------------------------+
 *  |           count[0..4]: five longs, meaning set by the codec  ...  32
 *  +---------------------------------------------------------------+
 *  |                     reserved, 0 (int)                         |  72
 *  +---------------------------------------------------------------+
 *  |                     CRC32C of bytes [0, 76) (int)             |  76
 *  +---------------------------------------------------------------+
 *  |           body: bodyLength(header) bytes, layout per codec   ...  80
 *  +---------------------------------------------------------------+
 *  |                     FOOTER_MAGIC = ~MAGIC (int)               |  80 + body
 *  +---------------------------------------------------------------+
 *  |                     reserved, 0 (int)                         |
 *  +---------------------------------------------------------------+
 *  |                     CRC32C of the body (long, upper half 0)   |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The body starts 80 bytes in, so a page-aligned mapping leaves it 16-byte aligned: int, long and float
 * arrays in the body can be read with aligned accesses. The header carries its own checksum because it is
 * written last (counts are known only when the body is complete) and checked on every open; the body checksum
 * costs a full read and is checked only by {@link MappedStoreFile#verifyChecksum()}.
 *
 * <p>Stateless; all methods are thread-safe.
 */
public final class StoreFileFormat {

    /** "PSGF" read as a little-endian int. */
    public static final int MAGIC = 0x46475350;
    public static final int FOOTER_MAGIC = ~MAGIC;
    public static final int CODEC_LENGTH = 24;
    public static final int COUNT_FIELDS = 5;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int CODEC_OFFSET = 8;
    public static final int COUNTS_OFFSET = 32;
    public static final int HEADER_CRC_OFFSET = 76;
    public static final int HEADER_LENGTH = 80;

    public static final int FOOTER_MAGIC_OFFSET = 0;
    public static final int FOOTER_CRC_OFFSET = 8;
    public static final int FOOTER_LENGTH = 16;

    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Little-endian layouts for reading mapped bodies; on x86 and ARM they compile to plain loads. */
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT.withOrder(BYTE_ORDER);
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG.withOrder(BYTE_ORDER);
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(BYTE_ORDER);
    /** For the framing: a body's length need not be a multiple of 8, so the footer may sit unaligned. */
    static final ValueLayout.OfInt INT_UNALIGNED = ValueLayout.JAVA_INT_UNALIGNED.withOrder(BYTE_ORDER);
    static final ValueLayout.OfLong LONG_UNALIGNED = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(BYTE_ORDER);

    private StoreFileFormat() {
    }

    /** Encodes {@code header} into a fresh {@value #HEADER_LENGTH}-byte buffer, positioned at 0. */
    public static ByteBuffer encodeHeader(FileHeader header) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH).order(BYTE_ORDER);
        b.putInt(MAGIC_OFFSET, MAGIC);
        b.putInt(VERSION_OFFSET, header.version());
        byte[] codec = header.codec().getBytes(StandardCharsets.US_ASCII);
        b.put(CODEC_OFFSET, codec);
        for (int i = 0; i < COUNT_FIELDS; i++) {
            b.putLong(COUNTS_OFFSET + 8 * i, header.count(i));
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, HEADER_CRC_OFFSET);
        b.putInt(HEADER_CRC_OFFSET, (int) crc.getValue());
        return b;
    }

    /** Encodes the footer for a body whose CRC32C is {@code bodyCrc}, positioned at 0. */
    public static ByteBuffer encodeFooter(long bodyCrc) {
        ByteBuffer b = ByteBuffer.allocate(FOOTER_LENGTH).order(BYTE_ORDER);
        b.putInt(FOOTER_MAGIC_OFFSET, FOOTER_MAGIC);
        b.putLong(FOOTER_CRC_OFFSET, bodyCrc);
        return b;
    }

    /**
     * Writes the footer at {@code footerAt} and then the header (last, so that a crash before leaves no valid
     * header), forces {@code channel} (open on {@code file}) to disk and closes it.
     */
    static void writeFraming(FileChannel channel, Path file, long footerAt, long bodyCrc, FileHeader header) throws IOException {
        FileWrites.write(channel, encodeFooter(bodyCrc), footerAt, file);
        FileWrites.write(channel, encodeHeader(header), 0, file);
        channel.force(true);
        channel.close();
    }

    /**
     * Decodes and checks the header of {@code file} (mapped or read into {@code segment}) against
     * {@code format}: magic, header checksum, codec name, version, then the total length against the body
     * length the counts imply, then the footer magic.
     *
     * @throws CorruptStoreException naming {@code file} and the first check that failed
     */
    public static FileHeader checkFramed(Path file, MemorySegment segment, FileFormat format) throws CorruptStoreException {
        long size = segment.byteSize();
        if (size < HEADER_LENGTH + FOOTER_LENGTH) {
            throw new CorruptStoreException(file, "truncated: " + size + " bytes, shorter than header and footer ("
                    + (HEADER_LENGTH + FOOTER_LENGTH) + ")");
        }
        int magic = segment.get(INT, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new CorruptStoreException(file, String.format("wrong magic 0x%08x, expected 0x%08x: not a store file", magic, MAGIC));
        }
        byte[] head = segment.asSlice(0, HEADER_LENGTH).toArray(ValueLayout.JAVA_BYTE);
        CRC32C crc = new CRC32C();
        crc.update(head, 0, HEADER_CRC_OFFSET);
        int storedCrc = segment.get(INT, HEADER_CRC_OFFSET);
        if (storedCrc != (int) crc.getValue()) {
            throw new CorruptStoreException(file, String.format("header checksum 0x%08x does not match stored 0x%08x",
                    (int) crc.getValue(), storedCrc));
        }
        int end = CODEC_OFFSET;
        while (end < CODEC_OFFSET + CODEC_LENGTH && head[end] != 0) {
            end++;
        }
        String codec = new String(head, CODEC_OFFSET, end - CODEC_OFFSET, StandardCharsets.US_ASCII);
        if (!codec.equals(format.codec())) {
            throw new CorruptStoreException(file, "codec '" + codec + "', expected '" + format.codec() + "'");
        }
        int version = segment.get(INT, VERSION_OFFSET);
        if (version < format.minVersion() || version > format.currentVersion()) {
            throw new CorruptStoreException(file, "unsupported " + codec + " version " + version + ", this build reads "
                    + format.minVersion() + ".." + format.currentVersion());
        }
        long[] counts = new long[COUNT_FIELDS];
        for (int i = 0; i < COUNT_FIELDS; i++) {
            counts[i] = segment.get(LONG, COUNTS_OFFSET + 8L * i);
        }
        FileHeader header = new FileHeader(codec, version, counts);
        long body;
        try {
            body = format.bodyLength(header);
        } catch (IllegalArgumentException e) {
            throw new CorruptStoreException(file, "impossible counts in header " + header + ": " + e.getMessage(), e);
        }
        long expected = HEADER_LENGTH + body + FOOTER_LENGTH;
        if (size != expected) {
            throw new CorruptStoreException(file, (size < expected ? "truncated: " : "too long: ") + size
                    + " bytes, header " + header + " implies " + expected);
        }
        int footerMagic = segment.get(INT_UNALIGNED, size - FOOTER_LENGTH + FOOTER_MAGIC_OFFSET);
        if (footerMagic != FOOTER_MAGIC) {
            throw new CorruptStoreException(file, String.format("wrong footer magic 0x%08x, expected 0x%08x", footerMagic, FOOTER_MAGIC));
        }
        return header;
    }
}
