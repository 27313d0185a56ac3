package io.pinsage.csr.live;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How far a source of edges (a followed file) has been read once a batch is applied: the byte offset of its next line
 * and that line's number. A batch carrying one ({@link EdgeBatch#source}) has it logged in the same record as its
 * edges, so that the position and the edges become durable together and a restart can resume after exactly the
 * lines that are in the graph ({@link LiveGraph#sourcePosition}).
 *
 * @param source names the source, e.g. a file's absolute path; at most {@value #MAX_SOURCE_BYTES} bytes of UTF-8
 * @param offset the byte offset reached, at least 0
 * @param line   the number of the line at {@code offset}, at least 1
 */
public record SourcePosition(String source, long offset, long line) {

    /** The longest source name a log record holds. */
    public static final int MAX_SOURCE_BYTES = 4096;

    /** @throws IllegalArgumentException for an empty or too long source, a negative offset or a line below 1 */
    public SourcePosition {
        Objects.requireNonNull(source, "source");
        int bytes = source.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_SOURCE_BYTES) {
            throw new IllegalArgumentException("source=" + source + ": must be 1 to " + MAX_SOURCE_BYTES + " bytes of UTF-8");
        }
        if (offset < 0 || line < 1) {
            throw new IllegalArgumentException("offset=" + offset + ", line=" + line + ": expected offset >= 0 and line >= 1");
        }
    }
}
