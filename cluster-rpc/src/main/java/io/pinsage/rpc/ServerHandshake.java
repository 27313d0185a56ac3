package io.pinsage.rpc;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * The sampler's side of the handshake: answers HELLO with its own nonce and proof, checks the trainer's proof, then
 * the trainer's fingerprint, and only then replaces itself with the handler that serves batches ({@code session}),
 * raising the frame limit. Until then the connection costs this handler and the decoder, which refuses any frame
 * longer than {@link FrameDescriptor#HANDSHAKE_MAX_FRAME} before waiting for its body.
 *
 * <p>Any deviation — a frame out of turn, a wrong proof (wrong secret, or a recorded handshake replayed against a
 * fresh nonce), a different fingerprint, a corrupt frame, or no READY within the handshake timeout — logs the reason
 * with the peer's address, sends an ERROR frame and closes the connection. One instance per channel; event-loop thread.
 */
final class ServerHandshake extends SimpleChannelInboundHandler<Frame> {

    private static final System.Logger LOG = System.getLogger(ServerHandshake.class.getName());

    private enum State { HELLO, PROOF, FINGERPRINT, DONE }

    private final SharedSecret secret;
    private final byte[] fingerprintDigest;
    private final RpcConfig config;
    private final ChannelHandler session;
    private final Runnable admitted;
    private State state = State.HELLO;
    private byte[] trainerNonce;
    private byte[] samplerNonce;
    private ScheduledFuture<?> deadline;

    /** @param admitted run once the connection is admitted (not when it is closed before) */
    ServerHandshake(SharedSecret secret, byte[] fingerprintDigest, RpcConfig config, ChannelHandler session,
                    Runnable admitted) {
        this.admitted = admitted;
        this.secret = secret;
        this.fingerprintDigest = fingerprintDigest;
        this.config = config;
        this.session = session;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> reject(ctx, "handshake not completed within "
                + config.handshakeTimeout()), config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (state) {
            case HELLO -> {
                byte[] nonce = frame.type() == FrameDescriptor.Type.HELLO ? Frames.tokens(frame, 1) : null;
                if (nonce == null) {
                    reject(ctx, "expected HELLO with a nonce, got " + frame);
                    return;
                }
                trainerNonce = nonce;
                samplerNonce = SharedSecret.nonce();
                ctx.writeAndFlush(Frames.tokens(FrameDescriptor.Type.CHALLENGE, samplerNonce,
                        secret.proof("sampler", trainerNonce, samplerNonce)));
                state = State.PROOF;
            }
            case PROOF -> {
                byte[] proof = frame.type() == FrameDescriptor.Type.PROOF ? Frames.tokens(frame, 1) : null;
                if (proof == null || !SharedSecret.same(proof, secret.proof("trainer", trainerNonce, samplerNonce))) {
                    reject(ctx, "authentication failed (wrong secret, or a replayed handshake)");
                    return;
                }
                ctx.pipeline().get(FrameDecoder.class).maxFrameBytes(config.maxFrameBytes());
                state = State.FINGERPRINT;
            }
            case FINGERPRINT -> {
                byte[] digest = frame.type() == FrameDescriptor.Type.FINGERPRINT ? Frames.tokens(frame, 1) : null;
                if (digest == null || !SharedSecret.same(digest, fingerprintDigest)) {
                    reject(ctx, "fingerprint differs: sampler " + hex(fingerprintDigest) + ", trainer "
                            + (digest == null ? "sent " + frame : hex(digest)));
                    return;
                }
                state = State.DONE;
                deadline.cancel(false);
                ctx.writeAndFlush(Frame.empty(FrameDescriptor.Type.READY));
                ctx.pipeline().replace(this, "session", session);
                admitted.run();
            }
            case DONE -> throw new AssertionError("the handshake handler left the pipeline");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        reject(ctx, String.valueOf(cause.getMessage()));
    }

    private void reject(ChannelHandlerContext ctx, String reason) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "closing connection from " + ctx.channel().remoteAddress() + ": " + reason);
        ctx.writeAndFlush(Frames.error(reason)).addListener(ChannelFutureListener.CLOSE);
    }

    /** First 8 bytes of a digest in hex: enough to tell two configurations apart in a log line. */
    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest, 0, 8);
    }
}
