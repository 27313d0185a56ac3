package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {

    static {
        LeakRecorder.install();
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        LeakRecorder.assertNoLeaks();
    }

    /** The bytes FrameEncoder writes for a frame, header and body joined. */
    static ByteBuf encode(Frame frame) {
        EmbeddedChannel out = new EmbeddedChannel(new FrameEncoder());
        assertTrue(out.writeOutbound(frame));
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf part; (part = out.readOutbound()) != null; ) {
            all.writeBytes(part);
            part.release();
        }
        assertFalse(out.finish());
        return all;
    }

    private static Frame text(FrameDescriptor.Type type, String s) {
        return new Frame(type, Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    @Test
    void shouldLayOutTheHeaderAsTheDescriptorSays() {
        ByteBuf wire = encode(text(FrameDescriptor.Type.ERROR, "abc"));
        try {
            assertEquals(FrameDescriptor.HEADER_LENGTH + 3, wire.readableBytes());
            assertEquals(12 + 3, wire.getIntLE(FrameDescriptor.LENGTH_OFFSET));
            assertEquals(FrameDescriptor.MAGIC, wire.getIntLE(FrameDescriptor.MAGIC_OFFSET));
            assertEquals("PSRP", wire.toString(FrameDescriptor.MAGIC_OFFSET, 4, StandardCharsets.US_ASCII));
            assertEquals(FrameDescriptor.VERSION, wire.getByte(FrameDescriptor.VERSION_OFFSET));
            assertEquals(FrameDescriptor.Type.ERROR.code, wire.getByte(FrameDescriptor.TYPE_OFFSET));
            assertEquals(0, wire.getShortLE(FrameDescriptor.RESERVED_OFFSET));
            CRC32C crc = new CRC32C();
            byte[] covered = new byte[8 + 3];
            wire.getBytes(FrameDescriptor.MAGIC_OFFSET, covered, 0, 8);
            wire.getBytes(FrameDescriptor.HEADER_LENGTH, covered, 8, 3);
            crc.update(covered);
            assertEquals((int) crc.getValue(), wire.getIntLE(FrameDescriptor.CRC_OFFSET));
        } finally {
            wire.release();
        }
    }

    @Test
    void shouldRoundTripFramesFedOneByteAtATime() {
        ByteBuf wire = Unpooled.buffer();
        for (String s : new String[] {"", "x", "hello, sampler"}) {
            ByteBuf one = encode(text(FrameDescriptor.Type.ERROR, s));
            wire.writeBytes(one);
            one.release();
        }
        EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());
        while (wire.isReadable()) {
            in.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();
        for (String s : new String[] {"", "x", "hello, sampler"}) {
            Frame f = in.readInbound();
            assertEquals(FrameDescriptor.Type.ERROR, f.type());
            assertEquals(s, f.content().toString(StandardCharsets.UTF_8));
            f.release();
        }
        assertNull(in.readInbound());
        assertFalse(in.finish());
    }

    @Test
    void shouldRejectALengthBeyondTheLimitBeforeTheBodyArrives() {
        EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());
        ByteBuf header = Unpooled.buffer().writeIntLE(1 << 30);
        DecoderException e = assertThrows(DecoderException.class, () -> in.writeInbound(header));
        assertEquals("frame length 1073741828 outside [16, " + FrameDescriptor.HANDSHAKE_MAX_FRAME + "]", e.getMessage());
        // Whatever follows a bad frame is discarded, not decoded.
        assertFalse(in.writeInbound(encode(text(FrameDescriptor.Type.ERROR, "late"))));
        assertFalse(in.finish());
    }

    @Test
    void shouldAcceptLargerFramesOnceTheLimitIsRaised() {
        String big = "y".repeat(500);
        EmbeddedChannel small = new EmbeddedChannel(new FrameDecoder());
        assertThrows(CorruptFrameException.class, () -> small.writeInbound(encode(text(FrameDescriptor.Type.ERROR, big))));
        assertFalse(small.finish());
        FrameDecoder decoder = new FrameDecoder();
        decoder.maxFrameBytes(1024);
        EmbeddedChannel raised = new EmbeddedChannel(decoder);
        assertTrue(raised.writeInbound(encode(text(FrameDescriptor.Type.ERROR, big))));
        Frame f = raised.readInbound();
        assertEquals(big, f.content().toString(StandardCharsets.UTF_8));
        f.release();
        assertFalse(raised.finish());
    }

    @Test
    void shouldKeepALargeFrameInPooledChunksWhileItArrivesAndDecodeItWhole() {
        byte[] big = new byte[3 * MiniBatchCodec.CHUNK_BYTES + 12_345];
        new java.util.SplittableRandom(11).nextBytes(big);
        ByteBuf wire = encode(new Frame(FrameDescriptor.Type.BATCH, Unpooled.wrappedBuffer(big)));
        FrameDecoder decoder = new FrameDecoder();
        decoder.maxFrameBytes(big.length + FrameDescriptor.HEADER_LENGTH);
        EmbeddedChannel in = new EmbeddedChannel(decoder);
        // Reads of the size a socket delivers, one frame cut across them.
        while (wire.isReadable()) {
            int n = Math.min(wire.readableBytes(), 65_536 - 7);
            in.writeInbound(in.alloc().directBuffer(n).writeBytes(wire, n));
        }
        wire.release();
        Frame f = in.readInbound();
        try {
            assertEquals(FrameDescriptor.Type.BATCH, f.type());
            assertTrue(f.content().nioBufferCount() > 3, "the body stays in the chunks it was received into, "
                    + f.content().nioBufferCount() + " pieces");
            byte[] got = new byte[f.content().readableBytes()];
            f.content().getBytes(f.content().readerIndex(), got);
            assertArrayEquals(big, got);
        } finally {
            f.release();
        }
        assertFalse(in.finish());
    }

    @Test
    void shouldRejectBadMagicVersionTypeAndChecksumNamingThem() {
        assertEquals("bad magic 0x" + Integer.toHexString(FrameDescriptor.MAGIC ^ 0xFF) + " (expected 0x"
                + Integer.toHexString(FrameDescriptor.MAGIC) + ")", rejection(FrameDescriptor.MAGIC_OFFSET, 0xFF));
        assertEquals("protocol version 0 from the peer, this end speaks 2: run one pinsage release on the trainer and its "
                + "samplers", rejection(FrameDescriptor.VERSION_OFFSET, 0x02));
        assertEquals("unknown frame type 115", rejection(FrameDescriptor.TYPE_OFFSET, 0x78));
        assertTrue(rejection(FrameDescriptor.HEADER_LENGTH + 1, 0x01).startsWith("checksum mismatch"));
        assertTrue(rejection(FrameDescriptor.CRC_OFFSET, 0x01).startsWith("checksum mismatch"));
        assertTrue(rejection(FrameDescriptor.RESERVED_OFFSET, 0x01).startsWith("checksum mismatch"));
    }

    /** The decoder's message for a valid ERROR frame with byte {@code at} XOR-ed with {@code mask}. */
    private static String rejection(int at, int mask) {
        ByteBuf wire = encode(text(FrameDescriptor.Type.ERROR, "body"));
        wire.setByte(at, wire.getByte(at) ^ mask);
        EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder());
        CorruptFrameException e = assertThrows(CorruptFrameException.class, () -> in.writeInbound(wire));
        assertFalse(in.finish());
        return e.getMessage();
    }
}
