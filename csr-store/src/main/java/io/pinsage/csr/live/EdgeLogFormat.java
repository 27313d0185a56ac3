package io.pinsage.csr.live;

/**
 * Layout of a live graph's write-ahead log ({@link EdgeLog}), little-endian. A file header, then records
 * appended one per batch:
 *
 * <pre>
 *  header (16 bytes)
 *   0 +---------------+---------------+-------------------------------+
 *     | magic "PSWL"  | version (1)   | base edges (long)             |
 *  16 +---------------+---------------+-------------------------------+
 *  record
 *   0 +---------------+---------------+
 *     | payload bytes | CRC32C of the payload                         |
 *   8 +---------------+---------------+
 *     | payload: new pins (int), new boards (int), edges (int),       |
 *     |   each new pin's then each new board's key,                   |
 *     |   each edge's left id (int), right id (int), weight (float)   |
 *     +---------------------------------------------------------------+
 *  key: kind (byte: 0 long, 1 string), then a long, or a UTF-8 length (int) and its bytes
 * </pre>
 *
 * New nodes take, in the order listed, the dense ids after those of the graph before the record; edges name
 * dense ids. The base's edge count ties a log to the store it extends. A record is valid when its length lies in
 * [{@link #MIN_PAYLOAD}, {@link #MAX_PAYLOAD}], it ends within the file and its checksum holds.
 *
 * <p><b>Truncation rule.</b> A compaction publishes a store generation holding the base and the log's first records
 * (forced to the device first), so the new store has exactly their edges more than the header's base; only after
 * that publication is the log cut: those records are dropped and the rest rewritten after a header naming the new
 * base, in a new file renamed over the log. Opening a log whose base is smaller than the store's therefore skips
 * records until it has skipped exactly the difference in edges (they are in the store), replays the rest and
 * completes the cut; a difference that does not end at a record's end, or a larger base, means the log is another
 * store's. A crash at any step leaves either the old store with the whole log, the new store with the whole log,
 * or the new store with the cut log: every acknowledged edge is in exactly one of store and replayed records.
 */
final class EdgeLogFormat {

    static final int MAGIC = 0x4C575350; // "PSWL"
    static final int VERSION = 1;
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
