package io.pinsage.csr.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes to files whose failure names the file: the operating system reports a full disk, a file-size limit or an
 * exhausted quota as a bare "No space left on device", "File too large" or "Disk quota exceeded", with no path.
 * Every write here that fails throws an {@link IOException} whose message is {@code FILE: cannot write N bytes at
 * byte P: WHAT HAPPENED (the system's words)}, with the system's exception as its cause.
 *
 * <p>Also {@link #allocate}, which makes a file's blocks real before it is mapped: a write through a mapping onto a
 * full disk is a fault that kills the process, a write through the channel is an exception naming the file.
 *
 * <p>Threading: as the channel's. Cost: one system call per write, as a plain loop of {@code write}.
 */
public final class FileWrites {

    private static final int ZERO_CHUNK = 1 << 20;

    private FileWrites() {
    }

    /** Writes all of {@code src} at the channel's position, advancing it. */
    public static void write(FileChannel channel, ByteBuffer src, Path file) throws IOException {
        long at = channel.position();
        int bytes = src.remaining();
        try {
            while (src.hasRemaining()) {
                channel.write(src);
            }
        } catch (IOException e) {
            throw failed(file, bytes, at, e);
        }
    }

    /** Writes all of {@code src} at byte {@code position}; the channel's position is left as it was. */
    public static void write(FileChannel channel, ByteBuffer src, long position, Path file) throws IOException {
        int bytes = src.remaining();
        try {
            for (long pos = position; src.hasRemaining(); ) {
                pos += channel.write(src, pos);
            }
        } catch (IOException e) {
            throw failed(file, bytes, position, e);
        }
    }

    /** Writes {@code text} as UTF-8 into {@code file}, replacing what it held. */
    public static void writeString(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            Files.write(file, bytes);
        } catch (java.nio.file.FileSystemException e) {
            throw e; // already names the file (cannot create it, no permission)
        } catch (IOException e) {
            throw failed(file, bytes.length, 0, e);
        }
    }

    /** Appends {@code text} as UTF-8 to {@code file}, created if absent. */
    public static void appendString(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            write(channel, ByteBuffer.wrap(bytes), file);
        }
    }

    /**
     * Writes zeros from the file's end up to {@code length} bytes, so that the file's blocks exist before it is
     * mapped; a file already as long is left as it is.
     */
    public static void allocate(FileChannel channel, long length, Path file) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, Math.max(length, 1)));
        for (long pos = channel.size(); pos < length; ) {
            int n = (int) Math.min(zeros.capacity(), length - pos);
            write(channel, zeros.clear().limit(n), pos, file);
            pos += n;
        }
    }

    /** The exception for {@code bytes} at byte {@code position} of {@code file} that failed with {@code cause}. */
    public static IOException failed(Path file, long bytes, long position, IOException cause) {
        return new IOException(file + ": cannot write " + bytes + " bytes at byte " + position + ": "
                + explain(cause.getMessage()), cause);
    }

    /**
     * The system's reason for a failed write in words that say what to do, followed by the system's own words in
     * parentheses; other reasons are returned as they are.
     */
    public static String explain(String reason) {
        if (reason == null) {
            return "the write failed";
        }
        if (reason.contains("No space left on device")) {
            return "the disk is full (" + reason + ")";
        }
        if (reason.contains("File too large")) {
            return "the file reached the largest size this process may write (ulimit -f) or the file system allows ("
                    + reason + ")";
        }
        if (reason.contains("Disk quota exceeded")) {
            return "the disk quota is used up (" + reason + ")";
        }
        return reason;
    }
}
