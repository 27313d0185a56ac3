package io.pinsage.csr.live;

import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.FileWrites;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadFactory;
import java.util.zip.CRC32C;

/**
 * A live graph's write-ahead log ({@link EdgeLogFormat}): framed, checksummed records appended by one writer and
 * forced to the device as {@link LogSync} says.
 *
 * <p>Positions ({@link #append}'s results) are logical: they keep growing across {@link #cut}s, which drop a prefix
 * of the file.
 *
 * <p>Threading: {@link #append} and {@link #cut} from the writer only; {@link #awaitDurable} from any thread; the
 * group commit flusher is a thread of its own from the caller's {@link ThreadFactory}. Errors: a failed fsync is kept
 * and rethrown by every later {@link #awaitDurable} and {@link #append}: nothing is acknowledged after it.
 */
final class EdgeLog implements Closeable {

    /**
     * What opening an existing log found: records and edges replayed, the bytes of a torn tail dropped, and the end of
     * the records the store already holds (the header's end when none), where the opener completes the cut.
     */
    record Replay(long records, long edges, long droppedBytes, boolean tornTail, long storedEnd) {
    }

    /** Reads the records of a log being opened, in order. */
    @FunctionalInterface
    interface RecordReader {
        /**
         * Reads one valid record's payload: applies it, or, when {@code stored} (the store holds its edges), only
         * takes note of it.
         *
         * @return the record's edges that a compaction writes into a store: those of positive weight
         */
        long read(ByteBuffer payload, boolean stored);
    }

    /** Suffix of the file a {@link #cut} writes before renaming it over the log. */
    static final String NEXT_SUFFIX = ".next";

