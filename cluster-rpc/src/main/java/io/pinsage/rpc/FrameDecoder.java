package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Cuts the byte stream into {@link Frame}s, checking each header field before waiting for the body, so a peer
 * cannot make this end hold more than {@link #maxFrameBytes()} for it (and only {@link
 * FrameDescriptor#HANDSHAKE_MAX_FRAME} before it has authenticated). A frame's body is a retained slice of the
 * received bytes, not a copy.
 *
 * <p>After the first bad frame the decoder throws a {@link CorruptFrameException} and discards everything that
 * follows; the handler that sees the exception closes the connection. One instance per channel; event-loop thread only.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private int maxFrameBytes = FrameDescriptor.HANDSHAKE_MAX_FRAME;
    private boolean failed;

    /** The largest frame (header included) accepted now. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Raises the limit once the peer has authenticated. */
    public void maxFrameBytes(int bytes) {
        if (bytes < FrameDescriptor.HEADER_LENGTH) {
            throw new IllegalArgumentException("maxFrameBytes=" + bytes + ": must be >= " + FrameDescriptor.HEADER_LENGTH);
        }
        maxFrameBytes = bytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int at = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < 4) {
            return;
        }
        long frameLength = 4L + in.getIntLE(at + FrameDescriptor.LENGTH_OFFSET);
        if (frameLength < FrameDescriptor.HEADER_LENGTH || frameLength > maxFrameBytes) {
            fail(in, "frame length " + frameLength + " outside [" + FrameDescriptor.HEADER_LENGTH + ", "
                    + maxFrameBytes + "]");
        }
        if (readable >= FrameDescriptor.MAGIC_OFFSET + 4) {
            int magic = in.getIntLE(at + FrameDescriptor.MAGIC_OFFSET);
            if (magic != FrameDescriptor.MAGIC) {
                fail(in, "bad magic 0x" + Integer.toHexString(magic) + " (expected 0x"
                        + Integer.toHexString(FrameDescriptor.MAGIC) + ")");
            }
        }
        if (readable > FrameDescriptor.VERSION_OFFSET) {
            byte version = in.getByte(at + FrameDescriptor.VERSION_OFFSET);
            if (version != FrameDescriptor.VERSION) {
                fail(in, "unknown protocol version " + version + " (this end speaks " + FrameDescriptor.VERSION + ")");
            }
        }
        if (readable > FrameDescriptor.TYPE_OFFSET && FrameDescriptor.Type.of(in.getByte(at + FrameDescriptor.TYPE_OFFSET)) == null) {
            fail(in, "unknown frame type " + in.getByte(at + FrameDescriptor.TYPE_OFFSET));
        }
        if (readable < frameLength) {
            return;
        }
        int bodyLength = (int) frameLength - FrameDescriptor.HEADER_LENGTH;
        int bodyAt = at + FrameDescriptor.HEADER_LENGTH;
        int expected = in.getIntLE(at + FrameDescriptor.CRC_OFFSET);
        int actual = FrameDescriptor.checksum(in, at + FrameDescriptor.MAGIC_OFFSET, in, bodyAt, bodyLength);
        if (actual != expected) {
            fail(in, "checksum mismatch: header says 0x" + Integer.toHexString(expected) + ", bytes give 0x"
                    + Integer.toHexString(actual));
        }
        FrameDescriptor.Type type = FrameDescriptor.Type.of(in.getByte(at + FrameDescriptor.TYPE_OFFSET));
        in.skipBytes(FrameDescriptor.HEADER_LENGTH);
        out.add(new Frame(type, in.readRetainedSlice(bodyLength)));
    }

    private void fail(ByteBuf in, String reason) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw new CorruptFrameException(reason);
    }
}
