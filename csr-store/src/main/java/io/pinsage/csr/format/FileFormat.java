package io.pinsage.csr.format;

/**
 * One kind of store file: its codec name, the versions a reader understands, and the body length its header's
 * counts imply. Every persisted format has exactly one class implementing this, which also documents the
 * body's layout field by field; the common header and footer are specified by {@link StoreFileFormat}.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface FileFormat {

    /** Codec name written into the header, at most {@link StoreFileFormat#CODEC_LENGTH} ASCII characters. */
    String codec();

    /** Oldest version a reader of this build accepts. */
    int minVersion();

    /** Version written by this build; also the newest a reader accepts. */
    int currentVersion();

    /**
     * Body length in bytes implied by a header's counts; opening a file checks that the file is exactly
     * header + body + footer long.
     *
     * @throws IllegalArgumentException if the counts are impossible (negative, inconsistent)
     */
    long bodyLength(FileHeader header);
}
