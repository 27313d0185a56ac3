package io.pinsage.csr.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The two small text files that make a directory of store files one atomically published store (see
 * {@link StoreDirectory}). Both are UTF-8 text ending in a checksum line, so that a torn or edited file is
 * detected.
 *
 * <p>{@code CURRENT}, at the store root, names the published generation:
 * <pre>
 *  pinsage-store 1 gen-00000007
 *  crc32c 1a2b3c4d            CRC32C of the bytes of the line(s) above, 8 lower-case hex digits
 * </pre>
 *
 * <p>{@code MANIFEST}, inside each generation directory, lists every other file of the generation and its
 * exact length, sorted by name:
 * <pre>
 *  pinsage-manifest 1
 *  left.offsets 8000096       name TAB length in bytes
 *  ...
 *  crc32c 5e6f7a8b
 * </pre>
 * A file present but not listed is foreign; listed but absent is missing; listed with another length is
 * truncated or extended. Each file then checks its own header ({@link StoreFileFormat}).
 *
 * <p>Stateless; thread-safe.
 */
public final class ManifestFormat {

    public static final String CURRENT = "CURRENT";
    public static final String MANIFEST = "MANIFEST";
    public static final int VERSION = 1;
    static final String CURRENT_TAG = "pinsage-store";
    static final String MANIFEST_TAG = "pinsage-manifest";

    private ManifestFormat() {
    }

    /** Text of a {@code CURRENT} file pointing at {@code generation}. */
    public static String encodeCurrent(String generation) {
        return withChecksum(CURRENT_TAG + " " + VERSION + " " + generation + "\n");
    }

    /** Text of a {@code MANIFEST} for {@code files} (name to length). */
    public static String encodeManifest(Map<String, Long> files) {
        StringBuilder sb = new StringBuilder(MANIFEST_TAG + " " + VERSION + "\n");
        new TreeMap<>(files).forEach((name, length) -> sb.append(name).append('\t').append(length).append('\n'));
        return withChecksum(sb.toString());
    }

    /**
     * Reads the generation name from {@code file} (a {@code CURRENT}).
     *
     * @throws CorruptStoreException if it is missing, torn or of another version
     */
    public static String readCurrent(Path file) throws IOException {
        String[] lines = checkedLines(file, "no published store here (build one first)");
        String[] f = lines[0].split(" ");
        if (lines.length != 1 || f.length != 3 || !f[0].equals(CURRENT_TAG)) {
            throw new CorruptStoreException(file, "expected one line '" + CURRENT_TAG + " <version> <generation>', got '" + lines[0] + "'");
        }
        checkVersion(file, f[1]);
        if (!f[2].matches("gen-\\d{8}")) {
            throw new CorruptStoreException(file, "generation '" + f[2] + "' is not of the form gen-NNNNNNNN");
        }
        return f[2];
    }

    /** Reads a {@code MANIFEST}: file name to length, in name order. */
    public static Map<String, Long> readManifest(Path file) throws IOException {
        String[] lines = checkedLines(file, "missing manifest: the generation was never published");
        String[] f = lines[0].split(" ");
        if (f.length != 2 || !f[0].equals(MANIFEST_TAG)) {
            throw new CorruptStoreException(file, "expected first line '" + MANIFEST_TAG + " <version>', got '" + lines[0] + "'");
        }
        checkVersion(file, f[1]);
        Map<String, Long> files = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] e = lines[i].split("\t");
            try {
                files.put(e[0], Long.parseLong(e[1]));
            } catch (RuntimeException ex) {
                throw new CorruptStoreException(file, "line " + (i + 1) + " '" + lines[i] + "': expected name TAB length", ex);
            }
        }
        return files;
    }

    private static void checkVersion(Path file, String v) throws CorruptStoreException {
        if (!String.valueOf(VERSION).equals(v)) {
            throw new CorruptStoreException(file, "unsupported version " + v + ", this build reads " + VERSION);
        }
    }

    static String withChecksum(String text) {
        return text + "crc32c " + crcHex(text) + "\n";
    }

    private static String crcHex(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** The lines before the checksum line, after checking it. */
    static String[] checkedLines(Path file, String ifMissing) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CorruptStoreException(file, ifMissing, e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new CorruptStoreException(file, "not UTF-8 text", e);
        }
        int cut = text.lastIndexOf("crc32c ");
        if (cut < 0 || !text.endsWith("\n")) {
            throw new CorruptStoreException(file, "torn or foreign file: no checksum line");
        }
        String body = text.substring(0, cut);
        String stored = text.substring(cut + 7, text.length() - 1);
        if (!stored.equals(crcHex(body))) {
            throw new CorruptStoreException(file, "checksum " + crcHex(body) + " does not match stored " + stored);
        }
        if (body.isEmpty()) {
            throw new CorruptStoreException(file, "empty");
        }
        return body.substring(0, body.length() - 1).split("\n");
    }
}
