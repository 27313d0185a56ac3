package io.pinsage.engine.serve;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;

/**
 * Bounds what a client that sends requests and leaves their answers unread costs: once a connection's answers waiting
 * for the socket pass {@link #PAUSE_BYTES} (Netty's write buffer high-water mark, which makes the channel unwritable)
 * nothing more is read from it until they fall to {@link #RESUME_BYTES}; the requests already read are still
 * answered, and once their answers pass {@link #MAX_PENDING_BYTES} the connection is closed, its answers dropped. So a
 * connection holds at most about {@link #MAX_PENDING_BYTES} of answers, however many requests it pipelines. Both are
 * counted in the metrics ({@code pinsage_http_slow_readers_total{action="paused"|"closed"}}).
 *
 * <p>One instance per connection, first in its pipeline (it sees the encoded bytes on their way to the socket); every
 * method runs on the connection's event loop.
 */
final class SlowReaders extends ChannelDuplexHandler {

    /** Answers waiting for the socket at which reading pauses: a few hundred answers of usual size. */
    static final int PAUSE_BYTES = 64 * 1024;
    /** Where reading resumes. */
    static final int RESUME_BYTES = 32 * 1024;
    /** Answers waiting for the socket beyond which the connection is closed. */
    static final long MAX_PENDING_BYTES = 4L << 20;

    /** The water marks to give every connection, so that its writability follows {@link #PAUSE_BYTES}. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(RESUME_BYTES, PAUSE_BYTES);

    private final ServerMetrics metrics;
    /** Bytes written and not yet handed to the socket; event loop only. */
    private long pending;
    private boolean closing;
    private boolean paused;

    SlowReaders(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long size = msg instanceof ByteBuf b ? b.readableBytes() : msg instanceof ByteBufHolder h ? h.content().readableBytes() : 0;
        pending += size;
        ctx.write(msg, promise.unvoid().addListener(f -> pending -= size));
        if (pending > MAX_PENDING_BYTES && !closing) {
            closing = true;
            metrics.slowReader("closed");
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (writable == paused) { // only what this handler paused is resumed (ConnectionLimit stops reading too)
            paused = !writable;
            ctx.channel().config().setAutoRead(writable);
            if (paused) {
                metrics.slowReader("paused");
            }
        }
        ctx.fireChannelWritabilityChanged();
    }
}
