package io.pinsage.csr;

/**
 * Hears how an {@link EdgeListIngest} run goes, for a caller that shows it (the library itself never prints).
 * Both methods are called on the ingesting thread and should return quickly; the defaults do nothing.
 */
public interface IngestListener {

    /** A listener that ignores everything. */
    IngestListener NONE = new IngestListener() {
    };

    /**
     * Reading progress: {@code bytesRead} of the input files' {@code bytesTotal} bytes as stored (compressed bytes for
     * a {@code .gz}). Called every few thousand lines with a value below {@code bytesTotal}, and once with
     * {@code bytesRead == bytesTotal} when every file has been read; the CSR build follows.
     */
    default void progress(long bytesRead, long bytesTotal) {
    }

    /** Something worth saying that does not stop the run, as one line naming the file and line: at most once per kind. */
    default void warning(String message) {
    }
}
