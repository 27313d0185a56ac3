package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile bytes against a sampler's unauthenticated pipeline and against the batch decoder: whatever arrives, a
 * connection is admitted only through a real handshake, nothing escapes the pipeline as an exception, and a damaged
 * batch is rejected with {@link CorruptFrameException} or decodes to a valid batch, never anything else. Bounded in
 * rounds and seconds; {@code -Dtests.seed=N} replays a run, and a failure names its seed.
 */
@Timeout(60)
class DecoderFuzzTest {

    static {
        LeakRecorder.install();
    }

    // Paranoid leak tracking records a stack trace per buffer, so a round costs milliseconds: keep the bounds small.
    private static final int ROUNDS = 600;
    private static final long MAX_NANOS = 2_000_000_000L;

    @Test
    void shouldAdmitNothingButARealHandshake() throws Exception {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        System.out.println("DecoderFuzzTest seed " + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        long start = System.nanoTime();
        for (int round = 0; round < ROUNDS && System.nanoTime() - start < MAX_NANOS; round++) {
            int kind = rnd.nextInt(8);
            EmbeddedChannel server = server(() -> fail("admitted without a handshake"));
            try {
                for (ByteBuf chunk : chunks(attack(kind, rnd), rnd)) {
                    if (server.isOpen()) {
                        server.writeInbound(chunk);
                    } else {
                        chunk.release();
                    }
                }
                assertNull(server.pipeline().get("session"), "admitted without a handshake");
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("[-Dtests.seed=" + seed + "] round " + round + " kind " + kind + ": " + e, e);
            } finally {
                server.finishAndReleaseAll();
            }
        }
        LeakRecorder.assertNoLeaks();
    }

    @Test
    void shouldRejectDamagedBatchBodiesAsCorruptOnly() {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        System.out.println("DecoderFuzzTest seed " + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        TestBatches batches = new TestBatches(new BatchSchedule(200, 10, seed));
        long start = System.nanoTime();
        for (int round = 0; round < ROUNDS && System.nanoTime() - start < MAX_NANOS; round++) {
            MiniBatch batch = batches.build(rnd.nextInt(3), rnd.nextInt(20));
            byte[] body = TestBatches.bytes(batch);
            byte[] damaged = damage(body, rnd);
            try {
                MiniBatch decoded = MiniBatchCodec.decode(Unpooled.wrappedBuffer(damaged), TestBatches.INPUTS,
                        TestBatches.NODES);
                // A damage that still decodes leaves a valid batch: re-encoding gives the damaged bytes back.
                byte[] again = TestBatches.bytes(decoded);
                damaged[0] = damaged[1] = damaged[2] = damaged[3] = 0;
                assertArrayEquals(damaged, again);
            } catch (CorruptFrameException expected) {
                assertFalse(expected.getMessage().isEmpty());
            } catch (Throwable t) {
                fail("[-Dtests.seed=" + seed + "] round " + round + ": " + t, t);
            }
        }
    }

    private static EmbeddedChannel server(Runnable admitted) {
        return new EmbeddedChannel(new FrameDecoder(), new FrameEncoder(),
                new ServerHandshake(HandshakeTest.SECRET, HandshakeTest.FINGERPRINT, "fuzzed", RpcConfig.DEFAULTS,
                        HandshakeTest.marker(), admitted));
    }

    /**
     * The bytes of one attack against a fresh sampler connection: random bytes, a damaged HELLO, a truncated one, an
     * oversized length, a bad checksum, a bad magic, a proof made with another secret, a recorded handshake replayed.
     */
    private static byte[] attack(int kind, SplittableRandom rnd) {
        byte[] hello = bytes(FrameCodecTest.encode(Frames.tokens(FrameDescriptor.Type.HELLO, SharedSecret.nonce())));
        return switch (kind) {
            case 0 -> random(rnd, rnd.nextInt(400));
            case 1 -> damage(hello, rnd);
            case 2 -> Arrays.copyOf(hello, rnd.nextInt(hello.length));
            case 3 -> {
                byte[] b = hello.clone();
                int length = FrameDescriptor.HANDSHAKE_MAX_FRAME - 3 + rnd.nextInt(Integer.MAX_VALUE - 200);
                b[0] = (byte) length;
                b[1] = (byte) (length >>> 8);
                b[2] = (byte) (length >>> 16);
                b[3] = (byte) (length >>> 24);
                yield b;
            }
            case 4 -> {
                byte[] b = hello.clone();
                b[FrameDescriptor.CRC_OFFSET + rnd.nextInt(4)] ^= (byte) (1 + rnd.nextInt(255));
                yield b;
            }
            case 5 -> {
                byte[] b = hello.clone();
                b[FrameDescriptor.MAGIC_OFFSET + rnd.nextInt(4)] ^= (byte) (1 + rnd.nextInt(255));
                yield b;
            }
            case 6 -> concat(hello, bytes(FrameCodecTest.encode(Frames.tokens(FrameDescriptor.Type.PROOF,
                    HandshakeTest.OTHER.proof("trainer", new byte[32], new byte[32])))), random(rnd, rnd.nextInt(64)));
            default -> replayed();
        };
    }

    /** What a genuine trainer sent to another sampler connection: recorded, then replayed here. */
    private static byte[] replayed() {
        EmbeddedChannel victim = server(() -> { });
        EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(), new FrameEncoder(),
                new ClientHandshake(HandshakeTest.SECRET, HandshakeTest.FINGERPRINT, RpcConfig.DEFAULTS,
                        HandshakeTest.marker(), ImmediateEventExecutor.INSTANCE.newPromise()));
        List<byte[]> sent = HandshakeTest.pump(client, victim);
        assertEquals(3, sent.size() / 2, "HELLO, PROOF and FINGERPRINT, each as header and body");
        victim.finishAndReleaseAll();
        client.finishAndReleaseAll();
        return concat(sent.toArray(byte[][]::new));
    }

    /** Splits the bytes at random points, as TCP may. */
    private static List<ByteBuf> chunks(byte[] bytes, SplittableRandom rnd) {
        List<ByteBuf> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int n = 1 + rnd.nextInt(bytes.length - at);
            out.add(Unpooled.wrappedBuffer(bytes, at, n));
            at += n;
        }
        return out;
    }

    private static byte[] damage(byte[] original, SplittableRandom rnd) {
        byte[] b = original.clone();
        switch (rnd.nextInt(3)) {
            case 0 -> {
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
            }
            case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
            default -> b = concat(b, random(rnd, 1 + rnd.nextInt(16)));
        }
        return b;
    }

    private static byte[] random(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        buf.release();
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
