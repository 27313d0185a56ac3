package io.pinsage.engine.serve;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Netty's aggregator with the server's refusal of an oversized body: a 413 JSON error naming {@code body} and the
 * limit, counted in the metrics like every answer, then the connection is closed, so the rest of the body is never
 * read. One instance per connection; runs on its event loop.
 */
final class BodyLimit extends HttpObjectAggregator {

    private final int maxBytes;
    private final Endpoints endpoints;
    private final ServerMetrics metrics;

    private final RequestDeadline deadline;

    BodyLimit(int maxBytes, Endpoints endpoints, ServerMetrics metrics, RequestDeadline deadline) {
        super(maxBytes);
        this.maxBytes = maxBytes;
        this.endpoints = endpoints;
        this.metrics = metrics;
        this.deadline = deadline;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest head) {
            // the path is known from here: a request timed out while its body is read counts under its endpoint
            deadline.headRead(endpointOf(head));
        }
        super.channelRead(ctx, msg);
    }

    private static String endpointOf(HttpMessage message) {
        return message instanceof HttpRequest r ? HttpHandler.endpointOf(new QueryStringDecoder(r.uri()).path())
                : HttpHandler.OTHER;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        long arrived = System.nanoTime();
        String endpoint = endpointOf(oversized);
        Endpoints.Answer a = endpoints.error(new BadRequestException(413, "body", "request body over the limit of " + maxBytes
                + " bytes; expected at most that"));
        metrics.record(endpoint, 413, System.nanoTime() - arrived);
        ctx.writeAndFlush(HttpHandler.response(a, HttpHandler.JSON, false)).addListener(ChannelFutureListener.CLOSE);
    }
}
