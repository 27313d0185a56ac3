package io.pinsage.nn.model;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The file format of model weights ({@link #MODEL_CODEC}) and optimiser state ({@link #OPTIMIZER_CODEC}): a
 * header, string metadata, named float matrices, and a checksummed footer. All integers little-endian.
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "PSNN" (0x50 0x53 0x4E 0x4E)
 * 4       4     version, int32 (VERSION_CURRENT = 1)
 * 8       var   codec name, string (what the file holds: "pinsage-model" or "pinsage-adam")
 *         4     metadata entry count M, int32
 *         var   M x (key string, value string)              e.g. the PinSageConfig fields, the Adam step
 *         4     tensor count T, int32
 *         var   T x (name string, rows int32, cols int32, rows·cols float32 row-major)
 * end-8   4     footer magic "PEND" (0x50 0x45 0x4E 0x44)
 * end-4   4     CRC32C of every byte before the footer, int32
 *
 * string = byte length L int32, then L bytes of UTF-8
 * </pre>
 *
 * <p>Readers check, in order: length, magic, footer magic (a truncated file fails here), checksum, version,
 * codec, then parse; any failure is a {@link CorruptModelFileException} naming the file. Writers publish
 * atomically: write a temporary sibling, force it to disk, rename over the target; a crash leaves the old
 * file intact. Stateless and thread-safe; files are read whole into memory (models are megabytes; a
 * 70 000-row id table of width 256 is 72 MB).
 */
public final class ModelFormat {

    /** Codec name of model weight files. */
    public static final String MODEL_CODEC = "pinsage-model";
    /** Codec name of optimiser state files. */
    public static final String OPTIMIZER_CODEC = "pinsage-adam";
    /** First version of the layout. */
    public static final int VERSION_START = 1;
    /** Version this code writes; it reads {@code VERSION_START..VERSION_CURRENT}. */
    public static final int VERSION_CURRENT = 1;

    static final int MAGIC = 0x4E4E5350;
    static final int FOOTER_MAGIC = 0x444E4550;
    static final int FOOTER_BYTES = 8;
    private static final int MAX_STRING_BYTES = 1 << 16;

    private ModelFormat() {
    }

    /** A named row-major matrix, as stored. */
    public record NamedMatrix(String name, int rows, int cols, float[] values) {
        public NamedMatrix {
            if (rows < 0 || cols < 0 || values.length != (long) rows * cols) {
                throw new IllegalArgumentException("matrix " + name + " rows=" + rows + " cols=" + cols
                        + " values.length=" + values.length);
            }
        }
    }

    /** What a file holds. */
    public record Contents(String codec, int version, Map<String, String> metadata, List<NamedMatrix> matrices) {

        /** The matrix named {@code name}, or null. */
        public NamedMatrix matrix(String name) {
            for (NamedMatrix m : matrices) {
                if (m.name().equals(name)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** Writes a file atomically (temporary sibling, fsync, rename). */
    public static void write(Path file, String codec, Map<String, String> metadata, List<NamedMatrix> matrices)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ChecksummedWriter out = new ChecksummedWriter(ch);
                out.putInt(MAGIC);
                out.putInt(VERSION_CURRENT);
                out.putString(codec);
                out.putInt(metadata.size());
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    out.putString(e.getKey());
                    out.putString(e.getValue());
                }
                out.putInt(matrices.size());
                for (NamedMatrix m : matrices) {
                    out.putString(m.name());
                    out.putInt(m.rows());
                    out.putInt(m.cols());
                    out.putFloats(m.values());
                }
                out.finish();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads and verifies a file.
     *
     * @param expectedCodec the codec the caller needs; another one is rejected
     * @throws CorruptModelFileException if the file is truncated, corrupt, of another codec or version
     * @throws IOException               if it cannot be read
     */
    public static Contents read(Path file, String expectedCodec) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 8 + FOOTER_BYTES) {
            throw new CorruptModelFileException(file, "truncated: " + bytes.length + " bytes is shorter than any"
                    + " model file");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(0) != MAGIC) {
            throw new CorruptModelFileException(file, "not a model file (magic 0x"
                    + Integer.toHexString(buf.getInt(0)) + ", expected 0x" + Integer.toHexString(MAGIC) + ")");
        }
        int body = bytes.length - FOOTER_BYTES;
        if (buf.getInt(body) != FOOTER_MAGIC) {
            throw new CorruptModelFileException(file, "truncated or overwritten: no footer at byte " + body);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, body);
        int stored = buf.getInt(body + 4);
        if ((int) crc.getValue() != stored) {
            throw new CorruptModelFileException(file, "checksum mismatch: stored 0x" + Integer.toHexString(stored)
                    + ", computed 0x" + Integer.toHexString((int) crc.getValue()));
        }
        int version = buf.getInt(4);
        if (version < VERSION_START || version > VERSION_CURRENT) {
            throw new CorruptModelFileException(file, "version " + version + " is not supported (this build reads "
                    + VERSION_START + ".." + VERSION_CURRENT + ")");
        }
        buf.position(8).limit(body);
        try {
            String codec = getString(buf);
            if (!codec.equals(expectedCodec)) {
                throw new CorruptModelFileException(file, "holds " + codec + ", expected " + expectedCodec);
            }
            int entries = getCount(buf);
            Map<String, String> metadata = new LinkedHashMap<>();
            for (int i = 0; i < entries; i++) {
                metadata.put(getString(buf), getString(buf));
            }
            int count = getCount(buf);
            List<NamedMatrix> matrices = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = getString(buf);
                int rows = getCount(buf);
                int cols = getCount(buf);
                long size = (long) rows * cols;
                if (size * Float.BYTES > buf.remaining()) {
                    throw new BufferUnderflowException();
                }
                float[] values = new float[(int) size];
                buf.asFloatBuffer().get(values);
                buf.position(buf.position() + values.length * Float.BYTES);
                matrices.add(new NamedMatrix(name, rows, cols, values));
            }
            if (buf.hasRemaining()) {
                throw new CorruptModelFileException(file, buf.remaining() + " unexpected bytes before the footer");
            }
            return new Contents(codec, version, Collections.unmodifiableMap(metadata),
                    Collections.unmodifiableList(matrices));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptModelFileException(file, "malformed content at byte " + buf.position(), e);
        }
    }

    private static int getCount(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0) {
            throw new IllegalArgumentException("negative count " + n);
        }
        return n;
    }

    private static String getString(ByteBuffer buf) {
        int n = getCount(buf);
        if (n > MAX_STRING_BYTES || n > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] b = new byte[n];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Buffered little-endian writes to a channel, with a running CRC32C of everything written. */
    private static final class ChecksummedWriter {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();

        ChecksummedWriter(FileChannel channel) {
            this.channel = channel;
        }

        void putInt(int v) throws IOException {
            ensure(Integer.BYTES);
            buffer.putInt(v);
        }

        void putString(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("string of " + b.length + " bytes is too long for a model file");
            }
            putInt(b.length);
            ensure(b.length);
            buffer.put(b);
        }

        void putFloats(float[] values) throws IOException {
            int i = 0;
            while (i < values.length) {
                ensure(Float.BYTES);
                int n = Math.min(values.length - i, buffer.remaining() / Float.BYTES);
                buffer.asFloatBuffer().put(values, i, n);
                buffer.position(buffer.position() + n * Float.BYTES);
                i += n;
            }
        }

        void finish() throws IOException {
            drain();
            ByteBuffer footer = ByteBuffer.allocate(FOOTER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            footer.putInt(FOOTER_MAGIC).putInt((int) crc.getValue()).flip();
            while (footer.hasRemaining()) {
                channel.write(footer);
            }
        }

        private void ensure(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                drain();
            }
        }

        private void drain() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }
    }
}
