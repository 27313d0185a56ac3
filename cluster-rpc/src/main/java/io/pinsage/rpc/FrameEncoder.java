package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Writes a {@link Frame} as a 16-byte header buffer followed by the frame's own body buffer: the body (for a batch, a
 * direct buffer the tensors were written into once) goes to the socket as it is, never copied into a larger one.
 *
 * <p>Takes over the frame's reference to its body (the body is passed on, the frame released). Stateless and
 * sharable.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {

    public FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBuf body = frame.content();
        ByteBuf header = ctx.alloc().buffer(FrameDescriptor.HEADER_LENGTH);
        FrameDescriptor.writeHeader(header, frame.type(), body);
        out.add(header);
        if (body.isReadable()) {
            out.add(body.retain());
        }
    }
}
