package io.pinsage.engine.pipeline;

import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * What a published store generation holds, as a short text that is the same on every machine holding a copy of it
 * and differs when any of its data differs: a digest of each store file's name, length, header (with its CRC32C) and
 * footer (with the CRC32C of its body). A path, a modification time or a text file beside the store files (such as
 * the settings a neighbourhood store records, which name the graph's path) does not enter it.
 *
 * <p>Stateless. Cost: two small reads per file of the generation, whatever its size; the checksums it relies on are
 * those {@link StoreFileFormat} writes, which a store's verification checks against the data.
 */
final class StoreContent {

    /** A store file's header and footer: magic to the header's CRC; footer magic to the body's CRC. */
    private static final int HEADER = 80;
    private static final int FOOTER = 16;

    private StoreContent() {
    }

    /**
     * The first 16 bytes of the digest in hex. Copies of a generation, and generations built alike in other
     * directories, give the same text.
     *
     * @throws IOException if a listed file cannot be read
     */
    static String of(StoreGeneration generation) throws IOException {
        MessageDigest md = sha256();
        // sorted, so that the digest does not depend on the manifest's order
        for (var e : new TreeMap<>(generation.files()).entrySet()) {
            update(md, generation.file(e.getKey()), e.getValue());
        }
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    /** As {@link #of(StoreGeneration)}, for the one store file {@code file}. */
    static String of(Path file) throws IOException {
        MessageDigest md = sha256();
        update(md, file, Files.size(file));
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Adds {@code file}'s name, length, header and footer, if it is a store file; nothing otherwise. */
    private static void update(MessageDigest md, Path file, long length) throws IOException {
        if (length < HEADER + FOOTER) {
            return;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer footer = ByteBuffer.allocate(FOOTER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            readFully(ch, header, 0);
            if (header.getInt(StoreFileFormat.MAGIC_OFFSET) != StoreFileFormat.MAGIC) {
                return;
            }
            readFully(ch, footer, length - FOOTER);
        }
        md.update((file.getFileName() + "\n" + length + "\n").getBytes(StandardCharsets.UTF_8));
        md.update(header.flip());
        md.update(footer.flip());
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }
}
