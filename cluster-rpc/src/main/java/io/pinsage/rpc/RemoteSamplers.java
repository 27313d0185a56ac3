package io.pinsage.rpc;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.nn.model.ComputationGraphBuilder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's end of the cluster: where its samplers listen, the secret and fingerprint it presents, the node inputs
 * it completes their batches with, and the event loop its connections run on. Each {@link #open} connects afresh (a
 * sampler restarted between epochs is used again) and returns the epoch's {@link RemoteMiniBatchSource};
 * {@link #factory()} is what a trainer takes.
 *
 * <p>Threads: one event loop ({@code pinsage-rpc-trainer}, a daemon thread) for every connection, and
 * {@link RpcConfig#decodeThreads()} daemon threads ({@code pinsage-rpc-decode-i}) that decode the batches and gather
 * their inputs, the bulk of a batch's cost on this side, so that one loop's thread does not bound the intake.
 * {@link #open} is called from the trainer's thread, {@link #close} from any.
 */
public final class RemoteSamplers implements AutoCloseable {

    private final List<InetSocketAddress> samplers;
    private final SharedSecret secret;
    private final byte[] fingerprintDigest;
    private final int batches;
    private final ComputationGraphBuilder.NodeInputs inputs;
    private final int nodes;
    private final RpcConfig config;
    /** Each sampler's client context, null for plain TCP; in the order of {@link #samplers}. */
    private final List<SslContext> tls;
    private final EventLoopGroup group;
    private final ExecutorService decoders;
    private final Set<RemoteMiniBatchSource> open = ConcurrentHashMap.newKeySet();

    /**
     * @param samplers    where the samplers listen; at least one
     * @param fingerprint what the samplers must see too: the store's identity (and so the node inputs) and the
     *                    training configuration
     * @param schedule    the run's schedule: how many batches an epoch has
     * @param inputs      the layer-0 inputs of the node space {@code [0, nodes)}, which each batch's nodes are
     *                    completed with as it arrives (read on the event loop, so thread-safe reads)
     * @throws IllegalArgumentException when no sampler is given
     */
    public RemoteSamplers(List<InetSocketAddress> samplers, SharedSecret secret, byte[] fingerprint,
                          BatchSchedule schedule, ComputationGraphBuilder.NodeInputs inputs, int nodes, RpcConfig config) {
        this(samplers, secret, fingerprint, schedule, inputs, nodes, config, null);
    }

    /**
     * A trainer whose connections are encrypted, to samplers started with a TLS context.
     *
     * @param tls a client context that trusts the samplers' certificates (for example from
     *            {@code SslContextBuilder.forClient().trustManager(trustManagerFactory)}), or null for plain TCP
     */
    public RemoteSamplers(List<InetSocketAddress> samplers, SharedSecret secret, byte[] fingerprint,
                          BatchSchedule schedule, ComputationGraphBuilder.NodeInputs inputs, int nodes, RpcConfig config,
                          SslContext tls) {
        this(samplers, List.of(), secret, fingerprint, schedule, inputs, nodes, config, tls);
    }

    /**
     * A trainer with encrypted connections to {@code samplers} and plain ones to {@code plainSamplers}: a sampler of
     * its own process on loopback, which the secret admits as any other.
     *
     * @param tls a client context for {@code samplers}, or null for plain TCP to all
     * @throws IllegalArgumentException when no sampler is given, or {@code tls} is a server context
     */
    public RemoteSamplers(List<InetSocketAddress> samplers, List<InetSocketAddress> plainSamplers, SharedSecret secret,
                          byte[] fingerprint, BatchSchedule schedule, ComputationGraphBuilder.NodeInputs inputs, int nodes,
                          RpcConfig config, SslContext tls) {
        if (tls != null && !tls.isClient()) {
            throw new IllegalArgumentException("tls: a server context where a trainer needs a client context");
        }
        if (samplers.isEmpty() && plainSamplers.isEmpty()) {
            throw new IllegalArgumentException("samplers=[]: at least one sampler address is needed");
        }
        List<InetSocketAddress> all = new ArrayList<>(samplers);
        all.addAll(plainSamplers);
        List<SslContext> contexts = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            contexts.add(i < samplers.size() ? tls : null);
        }
        this.samplers = List.copyOf(all);
        this.tls = Collections.unmodifiableList(contexts);
        this.secret = secret;
        this.fingerprintDigest = SharedSecret.digest(fingerprint);
        this.batches = schedule.batches();
        this.inputs = inputs;
        this.nodes = nodes;
        this.config = config;
        this.group = Transport.group(1, "pinsage-rpc-trainer");
        this.decoders = Executors.newFixedThreadPool(config.decodeThreads(),
                Thread.ofPlatform().name("pinsage-rpc-decode-", 0).daemon(true).factory());
    }

    /**
     * Connects to every sampler and serves batches {@code fromBatch ..} of {@code epoch}; blocks until each sampler
     * is admitted, refused or given up on (at most twice the handshake timeout).
     *
     * @throws IllegalStateException when a sampler refuses this trainer or is refused by it (secret, fingerprint,
     *                               version), naming the sampler and the reason; or when no sampler can be reached
     */
    public RemoteMiniBatchSource open(int epoch, int fromBatch) {
        RemoteMiniBatchSource source = new RemoteMiniBatchSource(samplers, secret, fingerprintDigest, batches, inputs,
                nodes, config, tls, group.next(), decoders, epoch, fromBatch, open::remove);
        open.add(source);
        return source;
    }

    /** {@link #open} as the factory a trainer opens once per epoch. */
    public MiniBatchSource.Factory factory() {
        return this::open;
    }

    /**
     * Stops the event loop and the decode threads (a batch being decoded or waiting for a thread is decoded, its frame
     * released, and dropped). A source still open is abandoned: its connections close and a {@code take} waiting on it
     * throws. Idempotent.
     */
    @Override
    public void close() {
        for (RemoteMiniBatchSource source : open) {
            source.abandon();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        decoders.shutdown();
    }

    /**
     * Parses {@code HOST:PORT[,HOST:PORT...]} (an IPv6 host in brackets) without resolving the hosts.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code HOST:PORT} with a port in [1, 65535]
     */
    public static List<InetSocketAddress> parseAddresses(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            out.add(parseAddress(entry.strip()));
        }
        return out;
    }

    /**
     * Parses one {@code HOST:PORT}; port 0 is allowed (a listener picks a free port).
     *
     * @throws IllegalArgumentException naming the text when it is not {@code HOST:PORT} with a port in [0, 65535]
     */
    public static InetSocketAddress parseAddress(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        if (colon > 0) {
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (host.isEmpty() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("address '" + text + "': expected HOST:PORT with a port in [0, 65535]");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
