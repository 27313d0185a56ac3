package io.pinsage.rpc;

import java.time.Duration;

/**
 * Settings shared by samplers and trainers.
 *
 * @param prefetch          a trainer's: the credits it grants each sampler, so the batches a sampler may build ahead
 *                          and hold in flight for it; a sampler's: the most batches of one trainer it builds (or holds
 *                          built) at once, requests beyond waiting their turn
 * @param heartbeatInterval a side that wrote nothing for this long sends a heartbeat
 * @param heartbeatTimeout  a side that read nothing (not even a heartbeat) for this long takes its peer for dead
 * @param stallTimeout      a sampler that delivered none of its outstanding batches for this long is taken for
 *                          stalled (alive but stuck) and loses them to the others
 * @param handshakeTimeout  connecting, authenticating and comparing fingerprints must finish within this
 * @param maxFrameBytes     the largest frame (header included) either side accepts after the handshake
 * @param maxUnadmitted     connections a sampler holds in the handshake at once; more are closed on arrival, so a
 *                          flood of connections that never authenticate cannot exhaust it
 * @param decodeThreads     a trainer's: threads that decode the batches received and gather their inputs, beside the
 *                          one event loop that reads every connection
 */
public record RpcConfig(int prefetch, Duration heartbeatInterval, Duration heartbeatTimeout, Duration stallTimeout,
                        Duration handshakeTimeout, int maxFrameBytes, int maxUnadmitted, int decodeThreads) {

    /** The deepest prefetch either side takes. */
    public static final int MAX_PREFETCH = 1024;

    /** The most decode threads a trainer takes. */
    public static final int MAX_DECODE_THREADS = 256;

    /**
     * Prefetch 4, heartbeats every second, dead after 10 s of silence, stalled after 60 s, 10 s to connect and
     * authenticate, 256 MiB frames, 64 connections in the handshake at once, 2 decode threads.
     */
    public static final RpcConfig DEFAULTS = new RpcConfig(4, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(10), 256 << 20, 64, 2);

    /**
     * @throws IllegalArgumentException naming the setting out of range
     */
    public RpcConfig {
        if (prefetch < 1 || prefetch > MAX_PREFETCH) {
            throw new IllegalArgumentException("prefetch=" + prefetch + ": must lie in [1, " + MAX_PREFETCH + "]");
        }
        positive("heartbeatInterval", heartbeatInterval);
        positive("heartbeatTimeout", heartbeatTimeout);
        positive("stallTimeout", stallTimeout);
        positive("handshakeTimeout", handshakeTimeout);
        if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("heartbeatTimeout=" + heartbeatTimeout + ": must exceed heartbeatInterval="
                    + heartbeatInterval);
        }
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes=" + maxFrameBytes + ": must be >= 1024");
        }
        if (maxUnadmitted < 1) {
            throw new IllegalArgumentException("maxUnadmitted=" + maxUnadmitted + ": must be >= 1");
        }
        if (decodeThreads < 1 || decodeThreads > MAX_DECODE_THREADS) {
            throw new IllegalArgumentException("decodeThreads=" + decodeThreads + ": must lie in [1, " + MAX_DECODE_THREADS
                    + "]");
        }
    }

    private static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + "=" + d + ": must be positive");
        }
    }

    /** The same settings with other timeouts. */
    public RpcConfig withTimeouts(Duration heartbeatInterval, Duration heartbeatTimeout, Duration stallTimeout) {
        return new RpcConfig(prefetch, heartbeatInterval, heartbeatTimeout, stallTimeout, handshakeTimeout, maxFrameBytes,
                maxUnadmitted, decodeThreads);
    }

    /** The same settings with another prefetch depth. */
    public RpcConfig withPrefetch(int prefetch) {
        return new RpcConfig(prefetch, heartbeatInterval, heartbeatTimeout, stallTimeout, handshakeTimeout, maxFrameBytes,
                maxUnadmitted, decodeThreads);
    }

    /** The same settings with another largest frame. */
    public RpcConfig withMaxFrameBytes(int maxFrameBytes) {
        return new RpcConfig(prefetch, heartbeatInterval, heartbeatTimeout, stallTimeout, handshakeTimeout, maxFrameBytes,
                maxUnadmitted, decodeThreads);
    }

    /** The same settings with another bound on connections in the handshake. */
    public RpcConfig withMaxUnadmitted(int maxUnadmitted) {
        return new RpcConfig(prefetch, heartbeatInterval, heartbeatTimeout, stallTimeout, handshakeTimeout, maxFrameBytes,
                maxUnadmitted, decodeThreads);
    }

    /** The same settings with another number of decode threads. */
    public RpcConfig withDecodeThreads(int decodeThreads) {
        return new RpcConfig(prefetch, heartbeatInterval, heartbeatTimeout, stallTimeout, handshakeTimeout, maxFrameBytes,
                maxUnadmitted, decodeThreads);
    }
}
