package io.pinsage.engine.train;

/** A checkpoint or model file cannot be read back: wrong magic, version, shape or checksum. Names the file. */
public final class CorruptCheckpointException extends java.io.IOException {

    public CorruptCheckpointException(String file, String problem) {
        super(file + ": " + problem);
    }
}