    private final Path file;
    /** Replaced by {@link #cut} under {@link #channelLock}, which the flusher's fsync also holds. */
    private volatile FileChannel channel;
    private final Object channelLock = new Object();
    /** Logical bytes cut off the front so far: a record at logical position p lies at p - shift in the file. Writer only. */
    private long shift;
    /** The logical position of the first record the last cut kept (the header's end before any cut). Writer only. */
    private long kept = EdgeLogFormat.HEADER_BYTES;
    private final LogSync sync;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer recordHeader = ByteBuffer.allocate(EdgeLogFormat.RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final Thread flusher;
    private final Object durableLock = new Object();
    /** Bytes written so far (the end of the last record); written by the writer, read by the flusher. */
    private volatile long written;
    /** Bytes known to be on the device; guarded by {@link #durableLock} for waiting, volatile for the fast check. */
    private volatile long durable;
    private volatile IOException failure;
    private volatile boolean closed;
    private final Replay replay;

    private EdgeLog(Path file, FileChannel channel, LogSync sync, long end, Replay replay, ThreadFactory threads) {
        this.file = file;
        this.channel = channel;
        this.sync = sync;
        this.written = end;
        this.durable = end;
        this.replay = replay;
        if (sync.grouped()) {
            flusher = threads.newThread(this::flushLoop);
            flusher.start();
        } else {
            flusher = null;
        }
    }

    /**
     * Opens (or creates) the log at {@code file} for a base of {@code baseEdges} edges, hands every valid record's
     * payload to {@code reader} in order, and drops a torn tail: from the first record whose length or checksum does
     * not hold to the end of the file (no acknowledged record can follow it, since its fsync would have covered the
     * bytes before it). A log whose header names a smaller base extends a store that a compaction has since
     * replaced: its first records, exactly as many edges of positive weight as the store has beyond the header's base,
     * are in the store; they are read as stored, and {@link Replay#storedEnd()} says where the opener is to
     * {@link #cut} them off ({@link EdgeLogFormat}). A version 1 log gets the current version in its header.
     *
     * @throws CorruptStoreException if the header is damaged, names a larger base, or the records do not reach the
     *                               base's edge count at a record's end
     */
    static EdgeLog open(Path file, long baseEdges, LogSync sync, ThreadFactory threads, RecordReader reader)
            throws IOException {
        // a cut that died before its rename: the log it was to replace is still whole
        Files.deleteIfExists(next(file));
        boolean fresh = !Files.exists(file) || Files.size(file) < EdgeLogFormat.HEADER_BYTES;
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (fresh) {
                ByteBuffer h = ByteBuffer.allocate(EdgeLogFormat.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                h.putInt(EdgeLogFormat.MAGIC).putInt(EdgeLogFormat.VERSION).putLong(baseEdges).flip();
                ch.truncate(0);
                writeFully(ch, h, 0, file);
                ch.force(true);
                forceDirectory(file.toAbsolutePath().getParent());
                return new EdgeLog(file, ch, sync, EdgeLogFormat.HEADER_BYTES,
                        new Replay(0, 0, 0, false, EdgeLogFormat.HEADER_BYTES), threads);
            }
            ByteBuffer h = ByteBuffer.allocate(EdgeLogFormat.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            h.flip();
            int magic = h.getInt();
            int version = h.getInt();
            long base = h.getLong();
            if (magic != EdgeLogFormat.MAGIC
                    || (version != EdgeLogFormat.VERSION && version != EdgeLogFormat.VERSION_1)) {
                throw new CorruptStoreException(file, "not an edge log of version " + EdgeLogFormat.VERSION_1 + " to "
                        + EdgeLogFormat.VERSION + " (magic " + Integer.toHexString(magic) + ", version " + version + ")");
            }
            if (base > baseEdges) {
                throw new CorruptStoreException(file, "extends a base of " + base + " edges, but the store has "
                        + baseEdges);
            }
            long skip = baseEdges - base;
            long skipEnd = EdgeLogFormat.HEADER_BYTES;
            long size = ch.size();
            long pos = EdgeLogFormat.HEADER_BYTES;
            long records = 0;
            long edges = 0;
            CRC32C crc = new CRC32C();
            ByteBuffer head = ByteBuffer.allocate(EdgeLogFormat.RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (pos + EdgeLogFormat.RECORD_HEADER_BYTES <= size) {
                head.clear();
                readFully(ch, head, pos);
                head.flip();
                int length = head.getInt();
                int sum = head.getInt();
                long end = pos + EdgeLogFormat.RECORD_HEADER_BYTES + length;
                if (length < EdgeLogFormat.MIN_PAYLOAD || length > EdgeLogFormat.MAX_PAYLOAD || end > size) {
                    break;
                }
                ByteBuffer payload = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, payload, pos + EdgeLogFormat.RECORD_HEADER_BYTES);
                payload.flip();
                crc.reset();
                crc.update(payload.duplicate());
                if ((int) crc.getValue() != sum) {
                    break;
                }
                int recordEdges = payload.getInt(8);
                if (skip > 0) {
                    long stored = reader.read(payload, true);
                    if (stored > skip) {
                        throw new CorruptStoreException(file, "record at byte " + pos + " holds " + stored
                                + " edges across the end of the store's " + baseEdges + ": the log is not this store's");
                    }
                    skip -= stored;
                    skipEnd = end;
                } else {
                    edges += recordEdges;
                    reader.read(payload, false);
                    records++;
                }
                pos = end;
            }
            if (skip > 0) {
                throw new CorruptStoreException(file, "extends a base of " + base + " edges and ends " + skip
                        + " edges short of the store's " + baseEdges + ": the log is not this store's");
            }
            long dropped = size - pos;
            if (dropped > 0) {
                ch.truncate(pos);
            }
            if (version == EdgeLogFormat.VERSION_1) {
                // its records read the same under the current version, which may append source positions to them
                writeFully(ch, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, EdgeLogFormat.VERSION),
                        EdgeLogFormat.VERSION_OFFSET, file);
            }
            if (dropped > 0 || version == EdgeLogFormat.VERSION_1) {
                ch.force(true);
            }
            return new EdgeLog(file, ch, sync, pos, new Replay(records, edges, dropped, dropped > 0, skipEnd), threads);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** What opening found. */
    Replay replay() {
        return replay;
    }

    /**
     * Writer only: appends one record with {@code payload} (position to limit) and returns its end, the position
     * to {@link #awaitDurable}. Under {@link LogSync#eachBatch()} the record is durable when this returns.
     */
    long append(ByteBuffer payload) throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException(file + ": an earlier fsync failed, nothing more is accepted", f);
        }
        int length = frame(payload);
        long pos = written;
        FileChannel ch = channel;
        writeFully(ch, recordHeader, pos - shift, file);
        writeFully(ch, payload, pos - shift + EdgeLogFormat.RECORD_HEADER_BYTES, file);
        long end = pos + EdgeLogFormat.RECORD_HEADER_BYTES + length;
        written = end;
        if (!sync.grouped()) {
            ch.force(false);
            durable = end;
        }
        return end;
    }

    /** Fills {@link #recordHeader} for {@code payload} (position to limit) and returns its length. */
    private int frame(ByteBuffer payload) {
        int length = payload.remaining();
        crc.reset();
        crc.update(payload.duplicate());
        recordHeader.clear();
        recordHeader.putInt(length).putInt((int) crc.getValue()).flip();
        return length;
    }

    /** The end of the last record appended: the position a batch appended before now is durable at. Writer only. */
    long written() {
        return written;
    }

    /**
     * Drops the records before {@code position} (an {@link #append} result, or the header's end), whose edges a
     * compaction has published in a store of {@code baseEdges} edges: writes {@code first} (a payload standing for
     * what the dropped records say beyond their edges, or null) and the records from {@code position} on after a
     * header naming that base into a new file, forces it, renames it over the log and forces the directory. A crash
     * before the rename leaves the old log, whose surplus prefix reopening skips; after it, the new one. Positions
     * stay valid. Writer only. Cost: a copy of the records after {@code position}.
     *
     * @throws IOException if the new file cannot be written; the log stays as it was and in use
     */
    void cut(long position, long baseEdges, ByteBuffer first) throws IOException {
        if (position < kept || position > written) {
            throw new IllegalArgumentException("position=" + position + ": outside the log's records [" + kept + ", "
                    + written + "]");
        }
        Path tmp = next(file);
        FileChannel fresh = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer h = ByteBuffer.allocate(EdgeLogFormat.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(EdgeLogFormat.MAGIC).putInt(EdgeLogFormat.VERSION).putLong(baseEdges).flip();
            writeFully(fresh, h, 0, tmp);
            long at = EdgeLogFormat.HEADER_BYTES;
            if (first != null) {
                frame(first);
                writeFully(fresh, recordHeader, at, tmp);
                at += EdgeLogFormat.RECORD_HEADER_BYTES;
                at += writeFully(fresh, first, at, tmp);
            }
            long from = position - shift;
            long count = written - position;
            for (long done = 0; done < count; ) {
                done += channel.transferTo(from + done, count - done, fresh.position(at + done));
            }
            fresh.force(true);
            synchronized (channelLock) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                FileChannel old = channel;
                channel = fresh;
                shift = position - at;
                kept = position;
                old.close();
            }
        } catch (IOException | RuntimeException e) {
            if (channel != fresh) {
                fresh.close();
                Files.deleteIfExists(tmp);
            }
            throw e;
        }
        forceDirectory(file.toAbsolutePath().getParent());
        // the new file was forced whole: everything written so far is durable in it
        synchronized (durableLock) {
            durable = written;
            durableLock.notifyAll();
        }
    }

