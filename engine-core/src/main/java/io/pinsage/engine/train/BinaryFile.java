package io.pinsage.engine.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The envelope shared by this package's binary files (checkpoints, models, neighbourhood tables):
 *
 * <pre>
 *   magic   8 bytes  ASCII codec name, e.g. "PSCKPT01"
 *   version int32    format version of that codec
 *   body    ...      big-endian primitives, written by the codec
 *   crc     int64    CRC32C of every byte before it
 * </pre>
 *
 * Files are written to a temporary sibling and moved into place atomically, so a reader sees the old file or
 * the new one, never a torn one, and a failed write leaves the old file untouched.
 */
final class BinaryFile {

    /** Writes a file's body. */
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads a file's body. */
    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private BinaryFile() {
    }

    static void write(Path file, String magic, int version, Writer body) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        CRC32C crc = new CRC32C();
        try (OutputStream raw = Files.newOutputStream(tmp);
             BufferedOutputStream buffered = new BufferedOutputStream(raw, 1 << 16);
             DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc))) {
            out.write(magic.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.writeInt(version);
            body.write(out);
            out.flush();
            DataOutputStream footer = new DataOutputStream(buffered);
            footer.writeLong(crc.getValue());
            footer.flush();
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static <T> T read(Path file, String magic, int version, Reader<T> body) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(file);
             BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
             DataInputStream in = new DataInputStream(new CheckedInputStream(buffered, crc))) {
            byte[] m = new byte[magic.length()];
            in.readFully(m);
            String found = new String(m, java.nio.charset.StandardCharsets.US_ASCII);
            if (!found.equals(magic)) {
                throw new CorruptCheckpointException(file.toString(), "magic '" + printable(found) + "', expected '" + magic + "'");
            }
            int v = in.readInt();
            if (v != version) {
                throw new CorruptCheckpointException(file.toString(), "version " + v + ", this build reads version " + version);
            }
            T value = body.read(in);
            long expected = crc.getValue();
            long stored = new DataInputStream(buffered).readLong();
            if (stored != expected) {
                throw new CorruptCheckpointException(file.toString(), "checksum mismatch (file damaged or truncated)");
            }
            if (buffered.read() != -1) {
                throw new CorruptCheckpointException(file.toString(), "trailing bytes after the checksum");
            }
            return value;
        } catch (EOFException e) {
            throw new CorruptCheckpointException(file.toString(), "truncated");
        } catch (IllegalArgumentException | NegativeArraySizeException | OutOfMemoryError e) {
            throw new CorruptCheckpointException(file.toString(), "inconsistent contents: " + e.getMessage());
        }
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(Math.min(a.length, 1 << 16) * 4);
        for (int i = 0; i < a.length; ) {
            buf.clear();
            int n = Math.min(a.length - i, buf.capacity() / 4);
            buf.asFloatBuffer().put(a, i, n);
            out.write(buf.array(), 0, n * 4);
            i += n;
        }
    }

    static float[] readFloats(DataInputStream in, int expected, String what) throws IOException {
        int n = in.readInt();
        if (expected >= 0 && n != expected) {
            throw new IllegalArgumentException(what + " has " + n + " floats, expected " + expected);
        }
        float[] a = new float[n];
        byte[] bytes = new byte[Math.min(n, 1 << 16) * 4];
        for (int i = 0; i < n; ) {
            int k = Math.min(n - i, bytes.length / 4);
            in.readFully(bytes, 0, k * 4);
            java.nio.ByteBuffer.wrap(bytes, 0, k * 4).asFloatBuffer().get(a, i, k);
            i += k;
        }
        return a;
    }

    static void writeInts(DataOutputStream out, int[] a) throws IOException {
        out.writeInt(a.length);
        for (int v : a) {
            out.writeInt(v);
        }
    }

    static int[] readInts(DataInputStream in, int expected, String what) throws IOException {
        int n = in.readInt();
        if (expected >= 0 && n != expected) {
            throw new IllegalArgumentException(what + " has " + n + " ints, expected " + expected);
        }
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readInt();
        }
        return a;
    }
}
