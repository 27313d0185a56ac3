package io.pinsage.csr.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A store file mapped read-only into memory with FFM, its header checked on open (see
 * {@link StoreFileFormat#checkFramed}). The mapping is 64-bit: files and bodies may exceed 2 GiB.
 *
 * <p>Ownership: the mapping lives as long as the {@link Arena} passed to {@link #open}; closing that arena
 * unmaps it, after which any access to {@link #body()} throws {@link IllegalStateException}. Use a shared
 * arena for segments read by many threads. Reads of the body are thread-safe.
 */
public final class MappedStoreFile {

    /** Bytes checksummed per step by {@link #verifyChecksum()}; below 2 GiB so a ByteBuffer view can hold it. */
    private static final long CHECKSUM_CHUNK = 1L << 28;

    private final Path path;
    private final FileHeader header;
    private final MemorySegment whole;
    private final MemorySegment body;

    private MappedStoreFile(Path path, FileHeader header, MemorySegment whole) {
        this.path = path;
        this.header = header;
        this.whole = whole;
        this.body = whole.asSlice(StoreFileFormat.HEADER_LENGTH,
                whole.byteSize() - StoreFileFormat.HEADER_LENGTH - StoreFileFormat.FOOTER_LENGTH);
    }

    /**
     * Maps {@code path} and checks its header, version, length and footer magic against {@code format}. Cost:
     * one mmap and a read of the first and last page.
     *
     * @throws CorruptStoreException if the file is missing, truncated or not of {@code format}
     * @throws IOException           if it cannot be read
     */
    public static MappedStoreFile open(Path path, FileFormat format, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            FileHeader header = StoreFileFormat.checkFramed(path, whole, format);
            return new MappedStoreFile(path, header, whole);
        } catch (NoSuchFileException e) {
            throw new CorruptStoreException(path, "missing file (" + format.codec() + ")", e);
        }
    }

    public Path path() {
        return path;
    }

    public FileHeader header() {
        return header;
    }

    /** The body, {@code format.bodyLength(header)} bytes, little-endian; read it with {@link StoreFileFormat#INT} etc. */
    public MemorySegment body() {
        return body;
    }

    /**
     * Recomputes the CRC32C of the body and compares it with the footer. Cost: one sequential read of the
     * file (the CRC32C intrinsic runs at several GB/s; the disk is usually the limit).
     *
     * @throws CorruptStoreException naming the file if the checksum differs
     */
    public void verifyChecksum() throws CorruptStoreException {
        CRC32C crc = new CRC32C();
        long size = body.byteSize();
        for (long off = 0; off < size; off += CHECKSUM_CHUNK) {
            crc.update(body.asSlice(off, Math.min(CHECKSUM_CHUNK, size - off)).asByteBuffer());
        }
        long stored = whole.get(StoreFileFormat.LONG_UNALIGNED, whole.byteSize() - StoreFileFormat.FOOTER_LENGTH + StoreFileFormat.FOOTER_CRC_OFFSET);
        if (stored != crc.getValue()) {
            throw new CorruptStoreException(path, String.format("body checksum 0x%08x does not match footer 0x%08x",
                    crc.getValue(), stored));
        }
    }
}