    private static Path next(Path file) {
        return file.resolveSibling(file.getFileName() + NEXT_SUFFIX);
    }

    /** Returns once the log is durable up to {@code position} (an {@link #append} result). Any thread. */
    void awaitDurable(long position) throws IOException {
        if (durable >= position) {
            return;
        }
        synchronized (durableLock) {
            while (durable < position) {
                if (failure != null) {
                    throw new IOException(file + ": fsync failed, the batch is not acknowledged", failure);
                }
                if (closed) {
                    throw new IOException(file + ": closed before the batch was durable");
                }
                try {
                    durableLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for " + file + " to be durable");
                }
            }
        }
    }

    private void flushLoop() {
        while (!closed) {
            try {
                Thread.sleep(sync.periodMillis());
            } catch (InterruptedException e) {
                break; // close() interrupts; it forces what is left itself
            }
            try {
                forceUpTo(written);
            } catch (IOException e) {
                synchronized (durableLock) {
                    failure = e;
                    durableLock.notifyAll();
                }
                return;
            }
        }
    }

    private void forceUpTo(long end) throws IOException {
        if (end > durable) {
            synchronized (channelLock) {
                channel.force(false);
            }
            synchronized (durableLock) {
                durable = end;
                durableLock.notifyAll();
            }
        }
    }

    /** Forces what was written, stops the flusher and closes the file. Writer only. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (flusher != null) {
                flusher.interrupt();
                try {
                    flusher.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failure == null && channel.isOpen()) {
                forceUpTo(written);
            }
        } finally {
            synchronized (durableLock) {
                closed = true;
                durableLock.notifyAll();
            }
            channel.close();
        }
    }

    /** Writes all of {@code b} at {@code pos} ({@link FileWrites}: a full disk names {@code path}); returns the bytes. */
    private static long writeFully(FileChannel ch, ByteBuffer b, long pos, Path path) throws IOException {
        int bytes = b.remaining();
        FileWrites.write(ch, b, pos, path);
        return bytes;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + pos);
            }
            pos += n;
        }
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
