package io.pinsage.engine.serve;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code max} open connections: one beyond them is answered 503 with a JSON error at once, before it sends
 * anything, and closed, so that a crowd of clients holding connections open costs bounded file descriptors and
 * memory. Counted in the metrics under the endpoint {@code other}.
 *
 * <p>Shared by every connection of a server (it is {@link Sharable}): the count is atomic; the handler runs on the
 * connections' event loops.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final Endpoints endpoints;
    private final ServerMetrics metrics;

    ConnectionLimit(int max, Endpoints endpoints, ServerMetrics metrics) {
        this.max = max;
        this.endpoints = endpoints;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            ctx.channel().config().setAutoRead(false); // nothing it sends is read
            long arrived = System.nanoTime();
            Endpoints.Answer a = endpoints.error(new BadRequestException(503, null, "overloaded: " + max
                    + " connections open, the server's limit; retry later"));
            metrics.record(HttpHandler.OTHER, 503, System.nanoTime() - arrived);
            // written from the pipeline's tail, through the HTTP codec
            ctx.channel().writeAndFlush(HttpHandler.response(a, HttpHandler.JSON, false)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }
}
