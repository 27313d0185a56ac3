package io.pinsage.csr.live;

/**
 * Layout of a live graph's write-ahead log ({@link EdgeLog}), little-endian. A file header, then records
 * appended one per batch:
 *
 * <pre>
 *  header (16 bytes)
 *   0 +---------------+---------------+-------------------------------+
 *     | magic "PSWL"  | version (2)   | base edges (long)             |
 *  16 +---------------+---------------+-------------------------------+
 *  record
 *   0 +---------------+---------------+
 *     | payload bytes | CRC32C of the payload                         |
 *   8 +---------------+---------------+
 *     | payload: new pins (int), new boards (int), edges (int),       |
 *     |   each new pin's then each new board's key,                   |
 *     |   each edge's left id (int), right id (int), weight (float),  |
 *     |   [source positions (int), each position]  (version 2)        |
 *     +---------------------------------------------------------------+
 *  key: kind (byte: 0 long, 1 string), then a long, or a UTF-8 length (int) and its bytes
 *  position: source (UTF-8 length (int) and its bytes), offset (long), line (long)
 * </pre>
 *
 * New nodes take, in the order listed, the dense ids after those of the graph before the record; edges name
 * dense ids. The base's edge count ties a log to the store it extends. A record is valid when its length lies in
 * [{@link #MIN_PAYLOAD}, {@link #MAX_PAYLOAD}], it ends within the file and its checksum holds.
 *
 * <p><b>Source positions</b> ({@link SourcePosition}, version 2): present when bytes follow the edges, absent
 * otherwise, so every version 1 record reads the same under version 2, and opening a version 1 log rewrites only its
 * version field. A batch's record carries the position its source reaches with it, durable together with its edges;
 * a record with no edges carries the positions of records a cut dropped (below). A later record's position of the
 * same source replaces an earlier one's.
 *
 * <p><b>Truncation rule.</b> A compaction publishes a store generation holding the base and the log's first records'
 * edges of positive weight (forced to the device first; weight 0, which older writers took, is left out), so the new
 * store has exactly those edges more than the header's base; only after that publication is the log cut: those
 * records are dropped and the rest rewritten after a header naming the new base, and a record holding the dropped
 * records' last source positions, in a new file renamed over the log. Opening a log whose base is smaller than the
 * store's therefore skips records (still reading their source positions) until it has skipped exactly the difference
 * in edges of positive weight (they are in the store), replays the rest and completes the cut; a difference that does
 * not end at a record's end, or a larger base, means the log is another store's. A crash at any step leaves either the
 * old store with the whole log, the new store with the whole log, or the new store with the cut log: every
 * acknowledged edge of positive weight is in exactly one of store and replayed records, and every acknowledged source
 * position in the log.
 */
final class EdgeLogFormat {

    static final int MAGIC = 0x4C575350; // "PSWL"
    static final int VERSION = 2;
    /** The first version, without source positions: read, and its header rewritten to {@link #VERSION} on open. */
    static final int VERSION_1 = 1;
    /** Byte offset of the header's version field. */
    static final int VERSION_OFFSET = 4;
    static final int HEADER_BYTES = 16;
    static final int RECORD_HEADER_BYTES = 8;
    static final int MIN_PAYLOAD = 12;
    /** Largest record: bounds what a damaged length can make a reader allocate. */
    static final int MAX_PAYLOAD = 1 << 30;
    static final int EDGE_BYTES = 12;
    static final byte KEY_LONG = 0;
    static final byte KEY_STRING = 1;

    private EdgeLogFormat() {
    }
}
