package io.pinsage.csr.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes one store file sequentially: the body is streamed through a direct buffer with a running CRC32C,
 * then {@link #finish} writes the footer, writes the header last (its counts are often known only at the end)
 * and forces the file to disk. Until {@code finish} returns the file has no valid header, so a crash leaves
 * a file that fails to open rather than one that opens with wrong contents.
 *
 * <p>Not thread-safe: one writer thread. {@link #close()} without {@code finish} deletes the partial file.
 * Cost: the body's bytes are copied once into the buffer and written in {@code bufferBytes} chunks.
 */
public final class StoreFileWriter implements Closeable {

    private static final int DEFAULT_BUFFER = 1 << 20;

    private final Path path;
    private final FileFormat format;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final CRC32C crc = new CRC32C();
    private long bodyBytes;
    private boolean finished;

    /**
     * Creates {@code path}, which must not exist.
     *
     * @throws java.nio.file.FileAlreadyExistsException if it does
     */
    public StoreFileWriter(Path path, FileFormat format) throws IOException {
        this(path, format, DEFAULT_BUFFER);
    }

    public StoreFileWriter(Path path, FileFormat format, int bufferBytes) throws IOException {
        if (bufferBytes < 64) {
            throw new IllegalArgumentException("bufferBytes=" + bufferBytes + ": must be >= 64");
        }
        this.path = path;
        this.format = format;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.channel.position(StoreFileFormat.HEADER_LENGTH);
        this.buffer = ByteBuffer.allocateDirect(bufferBytes & ~7).order(StoreFileFormat.BYTE_ORDER);
    }

    public Path path() {
        return path;
    }

    /** Bytes of body written so far. */
    public long bodyBytes() {
        return bodyBytes + buffer.position();
    }

    public void putInt(int v) throws IOException {
        room(4);
        buffer.putInt(v);
    }

    public void putLong(long v) throws IOException {
        room(8);
        buffer.putLong(v);
    }

    public void putFloat(float v) throws IOException {
        room(4);
        buffer.putFloat(v);
    }

    public void putInts(int[] src, int from, int count) throws IOException {
        while (count > 0) {
            room(4);
            int n = Math.min(count, buffer.remaining() >> 2);
            buffer.asIntBuffer().put(src, from, n);
            buffer.position(buffer.position() + 4 * n);
            from += n;
            count -= n;
        }
    }

    public void putFloats(float[] src, int from, int count) throws IOException {
        while (count > 0) {
            room(4);
            int n = Math.min(count, buffer.remaining() >> 2);
            buffer.asFloatBuffer().put(src, from, n);
            buffer.position(buffer.position() + 4 * n);
            from += n;
            count -= n;
        }
    }

    public void putLongs(long[] src, int from, int count) throws IOException {
        while (count > 0) {
            room(8);
            int n = Math.min(count, buffer.remaining() >> 3);
            buffer.asLongBuffer().put(src, from, n);
            buffer.position(buffer.position() + 8 * n);
            from += n;
            count -= n;
        }
    }

    /** Appends raw bytes (for example a block copied from another file). */
    public void put(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            room(1);
            int n = Math.min(src.remaining(), buffer.remaining());
            ByteBuffer part = src.slice(src.position(), n);
            buffer.put(part);
            src.position(src.position() + n);
        }
    }

    private void room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }

    private void flush() throws IOException {
        buffer.flip();
        crc.update(buffer.duplicate());
        bodyBytes += buffer.remaining();
        FileWrites.write(channel, buffer, path);
        buffer.clear();
    }

    /**
     * Completes the file: footer, header with {@code counts}, fsync, close.
     *
     * @throws IllegalStateException if the body written does not have the length the counts imply (a bug in
     *                               the caller, not bad data)
     */
    public FileHeader finish(long... counts) throws IOException {
        flush();
        FileHeader header = new FileHeader(format.codec(), format.currentVersion(), counts);
        long expected = format.bodyLength(header);
        if (expected != bodyBytes) {
            throw new IllegalStateException(path + ": wrote " + bodyBytes + " body bytes but header " + header
                    + " implies " + expected);
        }
        StoreFileFormat.writeFraming(channel, path, channel.position(), crc.getValue(), header);
        finished = true;
        return header;
    }

    /** Closes the file; if {@link #finish} was not called, deletes the partial file. */
    @Override
    public void close() throws IOException {
        if (finished) {
            return;
        }
        channel.close();
        Files.deleteIfExists(path);
    }
}
