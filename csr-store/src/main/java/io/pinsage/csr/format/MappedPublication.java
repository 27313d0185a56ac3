package io.pinsage.csr.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A {@link Publication} of one store file whose body is written in place through a writable memory mapping, so
 * that rows computed in any order land directly in the file. {@link #commit} checksums the body, writes the footer
 * and, last, the header, moves the file into the generation if it was written elsewhere, and publishes. Until then
 * the file has no valid header (it is invalidated on open), so a crash leaves a file that fails to open rather than
 * one that opens with wrong contents. {@link #close()} without commit discards the generation.
 *
 * <p>Threading: the body may be written by many threads at distinct offsets; {@link #commit} and {@link #close}
 * belong to the owning thread, after every writer finished. Cost of commit: one sequential read of the body for
 * the CRC32C and one msync; opening writes the body's missing bytes once (zeros).
 */
public final class MappedPublication implements AutoCloseable {

    private static final long CRC_CHUNK = 1L << 28;

    private final Publication publication;
    private final String fileName;
    private final Path path;
    private final Arena arena;
    private final FileChannel channel;
    private final MemorySegment body;
    private boolean committed;

    private MappedPublication(Publication publication, String fileName, Path path, long bodyLength, boolean keepBody)
            throws IOException {
        this.publication = publication;
        this.fileName = fileName;
        this.path = path;
        long total = StoreFileFormat.HEADER_LENGTH + bodyLength + StoreFileFormat.FOOTER_LENGTH;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.arena = Arena.ofShared();
        try {
            if (keepBody) {
                FileWrites.write(channel, ByteBuffer.allocate(4), StoreFileFormat.MAGIC_OFFSET, path);
                if (channel.size() > total) {
                    channel.truncate(total);
                }
            } else {
                channel.truncate(0);
                FileWrites.write(channel, ByteBuffer.allocate(StoreFileFormat.HEADER_LENGTH), 0, path);
            }
            // the blocks exist before the mapping: a full disk fails here naming the file, not as a fault on a write
            FileWrites.allocate(channel, total, path);
            this.body = channel.map(FileChannel.MapMode.READ_WRITE, 0, total, arena)
                    .asSlice(StoreFileFormat.HEADER_LENGTH, bodyLength);
        } catch (IOException | RuntimeException e) {
            arena.close();
            channel.close();
            throw e;
        }
    }

    /**
     * Creates file {@code fileName} in the publication's generation and maps a zero-filled body of
     * {@code bodyLength} bytes. On failure the publication is closed.
     */
    public static MappedPublication create(Publication publication, String fileName, long bodyLength) throws IOException {
        return open(publication, fileName, publication.directory().resolve(fileName), bodyLength, false);
    }

    /**
     * Maps the body of {@code path} as it is (bytes past the file's end read as zero), so that a copy of a file or
     * the file of an interrupted build can be rewritten in part; its header is invalidated first. Commit moves it to
     * {@code fileName} in the generation (it must lie on the same file system). On failure the publication is closed.
     */
    public static MappedPublication reopen(Publication publication, String fileName, Path path, long bodyLength)
            throws IOException {
        return open(publication, fileName, path, bodyLength, true);
    }

    private static MappedPublication open(Publication publication, String fileName, Path path, long bodyLength,
                                          boolean keepBody) throws IOException {
        try {
            return new MappedPublication(publication, fileName, path, bodyLength, keepBody);
        } catch (IOException | RuntimeException e) {
            publication.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The writable body, little-endian; valid until {@link #finish} or {@link #close}. */
    public MemorySegment body() {
        return body;
    }

    /** Forces the body's written pages to disk (for a progress record that must not run ahead of the data). */
    public void force() {
        body.force();
    }

    /**
     * Checksums the body, writes footer and then {@code header}, forces the file to disk, moves it into the
     * generation and publishes that atomically.
     *
     * @return the published generation
     */
    public StoreGeneration commit(FileHeader header) throws IOException {
        CRC32C crc = new CRC32C();
        for (long off = 0, size = body.byteSize(); off < size; off += CRC_CHUNK) {
            crc.update(body.asSlice(off, Math.min(CRC_CHUNK, size - off)).asByteBuffer());
        }
        long bodyLength = body.byteSize();
        body.force();
        arena.close();
        StoreFileFormat.writeFraming(channel, path, StoreFileFormat.HEADER_LENGTH + bodyLength, crc.getValue(), header);
        Path target = publication.directory().resolve(fileName);
        if (!path.equals(target)) {
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        }
        StoreGeneration g = publication.commit();
        committed = true;
        publication.close();
        return g;
    }

    /**
     * Unless committed: unmaps and closes the file and discards the generation, the file with it if it lies there
     * (a file written elsewhere stays, without a valid header). Releases the root's lock.
     */
    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        try {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            channel.close();
        } finally {
            publication.close();
        }
    }
}
