package io.pinsage.csr.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a store generation comes from: its content fingerprint, and the generations a compaction wrote it from
 * ({@value #FILE}, a file of the generation). A model or anything else keyed by dense ids records the fingerprint of
 * the generation it was made on; a later generation whose lineage names that fingerprint descends from it, so it
 * holds the same nodes under the same dense ids, and more.
 *
 * <p>{@value #FILE} is UTF-8 text ending in a checksum line, like the manifest; one line per ancestor, the parent first:
 * <pre>
 *  pinsage-lineage 1
 *  3f9c0a...e1 pins=1000 boards=40 edges=10000    fingerprint (32 hex digits), then the ancestor's counts
 *  ...
 *  crc32c 5e6f7a8b
 * </pre>
 * A generation a build wrote has no such file: it has no ancestors.
 *
 * <p>The fingerprint is the first 32 hex digits of a SHA-256 over every file of the generation in name order: its
 * name and length and, for a framed store file, its header and footer (the header's counts and the body's CRC32C,
 * see {@link StoreFileFormat}), for any other file its bytes. Cost: two small reads per framed file, so it does not
 * grow with the store's size. Stateless; thread-safe.
 */
public final class StoreLineage {

    /** The lineage file of a generation. */
    public static final String FILE = "lineage";
    static final String TAG = "pinsage-lineage";
    static final int VERSION = 1;
    private static final int FINGERPRINT_HEX_DIGITS = 32;

    private StoreLineage() {
    }

    /** A generation an ancestor of another was, with its node and edge counts. */
    public record Ancestor(String fingerprint, int pins, int boards, long edges) {

        /** As the lineage file and error messages write it. */
        @Override
        public String toString() {
            return fingerprint + " pins=" + pins + " boards=" + boards + " edges=" + edges;
        }
    }

    /**
     * The content fingerprint of {@code generation}.
     *
     * @throws IOException a listed file cannot be read
     */
    public static String fingerprint(StoreGeneration generation) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        for (Map.Entry<String, Long> f : new TreeMap<>(generation.files()).entrySet()) {
            sha.update((f.getKey() + "\t" + f.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
            Path file = generation.file(f.getKey());
            long length = f.getValue();
            ByteBuffer header = ByteBuffer.allocate(StoreFileFormat.HEADER_LENGTH);
            ByteBuffer footer = ByteBuffer.allocate(StoreFileFormat.FOOTER_LENGTH);
            boolean framed = false;
            if (length >= StoreFileFormat.HEADER_LENGTH + StoreFileFormat.FOOTER_LENGTH) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    readFully(ch, header, 0);
                    readFully(ch, footer, length - StoreFileFormat.FOOTER_LENGTH);
                }
                framed = header.order(StoreFileFormat.BYTE_ORDER).getInt(StoreFileFormat.MAGIC_OFFSET) == StoreFileFormat.MAGIC
                        && footer.order(StoreFileFormat.BYTE_ORDER).getInt(StoreFileFormat.FOOTER_MAGIC_OFFSET)
                        == StoreFileFormat.FOOTER_MAGIC;
            }
            if (framed) {
                sha.update(header.array());
                sha.update(footer.array());
            } else {
                try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, FINGERPRINT_HEX_DIGITS / 2);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            if (ch.read(dst, position + dst.position()) < 0) {
                throw new IOException(ch + ": shorter than its manifest says");
            }
        }
    }

    /**
     * The ancestors of {@code generation}, its parent first; empty for a generation a build wrote.
     *
     * @throws CorruptStoreException naming the file and line if its lineage file is torn or malformed
     */
    public static List<Ancestor> read(StoreGeneration generation) throws IOException {
        if (!generation.files().containsKey(FILE)) {
            return List.of();
        }
        Path file = generation.file(FILE);
        String[] lines = ManifestFormat.checkedLines(file, "listed in the manifest but missing");
        if (!lines[0].equals(TAG + " " + VERSION)) {
            throw new CorruptStoreException(file, "line 1 '" + lines[0] + "': expected '" + TAG + " " + VERSION + "'");
        }
        List<Ancestor> out = new ArrayList<>(lines.length - 1);
        for (int i = 1; i < lines.length; i++) {
            out.add(parse(file, i + 1, lines[i]));
        }
        return out;
    }

    private static Ancestor parse(Path file, int line, String text) throws CorruptStoreException {
        String[] f = text.split(" ");
        try {
            if (f.length == 4 && f[0].length() == FINGERPRINT_HEX_DIGITS && f[1].startsWith("pins=")
                    && f[2].startsWith("boards=") && f[3].startsWith("edges=")) {
                HexFormat.of().parseHex(f[0]);
                return new Ancestor(f[0], Integer.parseInt(f[1].substring(5)), Integer.parseInt(f[2].substring(7)),
                        Long.parseLong(f[3].substring(6)));
            }
        } catch (IllegalArgumentException e) {
            // a malformed hex digit or count: the refusal below names the line
        }
        throw new CorruptStoreException(file, "line " + line + " '" + text + "': expected '<" + FINGERPRINT_HEX_DIGITS
                + " hex digits> pins=N boards=N edges=N'");
    }

    /**
     * The lineage of a generation written from {@code parent}, which has {@code pins}, {@code boards} and
     * {@code edges}: the parent, then its own ancestors.
     */
    public static List<Ancestor> childOf(StoreGeneration parent, int pins, int boards, long edges) throws IOException {
        List<Ancestor> out = new ArrayList<>();
        out.add(new Ancestor(fingerprint(parent), pins, boards, edges));
        out.addAll(read(parent));
        return out;
    }

    /** Writes {@code ancestors} as {@code dir}/{@value #FILE}, for a publication to commit with the rest. */
    public static void write(Path dir, List<Ancestor> ancestors) throws IOException {
        StringBuilder sb = new StringBuilder(TAG + " " + VERSION + "\n");
        for (Ancestor a : ancestors) {
            sb.append(a).append('\n');
        }
        FileWrites.writeString(dir.resolve(FILE), ManifestFormat.withChecksum(sb.toString()));
    }
}
