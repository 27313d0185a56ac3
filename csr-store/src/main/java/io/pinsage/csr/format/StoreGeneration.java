package io.pinsage.csr.format;

import java.nio.file.Path;
import java.util.Map;

/**
 * One published generation of a store directory, as found by {@link StoreDirectory#openCurrent}: its files
 * were all present with the lengths its manifest lists, and no other file was there. Immutable.
 *
 * @param root       the store directory
 * @param name       the generation, {@code gen-NNNNNNNN}
 * @param directory  {@code root/name}, where the store's files live
 * @param files      every file of the generation (the manifest excluded) and its length in bytes, by name
 */
public record StoreGeneration(Path root, String name, Path directory, Map<String, Long> files) {

    /** Path of the file {@code fileName} of this generation (whether or not it is listed). */
    public Path file(String fileName) {
        return directory.resolve(fileName);
    }

    /** Total bytes of all listed files. */
    public long totalBytes() {
        return files.values().stream().mapToLong(Long::longValue).sum();
    }
}
