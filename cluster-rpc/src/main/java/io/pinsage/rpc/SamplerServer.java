package io.pinsage.rpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sampler: listens for trainers, admits those that prove they hold the shared secret and see the same fingerprint
 * (store and training configuration), and builds the batches each one requests with a {@link BatchProducer}, sending
 * them as the trainer's credits allow.
 *
 * <p>Threads: one acceptor and one I/O event loop (daemon threads {@code pinsage-rpc-accept}, {@code pinsage-rpc-io}),
 * and {@code threads} build threads ({@code pinsage-rpc-build}) shared by all connections; encoding a batch happens on
 * the build thread that built it. {@link #start} and {@link #close} may be called from any thread, once each.
 *
 * <p>A connection costs nothing but its decoder and handshake handler until it is admitted; see
 * {@link ServerHandshake} for what closes it before. At most {@link RpcConfig#maxUnadmitted()} connections are in the
 * handshake at once; more are closed as they arrive.
 */
public final class SamplerServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SamplerServer.class.getName());

    private final InetSocketAddress listen;
    private final SharedSecret secret;
    private final byte[] fingerprintDigest;
    private final BatchProducer producer;
    private final RpcConfig config;
    private final SslContext tls;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private final ExecutorService builders;
    private final ChannelGroup channels = new DefaultChannelGroup("sampler", GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger unadmitted = new AtomicInteger();
    private volatile Channel server;

    /**
     * @param listen      where to listen; port 0 picks a free port ({@link #address()} tells which)
     * @param fingerprint what the trainer must see too: the store's identity and the training configuration
     * @param threads     build threads, {@code >= 1}
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public SamplerServer(InetSocketAddress listen, SharedSecret secret, byte[] fingerprint, BatchProducer producer,
                         int threads, RpcConfig config) {
        this(listen, secret, fingerprint, producer, threads, config, null);
    }

    /**
     * A sampler whose connections are encrypted: TLS first, then the handshake of {@link FrameDescriptor} inside it.
     *
     * @param tls a server context (for example from {@code SslContextBuilder.forServer(keyManagerFactory)}), or null
     *            for plain TCP
     */
    public SamplerServer(InetSocketAddress listen, SharedSecret secret, byte[] fingerprint, BatchProducer producer,
                         int threads, RpcConfig config, SslContext tls) {
        if (tls != null && !tls.isServer()) {
            throw new IllegalArgumentException("tls: a client context where a sampler needs a server context");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + ": must be >= 1");
        }
        this.listen = listen;
        this.secret = secret;
        this.fingerprintDigest = SharedSecret.digest(fingerprint);
        this.producer = producer;
        this.config = config;
        this.tls = tls;
        this.acceptor = Transport.group(1, "pinsage-rpc-accept");
        this.io = Transport.group(1, "pinsage-rpc-io");
        this.builders = Executors.newFixedThreadPool(threads, new DefaultThreadFactory("pinsage-rpc-build", true));
    }

    /**
     * Binds and starts accepting; returns once the socket listens.
     *
     * @throws IllegalStateException when the address cannot be bound, naming it
     */
    public SamplerServer start() {
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptor, io)
                .channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (unadmitted.incrementAndGet() > config.maxUnadmitted()) {
                            unadmitted.decrementAndGet();
                            LOG.log(System.Logger.Level.WARNING, "closing connection from " + ch.remoteAddress() + ": "
                                    + config.maxUnadmitted() + " connections are in the handshake already");
                            ch.close();
                            return;
                        }
                        // Whether admitted or closed, the connection leaves the handshake once.
                        AtomicBoolean counted = new AtomicBoolean(true);
                        Runnable leave = () -> {
                            if (counted.getAndSet(false)) {
                                unadmitted.decrementAndGet();
                            }
                        };
                        ch.closeFuture().addListener(f -> leave.run());
                        channels.add(ch);
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("frames", new FrameDecoder())
                                .addLast("encoder", new FrameEncoder())
                                .addLast("handshake", new ServerHandshake(secret, fingerprintDigest, config,
                                        new SamplerSession(producer, builders, config), leave));
                    }
                });
        // Addresses parsed from the command line are unresolved; a socket binds only to a resolved one.
        InetSocketAddress at = listen.isUnresolved() ? new InetSocketAddress(listen.getHostString(), listen.getPort())
                : listen;
        try {
            server = b.bind(at).syncUninterruptibly().channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "sampler listening on " + server.localAddress() + " (" + Transport.name()
                + (tls == null ? "" : ", TLS") + ")");
        return this;
    }

    /** The bound address (with the port picked when asked for port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /**
     * Stops listening, closes every connection (their trainers reassign what was outstanding) and stops the build
     * threads. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly();
        builders.shutdownNow();
        try {
            // Builds finishing now hand their frame to the I/O loop, which must still run to release it.
            builders.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
