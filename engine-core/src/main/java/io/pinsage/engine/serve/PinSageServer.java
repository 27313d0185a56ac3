package io.pinsage.engine.serve;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.pinsage.engine.api.PinSageEngine;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The engine over HTTP/1.1 with JSON answers ({@link Endpoints} lists them) and Prometheus metrics at
 * {@code /metrics}. {@link #start} binds and returns; requests are read by Netty's network threads and queries run on
 * {@link ServerOptions#workers()} threads behind a queue of {@link ServerOptions#queueCapacity()}: a full queue is
 * answered 503 at once, so a burst costs bounded memory. Bodies above {@link ServerOptions#maxBodyBytes()} get 413;
 * a request not read in full {@link ServerOptions#requestTimeout()} after its first byte gets 408 and its connection
 * is closed ({@link RequestDeadline}); connections idle for {@link ServerOptions#idleTimeout()} are closed, and
 * those beyond {@link ServerOptions#maxConnections()} open ones are answered 503 and closed ({@link ConnectionLimit});
 * a client that leaves its answers unread stops being read, and is closed once they pass a limit ({@link SlowReaders}).
 *
 * <p>Threading: {@link #port()} and {@link #close()} may be called from any thread. The server does not own the
 * engine: close the server first, then the engine. Prints nothing.
 */
public final class PinSageServer implements AutoCloseable {

    private final EventLoopGroup network;
    private final ThreadPoolExecutor workers;
    private final Channel listener;

    private PinSageServer(EventLoopGroup network, ThreadPoolExecutor workers, Channel listener) {
        this.network = network;
        this.workers = workers;
        this.listener = listener;
    }

    /**
     * Binds {@code options.host():options.port()} and serves {@code engine} until {@link #close()}.
     *
     * @throws InterruptedException interrupted while binding
     * @throws io.netty.channel.ChannelException or another exception of the bind, e.g. the port is taken
     */
    public static PinSageServer start(PinSageEngine engine, ServerOptions options) throws InterruptedException {
        Objects.requireNonNull(engine, "engine");
        ThreadPoolExecutor workers = new ThreadPoolExecutor(options.workers(), options.workers(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(options.queueCapacity()),
                Thread.ofPlatform().daemon().name("pinsage-query-", 0).factory(), new ThreadPoolExecutor.AbortPolicy());
        EventLoopGroup network = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Endpoints endpoints = new Endpoints(engine, options.maxK(), options.topics());
        ServerMetrics metrics = new ServerMetrics();
        long idleMillis = options.idleTimeout().toMillis();
        long requestMillis = options.requestTimeout().toMillis();
        ConnectionLimit connections = new ConnectionLimit(options.maxConnections(), endpoints, metrics);
        try {
            Channel listener = new ServerBootstrap().group(network).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, SlowReaders.WATER_MARK)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            RequestDeadline deadline = new RequestDeadline(requestMillis);
                            ch.pipeline().addLast(new SlowReaders(metrics), connections, new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                                    deadline, new HttpServerCodec(), new BodyLimit(options.maxBodyBytes(), endpoints, metrics, deadline),
                                    new HttpHandler(endpoints, metrics, workers, options.writeToken(), deadline));
                        }
                    })
                    .bind(new InetSocketAddress(options.host(), options.port())).sync().channel();
            return new PinSageServer(network, workers, listener);
        } catch (InterruptedException | RuntimeException e) {
            network.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownNow();
            throw e;
        }
    }

    /** The port the server listens on (the one chosen when the options asked for 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Stops listening, lets queued queries finish for up to 5 s, and stops the threads. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        listener.close().sync();
        workers.shutdown();
        workers.awaitTermination(5, TimeUnit.SECONDS);
        network.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }
}
