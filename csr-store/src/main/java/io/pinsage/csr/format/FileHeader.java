package io.pinsage.csr.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * The decoded fixed header of a store file (see {@link StoreFileFormat}): codec name, version and the
 * format-specific counts. Immutable.
 */
public final class FileHeader {

    private final String codec;
    private final int version;
    private final long[] counts;

    /**
     * @param counts at most {@link StoreFileFormat#COUNT_FIELDS} values; missing ones read as 0
     * @throws IllegalArgumentException if there are too many counts or the codec does not fit
     */
    public FileHeader(String codec, int version, long... counts) {
        this.codec = checkCodec(codec);
        if (counts.length > StoreFileFormat.COUNT_FIELDS) {
            throw new IllegalArgumentException("counts.length=" + counts.length + ": at most " + StoreFileFormat.COUNT_FIELDS);
        }
        this.version = version;
        this.counts = Arrays.copyOf(counts, StoreFileFormat.COUNT_FIELDS);
    }

    /**
     * @return {@code codec}
     * @throws IllegalArgumentException unless it is 1 to {@link StoreFileFormat#CODEC_LENGTH} printable ASCII characters
     */
    static String checkCodec(String codec) {
        Objects.requireNonNull(codec, "codec");
        if (codec.isEmpty() || codec.length() > StoreFileFormat.CODEC_LENGTH || !codec.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("codec=" + codec + ": must be 1.." + StoreFileFormat.CODEC_LENGTH
                    + " printable ASCII characters");
        }
        return codec;
    }

    public String codec() {
        return codec;
    }

    public int version() {
        return version;
    }

    /** Count field {@code i}, {@code 0 <= i < COUNT_FIELDS}; its meaning is defined by the file's format. */
    public long count(int i) {
        return counts[i];
    }

    @Override
    public String toString() {
        return codec + " v" + version + " " + Arrays.toString(counts);
    }
}
