package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both ends of the handshake on {@link EmbeddedChannel}s, bytes moved between them by hand. */
class HandshakeTest {

    static {
        LeakRecorder.install();
    }

    static final SharedSecret SECRET = new SharedSecret("correct horse battery staple".getBytes(StandardCharsets.UTF_8));
    static final SharedSecret OTHER = new SharedSecret("a different secret, same length".getBytes(StandardCharsets.UTF_8));
    static final byte[] FINGERPRINT = SharedSecret.digest("store gen-3 / K=2 T=50".getBytes(StandardCharsets.UTF_8));

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final AtomicInteger admissions = new AtomicInteger();

    @AfterEach
    void release() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        // Only the admitting test admits; every refusal must leave the count alone.
        assertTrue(admissions.get() <= 1, "admitted " + admissions.get() + " times");
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        LeakRecorder.assertNoLeaks();
    }

    /** A handler that stands for whatever the handshake installs after success. */
    static ChannelHandler marker() {
        return new ChannelInboundHandlerAdapter();
    }

    EmbeddedChannel server(SharedSecret secret, byte[] fingerprint) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(), new FrameEncoder(),
                new ServerHandshake(secret, fingerprint, ServerHandshake.hex(fingerprint), RpcConfig.DEFAULTS, marker(), admissions::incrementAndGet));
        channels.add(ch);
        return ch;
    }

    EmbeddedChannel client(SharedSecret secret, byte[] fingerprint, Promise<Void> admitted) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(), new FrameEncoder(),
                new ClientHandshake(secret, fingerprint, RpcConfig.DEFAULTS, marker(), admitted));
        channels.add(ch);
        return ch;
    }

    /** Moves bytes both ways until neither side writes more; returns what the client sent, for replays. */
    static List<byte[]> pump(EmbeddedChannel client, EmbeddedChannel server) {
        List<byte[]> sent = new ArrayList<>();
        boolean moved = true;
        while (moved) {
            moved = false;
            for (ByteBuf b; (b = client.readOutbound()) != null; moved = true) {
                byte[] bytes = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), bytes);
                sent.add(bytes);
                if (server.isOpen()) {
                    server.writeInbound(b);
                } else {
                    b.release();
                }
            }
            for (ByteBuf b; (b = server.readOutbound()) != null; moved = true) {
                if (client.isOpen()) {
                    client.writeInbound(b);
                } else {
                    b.release();
                }
            }
        }
        return sent;
    }

    @Test
    void shouldAdmitAPeerWithTheSameSecretAndFingerprint() {
        EmbeddedChannel server = server(SECRET, FINGERPRINT);
        Promise<Void> admitted = newPromise();
        EmbeddedChannel client = client(SECRET, FINGERPRINT, admitted);
        pump(client, server);
        assertTrue(admitted.isSuccess(), () -> String.valueOf(admitted.cause()));
        assertNotNull(server.pipeline().get("session"));
        assertNull(server.pipeline().get(ServerHandshake.class));
        assertNotNull(client.pipeline().get("link"));
        assertEquals(RpcConfig.DEFAULTS.maxFrameBytes(), server.pipeline().get(FrameDecoder.class).maxFrameBytes());
        assertEquals(RpcConfig.DEFAULTS.maxFrameBytes(), client.pipeline().get(FrameDecoder.class).maxFrameBytes());
        assertTrue(server.isOpen() && client.isOpen());
        assertEquals(1, admissions.getAndSet(0), "the sampler counted the admission once");
    }

    @Test
    void shouldRefuseASamplerWithAnotherSecret() {
        EmbeddedChannel server = server(OTHER, FINGERPRINT);
        Promise<Void> admitted = newPromise();
        EmbeddedChannel client = client(SECRET, FINGERPRINT, admitted);
        pump(client, server);
        assertInstanceOf(ClientHandshake.RefusedException.class, admitted.cause());
        assertEquals("the sampler's proof is wrong (wrong secret, or a replayed handshake)", admitted.cause().getMessage());
        assertFalse(client.isOpen());
        assertNull(server.pipeline().get("session"));
    }

    @Test
    void shouldCloseOnATrainerWithAnotherSecretAndLogWhy() {
        List<String> logged = capture();
        // The trainer's secret is wrong but it skips checking the sampler's proof: the sampler must still refuse it.
        EmbeddedChannel server = server(SECRET, FINGERPRINT);
        server.writeInbound(FrameCodecTest.encode(Frames.tokens(FrameDescriptor.Type.HELLO, SharedSecret.nonce())));
        Frame challenge = written(server);
        byte[] tokens = Frames.tokens(challenge, 2);
        challenge.release();
        byte[] samplerNonce = Arrays.copyOf(tokens, 32);
        server.writeInbound(FrameCodecTest.encode(Frames.tokens(FrameDescriptor.Type.PROOF,
                OTHER.proof("trainer", new byte[32], samplerNonce))));
        Frame error = written(server);
        assertEquals(FrameDescriptor.Type.ERROR, error.type());
        assertEquals("authentication failed (wrong secret, or a replayed handshake)", Frames.text(error.content(), 0));
        error.release();
        assertFalse(server.isOpen());
        assertNull(server.pipeline().get("session"));
        assertTrue(logged.stream().anyMatch(l -> l.endsWith(": authentication failed (wrong secret, or a replayed"
                + " handshake)")), logged::toString);
    }

    @Test
    void shouldRefuseARecordedHandshakeReplayedToASampler() {
        EmbeddedChannel first = server(SECRET, FINGERPRINT);
        Promise<Void> admitted = newPromise();
        List<byte[]> recorded = pump(client(SECRET, FINGERPRINT, admitted), first);
        assertTrue(admitted.isSuccess());
        EmbeddedChannel second = server(SECRET, FINGERPRINT);
        for (byte[] bytes : recorded) {
            if (second.isOpen()) {
                second.writeInbound(Unpooled.wrappedBuffer(bytes));
            }
        }
        assertFalse(second.isOpen(), "the recorded proof answers another nonce");
        assertNull(second.pipeline().get("session"));
    }

    @Test
    void shouldRefuseARecordedChallengeReplayedToATrainer() {
        EmbeddedChannel server = server(SECRET, FINGERPRINT);
        Promise<Void> first = newPromise();
        EmbeddedChannel firstClient = client(SECRET, FINGERPRINT, first);
        server.writeInbound(drain(firstClient));
        ByteBuf challenge = drain(server);
        Promise<Void> second = newPromise();
        EmbeddedChannel replayedTo = client(SECRET, FINGERPRINT, second);
        drain(replayedTo).release();
        replayedTo.writeInbound(challenge);
        assertInstanceOf(ClientHandshake.RefusedException.class, second.cause());
        assertFalse(replayedTo.isOpen());
    }

    @Test
    void shouldRefuseADifferentFingerprintNamingBoth() {
        EmbeddedChannel server = server(SECRET, FINGERPRINT);
        Promise<Void> admitted = newPromise();
        byte[] other = SharedSecret.digest("store gen-4".getBytes(StandardCharsets.UTF_8));
        pump(client(SECRET, other, admitted), server);
        assertInstanceOf(ClientHandshake.RefusedException.class, admitted.cause());
        assertEquals("refused by the sampler: fingerprint differs: sampler " + ServerHandshake.hex(FINGERPRINT)
                + ", trainer " + ServerHandshake.hex(other), admitted.cause().getMessage());
        assertFalse(server.isOpen());
        assertNull(server.pipeline().get("session"));
    }

    /** A trainer of version 1, whose batches carried features, is told why before anything else happens. */
    @Test
    void shouldCloseOnAnOlderVersionBeforeAnythingElseSayingWhy() {
        EmbeddedChannel server = server(SECRET, FINGERPRINT);
        ByteBuf hello = FrameCodecTest.encode(Frames.tokens(FrameDescriptor.Type.HELLO, SharedSecret.nonce()));
        hello.setByte(FrameDescriptor.VERSION_OFFSET, 1);
        server.writeInbound(hello);
        assertFalse(server.isOpen());
        Frame error = written(server);
        assertEquals("protocol version 1 from the peer, this end speaks 2: run one pinsage release on the trainer and "
                + "its samplers", Frames.text(error.content(), 0));
        error.release();
    }

    /** A sampler of version 1 answers a trainer's HELLO with its own refusal, in its version: a refusal here too. */
    @Test
    void shouldRefuseASamplerOfAnOlderVersionAsAConfigurationError() {
        Promise<Void> admitted = newPromise();
        EmbeddedChannel client = client(SECRET, FINGERPRINT, admitted);
        ByteBuf refusal = FrameCodecTest.encode(Frames.error("unknown protocol version 2 (this end speaks 1)"));
        refusal.setByte(FrameDescriptor.VERSION_OFFSET, 1);
        client.writeInbound(refusal);
        assertFalse(client.isOpen());
        assertInstanceOf(ClientHandshake.RefusedException.class, admitted.cause());
        assertEquals("protocol version 1 from the peer, this end speaks 2: run one pinsage release on the trainer and "
                + "its samplers", admitted.cause().getMessage());
        client.finishAndReleaseAll();
    }

    @Test
    void shouldCloseAConnectionThatDoesNotFinishTheHandshakeInTime() {
        EmbeddedChannel server = server(SECRET, FINGERPRINT);
        long timeout = RpcConfig.DEFAULTS.handshakeTimeout().toNanos();
        server.advanceTimeBy(timeout / 2, TimeUnit.NANOSECONDS);
        server.runScheduledPendingTasks();
        assertTrue(server.isOpen());
        server.advanceTimeBy(timeout / 2 + 1, TimeUnit.NANOSECONDS);
        server.runScheduledPendingTasks();
        assertFalse(server.isOpen());
    }

    /** The one frame {@code ch} has written, decoded (FrameEncoder writes header and body as two buffers). */
    private static Frame written(EmbeddedChannel ch) {
        return decode(drain(ch));
    }

    /** Everything {@code ch} has written, as one buffer. */
    static ByteBuf drain(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    private static Frame decode(ByteBuf wire) {
        EmbeddedChannel d = new EmbeddedChannel(new FrameDecoder());
        d.writeInbound(wire);
        Frame f = d.readInbound();
        d.finishAndReleaseAll();
        return f;
    }

    private Promise<Void> newPromise() {
        return ImmediateEventExecutor.INSTANCE.newPromise();
    }

    /** Records what the handshake logs. */
    static List<String> capture() {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Logger.getLogger(ServerHandshake.class.getName()).addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        return lines;
    }
}
