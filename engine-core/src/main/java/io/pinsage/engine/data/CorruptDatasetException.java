package io.pinsage.engine.data;

/**
 * A dataset file does not hold what its format promises. The message names the file, the line (1-based) and
 * what was expected there, so that the user can fix the input; nothing has been written when it is thrown.
 */
public final class CorruptDatasetException extends java.io.IOException {

    /** @param file the file's path as the user gave it; {@code line} 1-based, or 0 for the whole file */
    public CorruptDatasetException(String file, long line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
    }
}
