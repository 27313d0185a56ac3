package io.pinsage.csr.format;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A store file or store directory is not what its format says it must be: truncated, wrong magic, unknown
 * codec, unsupported version, checksum mismatch, missing or foreign file. The message always names the file
 * and what is wrong, so that an operator can act on it without a stack trace.
 *
 * <p>Distinct from configuration errors ({@link IllegalArgumentException}) and from plain I/O failures: a
 * {@code CorruptStoreException} means the bytes on disk are wrong, and retrying will not help. Reads that find the
 * damage where no checked exception can pass (a walk, a row read) throw it wrapped by {@link #unchecked()}.
 */
public class CorruptStoreException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file   the file (or directory) that is corrupt
     * @param reason what is wrong with it, in words
     */
    public CorruptStoreException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    /** As {@link #CorruptStoreException(Path, String)}, keeping the exception that revealed the damage. */
    public CorruptStoreException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    /** The file or directory at fault. */
    public Path file() {
        return file;
    }

    /** This exception wrapped for code that cannot throw checked exceptions, with the same message. */
    public UncheckedIOException unchecked() {
        return new UncheckedIOException(getMessage(), this);
    }
}
