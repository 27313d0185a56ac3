package io.pinsage.csr;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Input data (an edge list, a feature file) is malformed: the message names the file, the line (when there is
 * one), the offending text and what was expected. Distinct from {@link IllegalArgumentException}, which means
 * bad configuration, and from {@link io.pinsage.csr.format.CorruptStoreException}, which means a damaged store.
 */
public class BadInputException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;

    /**
     * @param line 1-based line number, or 0 when the problem is not on one line
     */
    public BadInputException(Path file, long line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, or 0. */
    public long line() {
        return line;
    }
}
