package io.pinsage.nn.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model or optimiser-state file is truncated, corrupt, of another kind or of an unsupported version. The
 * message names the file and what was wrong; the file is left as it was.
 */
public final class CorruptModelFileException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public CorruptModelFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CorruptModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
