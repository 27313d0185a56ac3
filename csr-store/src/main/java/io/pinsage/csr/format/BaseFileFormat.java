package io.pinsage.csr.format;

/**
 * Holds the codec name and version range that every {@link FileFormat} declares, so that a format class states
 * only its counts and body layout. Immutable and thread-safe.
 */
public abstract class BaseFileFormat implements FileFormat {

    private final String codec;
    private final int minVersion;
    private final int currentVersion;

    protected BaseFileFormat(String codec, int minVersion, int currentVersion) {
        FileHeader.checkCodec(codec);
        if (minVersion < 1 || minVersion > currentVersion) {
            throw new IllegalArgumentException("minVersion=" + minVersion + " currentVersion=" + currentVersion);
        }
        this.codec = codec;
        this.minVersion = minVersion;
        this.currentVersion = currentVersion;
    }

    @Override
    public final String codec() {
        return codec;
    }

    @Override
    public final int minVersion() {
        return minVersion;
    }

    @Override
    public final int currentVersion() {
        return currentVersion;
    }

    /** Throws unless {@code side} is 0 (LEFT) or 1 (RIGHT): shared check of the formats' side count. */
    protected static void checkSide(long side) {
        if (side < 0 || side > 1) {
            throw new IllegalArgumentException("side=" + side + ": must be 0 (LEFT) or 1 (RIGHT)");
        }
    }
}
