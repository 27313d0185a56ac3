package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/** Builds and reads the small control frames of {@link FrameDescriptor}'s table. Stateless. */
final class Frames {

    /** Enough for an exception's class and message; a reason is a line in a log, not a stack trace. */
    private static final int MAX_REASON_BYTES = 4096;

    private Frames() {
    }

    static Frame tokens(FrameDescriptor.Type type, byte[]... tokens) {
        return new Frame(type, Unpooled.wrappedBuffer(tokens));
    }

    static Frame ints(ByteBufAllocator alloc, FrameDescriptor.Type type, int... values) {
        ByteBuf body = alloc.buffer(4 * values.length);
        for (int v : values) {
            body.writeIntLE(v);
        }
        return new Frame(type, body);
    }

    /** An ERROR frame; the reason is cut to fit whatever limit the peer applies now (the handshake's, at worst). */
    static Frame error(String reason) {
        return new Frame(FrameDescriptor.Type.ERROR, Unpooled.wrappedBuffer(fit(reason,
                FrameDescriptor.HANDSHAKE_MAX_FRAME - FrameDescriptor.HEADER_LENGTH)));
    }

    /** A FAILED frame; only admitted peers get one, so the reason may be longer than an ERROR's. */
    static Frame failed(int epoch, int index, String reason) {
        byte[] text = fit(reason, MAX_REASON_BYTES);
        ByteBuf body = Unpooled.buffer(8 + text.length);
        body.writeIntLE(epoch).writeIntLE(index).writeBytes(text);
        return new Frame(FrameDescriptor.Type.FAILED, body);
    }

    private static byte[] fit(String reason, int max) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        return b.length <= max ? b : new String(b, 0, max - 3, StandardCharsets.UTF_8).replace("\uFFFD", "")
                .concat("...").getBytes(StandardCharsets.UTF_8);
    }

    static String text(ByteBuf body, int from) {
        return body.toString(body.readerIndex() + from, body.readableBytes() - from, StandardCharsets.UTF_8);
    }

    /** The body's bytes, when it has exactly {@link FrameDescriptor#TOKEN_LENGTH} × {@code count} of them. */
    static byte[] tokens(Frame frame, int count) {
        ByteBuf body = frame.content();
        if (body.readableBytes() != FrameDescriptor.TOKEN_LENGTH * count) {
            return null;
        }
        byte[] b = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), b);
        return b;
    }

    /** The body's {@code i}-th int; the body must have been checked to hold it. */
    static int intAt(Frame frame, int i) {
        return frame.content().getIntLE(frame.content().readerIndex() + 4 * i);
    }
}
