package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The one place that knows the layout of a frame on the wire between samplers and trainers. Every message is a frame:
 * a 16-byte header, then a body of the type's own layout. Little-endian throughout, as the store's files.
 *
 * <pre>
 *   0               4               8       9       10              12              16
 *   +---------------+---------------+-------+-------+---------------+---------------+----------------------+
 *   | length        | magic "PSRP"  |version| type  | reserved (0)  | crc32c        | body                 |
 *   +---------------+---------------+-------+-------+---------------+---------------+----------------------+
 *   length = bytes after the length field = 12 + body bytes
 *   crc32c = CRC32C of bytes [4, 12) (magic, version, type, reserved) followed by the body
 * </pre>
 *
 * A reader checks, in this order and before it waits for (or allocates anything for) the body: the length against
 * its current maximum (tiny until the peer has authenticated, {@link #HANDSHAKE_MAX_FRAME}), the magic, the version,
 * the type; then, once the whole frame is there, the checksum. Any failure ends the connection.
 *
 * <h2>Bodies</h2>
 * <table>
 *   <caption>frame types</caption>
 *   <tr><th>type</th><th>direction</th><th>body</th></tr>
 *   <tr><td>{@link Type#HELLO}</td><td>trainer → sampler</td><td>32-byte trainer nonce</td></tr>
 *   <tr><td>{@link Type#CHALLENGE}</td><td>sampler → trainer</td><td>32-byte sampler nonce, 32-byte sampler proof</td></tr>
 *   <tr><td>{@link Type#PROOF}</td><td>trainer → sampler</td><td>32-byte trainer proof</td></tr>
 *   <tr><td>{@link Type#FINGERPRINT}</td><td>trainer → sampler</td><td>32-byte SHA-256 of the store and training
 *       configuration the trainer sees</td></tr>
 *   <tr><td>{@link Type#READY}</td><td>sampler → trainer</td><td>empty: fingerprints agree, batches may move</td></tr>
 *   <tr><td>{@link Type#REQUEST}</td><td>trainer → sampler</td><td>int epoch, int index: build this batch</td></tr>
 *   <tr><td>{@link Type#CREDIT}</td><td>trainer → sampler</td><td>int n: n more batches may be sent</td></tr>
 *   <tr><td>{@link Type#BATCH}</td><td>sampler → trainer</td><td>int backlog (requests not yet sent), then the
 *       batch as {@link MiniBatchCodec} lays it out</td></tr>
 *   <tr><td>{@link Type#FAILED}</td><td>sampler → trainer</td><td>int epoch, int index, UTF-8 reason: the batch
 *       could not be built</td></tr>
 *   <tr><td>{@link Type#HEARTBEAT}</td><td>both</td><td>empty</td></tr>
 *   <tr><td>{@link Type#ERROR}</td><td>both</td><td>UTF-8 reason; the sender closes the connection after it</td></tr>
 * </table>
 * The proofs are HMAC-SHA256 over the shared secret ({@link SharedSecret}): the sampler's of
 * {@code "PSRP sampler" | trainer nonce | sampler nonce}, the trainer's of {@code "PSRP trainer" | trainer nonce |
 * sampler nonce}; the labels keep one side's proof from being reflected as the other's, the fresh nonces keep a
 * recorded handshake from being replayed.
 *
 * <p>Stateless; thread-safe.
 */
public final class FrameDescriptor {

    /** {@code "PSRP"} read as a little-endian int. */
    public static final int MAGIC = 'P' | 'S' << 8 | 'R' << 16 | 'P' << 24;
    /**
     * The only protocol version this code speaks. Version 2: a batch carries its node ids, not their features
     * ({@link MiniBatchCodec}); version 1 peers are refused by the first frame's version byte.
     */
    public static final byte VERSION = 2;

    public static final int LENGTH_OFFSET = 0;
    public static final int MAGIC_OFFSET = 4;
    public static final int VERSION_OFFSET = 8;
    public static final int TYPE_OFFSET = 9;
    public static final int RESERVED_OFFSET = 10;
    public static final int CRC_OFFSET = 12;
    public static final int HEADER_LENGTH = 16;
    /** Bytes counted by the length field besides the body. */
    public static final int LENGTH_ADJUSTMENT = HEADER_LENGTH - 4;
    /** The largest frame (header included) accepted before the peer has authenticated: handshake frames only. */
    public static final int HANDSHAKE_MAX_FRAME = 128;
    /** Size of a nonce, a proof and a fingerprint digest. */
    public static final int TOKEN_LENGTH = 32;

    /** The frame types; {@link #code} is the byte on the wire. */
    public enum Type {
        HELLO(1), CHALLENGE(2), PROOF(3), FINGERPRINT(4), READY(5), REQUEST(6), CREDIT(7), BATCH(8), FAILED(9),
        HEARTBEAT(10), ERROR(11);

        private static final Type[] BY_CODE = new Type[12];

        static {
            for (Type t : values()) {
                BY_CODE[t.code] = t;
            }
        }

        public final byte code;

        Type(int code) {
            this.code = (byte) code;
        }

        /** The type of wire byte {@code code}, or null when no type has it. */
        public static Type of(byte code) {
            return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        }
    }

    private FrameDescriptor() {
    }

    /** Total frame bytes for a body of {@code bodyLength} bytes. */
    public static long frameLength(long bodyLength) {
        return HEADER_LENGTH + bodyLength;
    }

    /**
     * Writes the 16-byte header of a frame of {@code type} whose body is {@code body}'s readable bytes, checksum
     * included. Reads {@code body} without moving its indices.
     */
    public static void writeHeader(ByteBuf header, Type type, ByteBuf body) {
        int start = header.writerIndex();
        header.writeIntLE(LENGTH_ADJUSTMENT + body.readableBytes());
        header.writeIntLE(MAGIC);
        header.writeByte(VERSION);
        header.writeByte(type.code);
        header.writeShortLE(0);
        header.writeIntLE(checksum(header, start + MAGIC_OFFSET, body, body.readerIndex(), body.readableBytes()));
    }

    /**
     * CRC32C of the header bytes [{@code headerAt}, {@code headerAt + 8}) (magic to reserved) and of {@code bodyLength}
     * bytes of {@code body} from {@code bodyAt}. Indices are absolute; neither buffer's indices move.
     */
    public static int checksum(ByteBuf header, int headerAt, ByteBuf body, int bodyAt, int bodyLength) {
        CRC32C crc = new CRC32C();
        update(crc, header, headerAt, CRC_OFFSET - MAGIC_OFFSET);
        update(crc, body, bodyAt, bodyLength);
        return (int) crc.getValue();
    }

    private static void update(CRC32C crc, ByteBuf buf, int at, int length) {
        if (length == 0) {
            return;
        }
        if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(at, length));
        } else {
            for (ByteBuffer part : buf.nioBuffers(at, length)) {
                crc.update(part);
            }
        }
    }
}
