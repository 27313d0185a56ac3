package io.pinsage.engine.serve;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Routes one connection's requests: health and metrics are answered on the network thread (they cost
 * microseconds), queries and edge batches go to the bounded worker executor, and a full queue is answered 503 at
 * once. The request's buffer is released here, on the network thread, before any work is handed off: workers get
 * strings or a copy of the body only. With a write token, {@code POST /v1/edges} without
 * {@code Authorization: Bearer TOKEN} is answered 401 before its body is read. A request its {@link RequestDeadline}
 * gave up on is answered 408 after the connection's earlier answers, then the connection is closed.
 * One instance per connection (it holds no state but shared, thread-safe collaborators).
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpHandler.class);
    static final String JSON = "application/json";
    /** The metrics' endpoint of a request whose path is unknown or not yet read. */
    static final String OTHER = "other";

    private final Endpoints endpoints;
    private final ServerMetrics metrics;
    private final Executor workers;
    /** {@code Bearer TOKEN} as bytes, or null when anyone may write. */
    private final byte[] writeAuthorization;
    private final RequestDeadline deadline;
    /** Completes when the previous request's answer has been handed to the channel; read on the network thread only. */
    private CompletableFuture<Void> sent = CompletableFuture.completedFuture(null);

    HttpHandler(Endpoints endpoints, ServerMetrics metrics, Executor workers, String writeToken, RequestDeadline deadline) {
        this.endpoints = endpoints;
        this.metrics = metrics;
        this.workers = workers;
        this.writeAuthorization = writeToken == null ? null : ("Bearer " + writeToken).getBytes(StandardCharsets.US_ASCII);
        this.deadline = deadline;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        deadline.requestRead();
        long arrived = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !request.decoderResult().isFailure();
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        String endpoint = endpointOf(path);
        CompletableFuture<Endpoints.Answer> answer = route(request, uri, endpoint);
        String contentType = switch (endpoint) {
            case Endpoints.METRICS -> metrics.contentType();
            case Endpoints.PAGE -> "text/html; charset=utf-8";
            default -> JSON;
        };
        // answers leave in the order the requests came (HTTP/1.1 pipelining), whichever worker finishes first
        sent = sent.thenCompose(v -> answer).thenAccept(a -> send(ctx, endpoint, arrived, keepAlive, a,
                a.status() == 200 ? contentType : JSON));
    }

    /** The metrics' name of the endpoint at {@code path}: the path itself, or {@code other} for unknown paths. */
    static String endpointOf(String path) {
        return switch (path) {
            case Endpoints.PAGE, Endpoints.HEALTH, Endpoints.RECOMMEND, Endpoints.RELATED, Endpoints.METRICS, Endpoints.EDGES,
                 Endpoints.PINS -> path;
            default -> OTHER;
        };
    }

    /** An answer with its length and connection headers. */
    static FullHttpResponse response(Endpoints.Answer a, String contentType, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()),
                Unpooled.wrappedBuffer(a.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, a.body().length)
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        if (a.status() == 401) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        return response;
    }

    /** The answer to one request: at once for the cheap endpoints and for errors, from a worker for queries. */
    private CompletableFuture<Endpoints.Answer> route(FullHttpRequest request, QueryStringDecoder uri, String endpoint) {
        if (request.decoderResult().isFailure()) {
            // the codec could not read the request (a line or header too long, bad framing): answer, then hang up
            return refuse(400, "malformed request: " + request.decoderResult().cause().getMessage());
        }
        if (endpoint.equals(OTHER)) {
            return refuse(404, "no endpoint " + uri.path() + "; expected " + Endpoints.PAGE + ", " + Endpoints.HEALTH + ", "
                    + Endpoints.RECOMMEND + ", " + Endpoints.RELATED + ", " + Endpoints.METRICS + ", " + Endpoints.EDGES + " or "
                    + Endpoints.PINS);
        }
        if (endpoint.equals(Endpoints.EDGES) || endpoint.equals(Endpoints.PINS)) {
            return write(request, endpoint);
        }
        if (!request.method().equals(HttpMethod.GET)) {
            return refuse(405, request.method() + " " + uri.path() + ": expected GET");
        }
        if (endpoint.equals(Endpoints.HEALTH)) {
            return CompletableFuture.completedFuture(endpoints.health());
        }
        if (endpoint.equals(Endpoints.PAGE)) {
            return CompletableFuture.completedFuture(new Endpoints.Answer(200, Endpoints.page()));
        }
        if (endpoint.equals(Endpoints.METRICS)) {
            return CompletableFuture.completedFuture(new Endpoints.Answer(200, metrics.scrape()));
        }
        QueryParameters q = new QueryParameters(uri.parameters());
        try {
            return CompletableFuture.supplyAsync(() -> answer(endpoint, q, () -> endpoint.equals(Endpoints.RELATED)
                    ? endpoints.related(q) : endpoints.recommend(q)), workers);
        } catch (RejectedExecutionException e) {
            return refuse(503, "overloaded: the query queue is full; retry later");
        }
    }

    /**
     * A write, a batch of edges or a new pin: the method and the token checked here, the body copied, the work done
     * by a worker.
     */
    private CompletableFuture<Endpoints.Answer> write(FullHttpRequest request, String endpoint) {
        if (!request.method().equals(HttpMethod.POST)) {
            return refuse(405, request.method() + " " + endpoint + ": expected POST");
        }
        if (writeAuthorization != null) {
            String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            // compared in constant time, so the answer's timing tells nothing about the token
            if (given == null || !MessageDigest.isEqual(writeAuthorization, given.getBytes(StandardCharsets.US_ASCII))) {
                return CompletableFuture.completedFuture(endpoints.error(new BadRequestException(401, "authorization",
                        "writing needs the header Authorization: Bearer TOKEN with the server's write token")));
            }
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        try {
            boolean edges = endpoint.equals(Endpoints.EDGES);
            String what = body.length + (edges ? " bytes of edges" : " bytes of a new pin");
            return CompletableFuture.supplyAsync(() -> answer(endpoint, what,
                    () -> edges ? endpoints.edges(body) : endpoints.newPin(body)), workers);
        } catch (RejectedExecutionException e) {
            return refuse(503, "overloaded: the query queue is full; retry later");
        }
    }

    private CompletableFuture<Endpoints.Answer> refuse(int status, String message) {
        return CompletableFuture.completedFuture(endpoints.error(new BadRequestException(status, null, message)));
    }

    /** A worker's answer; a failure of the engine is a 500 with its message, never a dropped request. */
    private Endpoints.Answer answer(String endpoint, Object request, Supplier<Endpoints.Answer> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            // the client sees the message; the host's log gets the stack
            LOG.error("{} failed for {}", endpoint, request, e);
            return endpoints.error(new BadRequestException(500, null, "internal error: " + e));
        }
    }

    private void send(ChannelHandlerContext ctx, String endpoint, long arrived, boolean keepAlive, Endpoints.Answer a,
                      String contentType) {
        FullHttpResponse response = response(a, contentType, keepAlive);
        metrics.record(endpoint, a.status(), System.nanoTime() - arrived);
        var written = ctx.writeAndFlush(response); // the channel owns the response from here, and releases it
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close(); // a client that sends nothing for the idle timeout holds no connection
        } else if (event instanceof RequestDeadline.TimedOut late) {
            Endpoints.Answer a = endpoints.error(new BadRequestException(408, null, "request not received in full within "
                    + late.millis() + " ms of its first byte; expected the whole request within that time"));
            sent = sent.thenRun(() -> send(ctx, late.endpoint(), late.started(), false, a, JSON));
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection {} closed on an error", ctx.channel().remoteAddress(), cause);
        ctx.close(); // a broken connection is the client's; the server goes on
    }
}
