package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Cuts the byte stream into {@link Frame}s, checking each header field before waiting for the body, so a peer
 * cannot make this end hold more than {@link #maxFrameBytes()} for it (and only {@link
 * FrameDescriptor#HANDSHAKE_MAX_FRAME} before it has authenticated). A frame's body is a retained slice of the
 * bytes held for it, not another copy.
 *
 * <p>Received bytes wait for the rest of their frame in pooled chunks of {@link MiniBatchCodec#CHUNK_BYTES}, each read
 * copied once into the last chunk's room ({@code cumulate}): Netty's default, one buffer grown in steps and copied
 * whole at each step, allocates a fresh unpooled buffer (zeroed and faulted in) at every step of a frame of tens of
 * MB and copies its bytes several times over; that cost a trainer more CPU per batch than decoding it.
 *
 * <p>After the first bad frame the decoder throws a {@link CorruptFrameException} and discards everything that
 * follows; the handler that sees the exception closes the connection. One instance per channel; event-loop thread only.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private int maxFrameBytes = FrameDescriptor.HANDSHAKE_MAX_FRAME;
    private boolean failed;

    public FrameDecoder() {
        setCumulator(this::cumulate);
    }

    /**
     * Keeps the bytes not yet decoded as a composite of pooled chunks: a read is copied into the last chunk's room,
     * a new chunk added when it is full. A cumulation still shared with a frame's retained body is kept as the first
     * piece of a new composite, not copied. Chunks are no larger than the frames accepted now, so a peer that has not
     * authenticated makes this end hold a few hundred bytes, not a chunk.
     */
    private ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        try {
            CompositeByteBuf out;
            if (cumulation instanceof CompositeByteBuf c && c.refCnt() == 1) {
                out = c;
            } else {
                out = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
                out.addComponent(true, cumulation);
            }
            int size = Math.min(MiniBatchCodec.CHUNK_BYTES, maxFrameBytes);
            while (in.isReadable()) {
                if (!out.isWritable()) {
                    // Counted as capacity, not as readable bytes: the composite writes into it from its writer index.
                    ByteBuf chunk = alloc.directBuffer(size, size);
                    out.addComponent(false, chunk.writerIndex(chunk.capacity()));
                }
                out.writeBytes(in, Math.min(in.readableBytes(), out.writableBytes()));
            }
            return out;
        } finally {
            in.release();
        }
    }

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
                fail(in, "protocol version " + version + " from the peer, this end speaks " + FrameDescriptor.VERSION
                        + ": run one pinsage release on the trainer and its samplers");
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
