package io.pinsage.engine.serve;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link PinSageServer} listens and how much it accepts. Immutable.
 *
 * @param host          the address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port          the port, 0 for any free one
 * @param workers       threads that run queries (walks) off the network threads
 * @param queueCapacity queries waiting for a worker beyond which requests get 503: the memory a burst can take is
 *                      bounded by it, not by the burst
 * @param maxBodyBytes  largest request body accepted; larger ones get 413
 * @param idleTimeout   a connection that sends nothing this long is closed (vanished clients, idle keep-alive
 *                      connections)
 * @param requestTimeout a request not read in full this long after its first byte is answered 408 and its
 *                      connection closed (clients that trickle their headers or body)
 * @param maxConnections open connections beyond which a new one is answered 503 and closed
 * @param maxK          largest {@code k} a request may ask for
 * @param topics        the pins' topics on a synthetic store, shown beside each pin; {@link PinTopics#NONE} otherwise
 * @param writeToken    the bearer token the write endpoints ({@code POST /v1/edges}, {@code POST /v1/pins}) ask for,
 *                      or {@code null} to let any client write (left out of {@link #toString()})
 */
public record ServerOptions(String host, int port, int workers, int queueCapacity, int maxBodyBytes, Duration idleTimeout,
                            Duration requestTimeout, int maxConnections, int maxK, PinTopics topics,
                            String writeToken) {

    public ServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port=" + port + ": expected 0..65535");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers=" + workers + ": must be >= 1");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity=" + queueCapacity + ": must be >= 1");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes=" + maxBodyBytes + ": must be >= 0");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout=" + idleTimeout + ": must be positive");
        }
        if (requestTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("requestTimeout=" + requestTimeout + ": must be at least 1 ms");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections=" + maxConnections + ": must be >= 1");
        }
        if (maxK < 1) {
            throw new IllegalArgumentException("maxK=" + maxK + ": must be >= 1");
        }
        Objects.requireNonNull(topics, "topics");
        if (writeToken != null && (writeToken.isBlank() || !writeToken.chars().allMatch(c -> c > ' ' && c < 127))) {
            throw new IllegalArgumentException("writeToken: expected printable ASCII without blanks");
        }
    }

    /**
     * Loopback on {@code port}, a worker per processor, 256 waiting queries, 64 KiB bodies, 30 s idle, 10 s to send a
     * request, 4096 connections, k up to 1000, no topics, writes without a token.
     */
    public static ServerOptions defaults(int port) {
        return new ServerOptions("127.0.0.1", port, Runtime.getRuntime().availableProcessors(), 256, 64 * 1024,
                Duration.ofSeconds(30), Duration.ofSeconds(10), 4096, 1000, PinTopics.NONE, null);
    }

    /** These options bound to {@code host}. */
    public ServerOptions withHost(String host) {
        return new ServerOptions(host, port, workers, queueCapacity, maxBodyBytes, idleTimeout, requestTimeout,
                maxConnections, maxK, topics, writeToken);
    }

    /** These options with {@code workers} query threads and {@code queueCapacity} waiting queries. */
    public ServerOptions withWorkers(int workers, int queueCapacity) {
        return new ServerOptions(host, port, workers, queueCapacity, maxBodyBytes, idleTimeout, requestTimeout,
                maxConnections, maxK, topics, writeToken);
    }

    /** These options accepting bodies up to {@code maxBodyBytes}. */
    public ServerOptions withMaxBodyBytes(int maxBodyBytes) {
        return new ServerOptions(host, port, workers, queueCapacity, maxBodyBytes, idleTimeout, requestTimeout,
                maxConnections, maxK, topics, writeToken);
    }

    /** These options closing connections idle for {@code idleTimeout}. */
    public ServerOptions withIdleTimeout(Duration idleTimeout) {
        return new ServerOptions(host, port, workers, queueCapacity, maxBodyBytes, idleTimeout, requestTimeout,
                maxConnections, maxK, topics, writeToken);
    }

    /**
     * These options answering 408 to a request not read in full {@code requestTimeout} after its first byte, and 503
     * to connections beyond {@code maxConnections} open ones.
     */
    public ServerOptions withRequestLimits(Duration requestTimeout, int maxConnections) {
        return new ServerOptions(host, port, workers, queueCapacity, maxBodyBytes, idleTimeout, requestTimeout, maxConnections,
                maxK, topics, writeToken);
    }

    /** These options asking writers for the bearer token {@code writeToken} ({@code null}: none). */
    public ServerOptions withWriteToken(String writeToken) {
        return new ServerOptions(host, port, workers, queueCapacity, maxBodyBytes, idleTimeout, requestTimeout,
                maxConnections, maxK, topics, writeToken);
    }

    /** The options, the token left out. */
    @Override
    public String toString() {
        return "ServerOptions[host=" + host + ", port=" + port + ", workers=" + workers + ", queueCapacity=" + queueCapacity
                + ", maxBodyBytes=" + maxBodyBytes + ", idleTimeout=" + idleTimeout + ", requestTimeout=" + requestTimeout
                + ", maxConnections=" + maxConnections + ", maxK=" + maxK + ", topics=" + topics
                + ", writeToken=" + (writeToken == null ? "none" : "set") + "]";
    }

    /** These options labelling pins with {@code topics}. */
    public ServerOptions withTopics(PinTopics topics) {
        return new ServerOptions(host, port, workers, queueCapacity, maxBodyBytes, idleTimeout, requestTimeout,
                maxConnections, maxK, topics, writeToken);
    }
}
