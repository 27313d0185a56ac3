package io.pinsage.engine.train;

import io.netty.handler.ssl.SslContext;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.rpc.RemoteMiniBatchSource;
import io.pinsage.rpc.RemoteSamplers;
import io.pinsage.rpc.RpcConfig;
import io.pinsage.rpc.SamplerServer;
import io.pinsage.rpc.SharedSecret;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Minibatches built by samplers ({@link SamplerServer}s, usually on other machines), and optionally by one more
 * sampler inside this process, listening on loopback, which the trainer reaches the same way: batches are assigned,
 * credited and reassigned on loss by cluster-rpc's {@link RemoteSamplers}. The run's {@link RunFingerprint} is checked
 * against every sampler's before any batch moves; it identifies the data, so the samplers send each batch's node ids
 * and the trainer gathers their inputs from its own {@link TrainingBatches#inputs}.
 *
 * <p>Failures reach the trainer as {@link RemoteSamplingException}: a sampler that refuses the trainer (naming the
 * parts of the fingerprint that differ, when the sampler says what it sees), no sampler reachable when an epoch opens,
 * every sampler lost, a batch whose build failed.
 *
 * <p>Threading: {@link #sources} once, then the factory's sources on the trainer's thread; {@link #close} after the
 * run, from any thread. Owns the transport's event loop and the in-process sampler's threads until then.
 */
public final class RemoteBatchSupply implements BatchSupply, AutoCloseable {

    private static final String MISMATCH = "fingerprint differs: sampler ";

    private final List<InetSocketAddress> samplers;
    private final SharedSecret secret;
    private final RpcConfig config;
    private final int localThreads;
    private final SslContext tls;
    private SamplerServer local;
    private RemoteSamplers remote;

    /**
     * @param samplers     where the samplers listen (may be empty when {@code localThreads > 0})
     * @param localThreads build threads of a sampler inside this process, on 127.0.0.1 and a free port; 0 for none
     * @throws IllegalArgumentException when there is no sampler at all, or {@code localThreads < 0}
     */
    public RemoteBatchSupply(List<InetSocketAddress> samplers, SharedSecret secret, RpcConfig config, int localThreads) {
        this(samplers, secret, config, localThreads, null);
    }

    /**
     * @param secret null when there are no {@code samplers}, only local threads: a random secret then admits this
     *               process's trainer to its own sampler
     * @param tls    a client context for the connections to {@code samplers} (the local sampler, on loopback, is
     *               reached without TLS), or null for plain TCP
     * @throws IllegalArgumentException when there is no sampler at all, {@code localThreads < 0}, or no secret for
     *                                  {@code samplers}
     */
    public RemoteBatchSupply(List<InetSocketAddress> samplers, SharedSecret secret, RpcConfig config, int localThreads,
                             SslContext tls) {
        if (localThreads < 0 || samplers.isEmpty() && localThreads == 0) {
            throw new IllegalArgumentException("samplers=" + samplers + " localSamplers=" + localThreads
                    + ": at least one sampler address or one local sampler thread is needed");
        }
        if (secret == null && !samplers.isEmpty()) {
            throw new IllegalArgumentException("samplers=" + samplers + ": a secret is needed to admit them");
        }
        this.samplers = List.copyOf(samplers);
        this.secret = secret != null ? secret : SharedSecret.random();
        this.config = config;
        this.localThreads = localThreads;
        this.tls = tls;
    }

    /** @throws IllegalStateException when called twice */
    @Override
    public MiniBatchSource.Factory sources(TrainingBatches batches) {
        if (remote != null) {
            throw new IllegalStateException("a remote batch supply serves one run");
        }
        RunFingerprint fingerprint = batches.fingerprint();
        List<InetSocketAddress> loopback = new ArrayList<>();
        if (localThreads > 0) {
            local = new SamplerServer(new InetSocketAddress("127.0.0.1", 0), secret, fingerprint.bytes(),
                    fingerprint.summary(), batches.producer(), localThreads, config, null).start();
            loopback.add(local.address());
        }
        remote = new RemoteSamplers(samplers, loopback, secret, fingerprint.bytes(), batches.schedule(), batches.inputs(),
                batches.inputs().nodeCount(), config, tls);
        return (epoch, fromBatch) -> {
            RemoteMiniBatchSource source;
            try {
                source = remote.open(epoch, fromBatch);
            } catch (IllegalStateException e) {
                throw new RemoteSamplingException(explain(e.getMessage(), fingerprint), e);
            }
            return new MiniBatchSource() {
                @Override
                public MiniBatch take(int e, int index) {
                    try {
                        return source.take(e, index);
                    } catch (IllegalStateException failure) {
                        throw new RemoteSamplingException(failure.getMessage(), failure);
                    }
                }

                @Override
                public void close() {
                    source.close();
                }
            };
        };
    }

    /**
     * The transport's reason, and for a fingerprint refusal the parts that differ: the sampler's refusal carries its
     * {@link RunFingerprint#summary}.
     */
    static String explain(String reason, RunFingerprint mine) {
        int at = reason.indexOf(MISMATCH);
        if (at < 0) {
            return reason;
        }
        int end = reason.indexOf(", trainer ", at);
        String theirs = reason.substring(at + MISMATCH.length(), end < 0 ? reason.length() : end);
        List<String> differ = mine.differences(theirs);
        String who = reason.substring(0, Math.max(0, reason.indexOf(": ")));
        return (who.isEmpty() ? "a sampler" : who) + " serves another run: "
                + (differ.isEmpty() ? "fingerprint " + theirs + " there, " + mine.summary() + " here"
                : String.join(", ", differ) + " differ" + (differ.size() == 1 ? "s" : ""))
                + "; start the samplers with this trainer's data and training options";
    }

    /** Closes the connections and the in-process sampler. Idempotent. */
    @Override
    public void close() {
        if (remote != null) {
            remote.close();
        }
        if (local != null) {
            local.close();
        }
    }
}
