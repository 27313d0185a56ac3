package io.pinsage.engine.serve;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The deadline of one request on one connection, from its first byte to its last: bytes read while no request is
 * under way start the clock, {@link #requestRead()} (the whole request decoded) stops it. A request still incomplete
 * when the clock runs out fires {@link TimedOut} down the pipeline (the {@link HttpHandler} answers 408 and closes,
 * after the connection's earlier answers) and every later byte of the connection is dropped unread. So a client that
 * trickles its headers or body, one byte a second, holds a connection for the deadline at most; the idle timeout
 * alone would never catch it, since it is never idle.
 *
 * <p>Sits before the HTTP codec and sees raw buffers. One instance per connection; every method runs on its event
 * loop. A pipelined request whose first bytes came in the buffer that completed the one before starts its clock on
 * the next read instead, a delay of one packet.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    /**
     * Fired when a request was not read in full within the deadline; {@code started} is its first byte's nanoTime,
     * {@code endpoint} the metrics' name of its path ({@code other} while its head was not read).
     */
    record TimedOut(long started, long millis, String endpoint) {
    }

    private final long millis;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long started;
    private boolean expired;
    /** The endpoint of the request under way, known once its head is decoded. */
    private String endpoint = HttpHandler.OTHER;

    RequestDeadline(long millis) {
        this.millis = millis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (expired) {
            ReferenceCountUtil.release(msg); // the answer is 408 and the connection is closing: the rest is not read
            return;
        }
        if (timer == null) {
            started = System.nanoTime();
            timer = ctx.executor().schedule(this::expire, millis, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** The head of the request under way was decoded: a 408 of it counts under {@code endpoint}. */
    void headRead(String endpoint) {
        this.endpoint = endpoint;
    }

    /** The request under way was read whole: its clock stops, the next byte starts the next one's. */
    void requestRead() {
        endpoint = HttpHandler.OTHER;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        expired = true;
        ctx.fireUserEventTriggered(new TimedOut(started, millis, endpoint));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        requestRead();
        ctx.fireChannelInactive();
    }
}
