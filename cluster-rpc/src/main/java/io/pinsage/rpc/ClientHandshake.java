package io.pinsage.rpc;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's side of the handshake: sends HELLO with a fresh nonce, checks the sampler's proof (so a trainer never
 * takes batches from a peer that does not hold the secret), sends its own proof and the fingerprint digest, and on
 * READY replaces itself with {@code link} and completes {@code admitted}.
 *
 * <p>{@code admitted} fails with {@link RefusedException} when either side refuses the other (wrong secret, different
 * fingerprint, an ERROR frame from the sampler): a configuration error, not a sampler failure. It fails with another
 * exception when the connection closes, breaks or times out first. One instance per channel; event-loop thread.
 */
final class ClientHandshake extends SimpleChannelInboundHandler<Frame> {

    /** A sampler and this trainer do not accept each other. */
    static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    private final SharedSecret secret;
    private final byte[] fingerprintDigest;
    private final RpcConfig config;
    private final ChannelHandler link;
    private final Promise<Void> admitted;
    private byte[] trainerNonce;
    private ScheduledFuture<?> deadline;

    ClientHandshake(SharedSecret secret, byte[] fingerprintDigest, RpcConfig config, ChannelHandler link,
                    Promise<Void> admitted) {
        this.secret = secret;
        this.fingerprintDigest = fingerprintDigest;
        this.config = config;
        this.link = link;
        this.admitted = admitted;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> fail(ctx, new IllegalStateException("handshake not completed within "
                + config.handshakeTimeout())), config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        trainerNonce = SharedSecret.nonce();
        ctx.writeAndFlush(Frames.tokens(FrameDescriptor.Type.HELLO, trainerNonce));
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (frame.type()) {
            case CHALLENGE -> {
                byte[] tokens = Frames.tokens(frame, 2);
                if (tokens == null) {
                    fail(ctx, new RefusedException("malformed CHALLENGE " + frame));
                    return;
                }
                byte[] samplerNonce = Arrays.copyOf(tokens, FrameDescriptor.TOKEN_LENGTH);
                byte[] proof = Arrays.copyOfRange(tokens, FrameDescriptor.TOKEN_LENGTH, tokens.length);
                if (!SharedSecret.same(proof, secret.proof("sampler", trainerNonce, samplerNonce))) {
                    fail(ctx, new RefusedException("the sampler's proof is wrong (wrong secret, or a replayed handshake)"));
                    return;
                }
                ctx.pipeline().get(FrameDecoder.class).maxFrameBytes(config.maxFrameBytes());
                ctx.write(Frames.tokens(FrameDescriptor.Type.PROOF, secret.proof("trainer", trainerNonce, samplerNonce)));
                ctx.writeAndFlush(Frames.tokens(FrameDescriptor.Type.FINGERPRINT, fingerprintDigest));
            }
            case READY -> {
                deadline.cancel(false);
                ctx.pipeline().replace(this, "link", link);
                admitted.trySuccess(null);
            }
            case ERROR -> fail(ctx, new RefusedException("refused by the sampler: " + Frames.text(frame.content(), 0)));
            default -> fail(ctx, new RefusedException("unexpected " + frame + " during the handshake"));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        admitted.tryFailure(new IllegalStateException("the sampler closed the connection during the handshake"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause instanceof CorruptFrameException ? new RefusedException(cause.getMessage()) : cause);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        admitted.tryFailure(cause);
        ctx.close();
    }
}
