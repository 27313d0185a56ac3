package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One message: its {@link FrameDescriptor.Type} and its body.
 *
 * <p>Ownership: a frame owns one reference to its body. Whoever receives a frame (a handler reading it, or
 * {@link FrameEncoder} when it is written) releases it exactly once; writing a frame hands it to the pipeline.
 */
public final class Frame extends DefaultByteBufHolder {

    private final FrameDescriptor.Type type;

    public Frame(FrameDescriptor.Type type, ByteBuf body) {
        super(body);
        this.type = type;
    }

    /** A frame with an empty body. */
    public static Frame empty(FrameDescriptor.Type type) {
        return new Frame(type, Unpooled.EMPTY_BUFFER);
    }

    public FrameDescriptor.Type type() {
        return type;
    }

    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(type, content);
    }

    @Override
    public String toString() {
        return type + "(" + content().readableBytes() + " bytes)";
    }
}
