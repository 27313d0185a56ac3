package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MiniBatchCodecTest {

    static {
        LeakRecorder.install();
    }

    private final TestBatches batches = new TestBatches(new BatchSchedule(300, 16, 42));

    @AfterAll
    static void noLeaks() throws InterruptedException {
        LeakRecorder.assertNoLeaks();
    }

    @Test
    void shouldDecodeToTheBatchTheInProcessPathBuildsWithItsInputsGatheredHere() {
        for (int index = 0; index < 5; index++) {
            MiniBatch sent = batches.build(2, index);
            ByteBuf body = MiniBatchCodec.encode(PooledByteBufAllocator.DEFAULT, sent, 7, Integer.MAX_VALUE);
            try {
                assertTrue(body.isDirect(), "tensors go straight into a direct buffer");
                assertEquals(MiniBatchCodec.bodyLength(sent), body.readableBytes());
                assertEquals(7, MiniBatchCodec.backlog(body));
                MiniBatch got = MiniBatchCodec.decode(body, TestBatches.INPUTS, TestBatches.NODES);
                assertEquals(0, body.readerIndex(), "decoding leaves the indices alone");
                assertSameBatch(batches.trained(2, index), got);
            } finally {
                body.release();
            }
        }
    }

    /**
     * The frame carries the node ids and the structure: a header of 7 ints, K + 1 node counts and K edge counts, one
     * int per layer-0 node, then per layer an offset per target and an id and a weight per edge, then the rows. A
     * batch holding its inputs encodes to the same bytes, and the receiver's inputs, not the sender's, fill the
     * decoded graph.
     */
    @Test
    void shouldSendNodeIdsAndStructureButNotTheInputsWhichTheReceiverGathers() {
        MiniBatch bare = batches.build(1, 2);
        MiniBatch trained = batches.trained(1, 2);
        ComputationGraph g = bare.graph();
        long ints = 7 + 3 + 2 + g.nodeCount(0) + 2L * bare.size() + bare.negativeRows().length + bare.hardRows().length;
        for (int k = 1; k <= 2; k++) {
            ints += g.nodeCount(k) + 1 + 2L * g.neighbours(k).length;
        }
        assertEquals(4 * ints, MiniBatchCodec.bodyLength(bare));
        assertEquals(4 * ints, MiniBatchCodec.bodyLength(trained));
        assertArrayEquals(TestBatches.bytes(bare), TestBatches.bytes(trained), "inputs held by the sender stay there");
        ComputationGraphBuilder.NodeInputs receivers = ComputationGraphBuilder.NodeInputs.of(ramp(TestBatches.NODES * 3),
                3, ramp(TestBatches.NODES));
        MiniBatch got = MiniBatchCodec.decode(Unpooled.wrappedBuffer(TestBatches.bytes(trained)), receivers,
                TestBatches.NODES);
        assertEquals(3, got.graph().featureDim());
        for (int i = 0; i < g.nodeCount(0); i++) {
            int node = g.nodeIds()[i];
            assertEquals(node, got.graph().logDegrees()[i]);
            for (int c = 0; c < 3; c++) {
                assertEquals(node * 3 + c, got.graph().features()[i * 3 + c]);
            }
        }
    }

    /** A model without CONVOLVE layers trains on graphs of the outputs alone: one node count, no layer arrays. */
    @Test
    void shouldCarryABatchWithoutConvolveLayers() {
        TestBatches flat = new TestBatches(new BatchSchedule(300, 16, 42), 0);
        MiniBatch bare = flat.build(1, 2);
        assertEquals(0, bare.graph().layers());
        assertEquals(4L * (7 + 1 + bare.graph().nodeCount(0) + 2L * bare.size() + bare.negativeRows().length
                + bare.hardRows().length), MiniBatchCodec.bodyLength(bare));
        MiniBatch got = MiniBatchCodec.decode(Unpooled.wrappedBuffer(TestBatches.bytes(bare)), TestBatches.INPUTS,
                TestBatches.NODES);
        assertSameBatch(flat.trained(1, 2), got);
    }

    /** 0, 1, 2, ... as floats. */
    private static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void shouldRejectANodeIdOutsideTheReceiversNodeSpaceBeforeGathering() {
        MiniBatch sent = batches.build(0, 3);
        int largest = Arrays.stream(sent.graph().nodeIds()).max().orElseThrow();
        int at = Arrays.stream(sent.graph().nodeIds()).boxed().toList().indexOf(largest);
        CorruptFrameException e = assertThrows(CorruptFrameException.class, () -> MiniBatchCodec.decode(
                Unpooled.wrappedBuffer(TestBatches.bytes(sent)), TestBatches.INPUTS, largest));
        assertEquals("batch body: nodeIds[" + at + "]=" + largest + " outside this end's node space [0, " + largest + ")",
                e.getMessage());
    }

    @Test
    void shouldEncodeABatchLargerThanAChunkInPooledChunksAndDecodeItEqual() {
        TestBatches large = new TestBatches(new BatchSchedule(3_000, 1_500, 42));
        MiniBatch sent = large.build(0, 1);
        long length = MiniBatchCodec.bodyLength(sent);
        assertTrue(length > MiniBatchCodec.CHUNK_BYTES, length + " bytes: too small to need chunks");
        ByteBuf body = MiniBatchCodec.encode(PooledByteBufAllocator.DEFAULT, sent, 3, Integer.MAX_VALUE);
        try {
            assertEquals(length, body.readableBytes());
            assertEquals((length + MiniBatchCodec.CHUNK_BYTES - 1) / MiniBatchCodec.CHUNK_BYTES, body.nioBufferCount(),
                    "one piece per chunk, none larger than a chunk");
            for (java.nio.ByteBuffer piece : body.nioBuffers()) {
                assertTrue(piece.isDirect() && piece.remaining() <= MiniBatchCodec.CHUNK_BYTES, piece.toString());
            }
            assertEquals(3, MiniBatchCodec.backlog(body));
            assertSameBatch(large.trained(0, 1), MiniBatchCodec.decode(body, TestBatches.INPUTS, TestBatches.NODES));
        } finally {
            body.release();
        }
    }

    @Test
    void shouldDecodeABodyThatArrivedCutAnywhere() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int index = 0; index < 4; index++) {
            MiniBatch sent = batches.build(1, index);
            byte[] bytes = TestBatches.bytes(sent);
            List<ByteBuf> pieces = new ArrayList<>();
            for (int at = 0; at < bytes.length; ) {
                int n = Math.min(bytes.length - at, 1 + rnd.nextInt(11));
                pieces.add(Unpooled.directBuffer(n).writeBytes(bytes, at, n));
                at += n;
            }
            ByteBuf body = Unpooled.wrappedBuffer(pieces.size(), pieces.toArray(ByteBuf[]::new));
            try {
                assertTrue(body.nioBufferCount() > 1, "seed " + seed);
                assertArrayEquals(TestBatches.whole(batches.trained(1, index)),
                        TestBatches.whole(MiniBatchCodec.decode(body, TestBatches.INPUTS, TestBatches.NODES)), "seed " + seed);
            } finally {
                body.release();
            }
        }
    }

    /** Field by field, floats by their bits. */
    static void assertSameBatch(MiniBatch a, MiniBatch b) {
        assertEquals(a.epoch(), b.epoch());
        assertEquals(a.index(), b.index());
        assertEquals(a.hardPerQuery(), b.hardPerQuery());
        assertArrayEquals(a.queryRows(), b.queryRows());
        assertArrayEquals(a.positiveRows(), b.positiveRows());
        assertArrayEquals(a.negativeRows(), b.negativeRows());
        assertArrayEquals(a.hardRows(), b.hardRows());
        ComputationGraph g = a.graph();
        ComputationGraph h = b.graph();
        assertEquals(g.layers(), h.layers());
        for (int k = 0; k <= g.layers(); k++) {
            assertEquals(g.nodeCount(k), h.nodeCount(k));
        }
        assertArrayEquals(g.nodeIds(), h.nodeIds());
        assertEquals(g.featureDim(), h.featureDim());
        assertArrayEquals(bits(g.features()), bits(h.features()));
        assertArrayEquals(bits(g.logDegrees()), bits(h.logDegrees()));
        for (int k = 1; k <= g.layers(); k++) {
            assertArrayEquals(g.offsets(k), h.offsets(k));
            assertArrayEquals(g.neighbours(k), h.neighbours(k));
            assertArrayEquals(bits(g.weights(k)), bits(h.weights(k)));
        }
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    @Test
    void shouldRefuseABatchLargerThanTheFrameLimitNamingBothSizes() {
        MiniBatch b = batches.build(0, 0);
        long length = MiniBatchCodec.bodyLength(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MiniBatchCodec.encode(PooledByteBufAllocator.DEFAULT, b, 0, (int) length - 1));
        assertEquals("batch 0 of epoch 0 encodes to " + length + " bytes; maxFrameBytes allows a body of " + (length - 1),
                e.getMessage());
    }

    @Test
    void shouldRejectBodiesWhoseCountsDoNotFitNamingTheField() {
        byte[] good = TestBatches.bytes(batches.build(1, 3));
        // 7 header ints and, for K = 2, 3 node counts and 2 edge counts come before the arrays: 48 bytes.
        assertEquals("batch body: the counts describe " + (good.length - 48) + " more bytes, the frame holds "
                + (good.length - 52), decodeError(Arrays.copyOf(good, good.length - 4)));
        byte[] layers = good.clone();
        Arrays.fill(layers, 12, 16, (byte) 0xFF);
        assertEquals("batch body: layers=-1 out of range", decodeError(layers));
        byte[] pairs = good.clone();
        pairs[19] = (byte) 0x80;
        assertTrue(decodeError(pairs).startsWith("batch body: pairs=-"), decodeError(pairs));
        byte[] huge = good.clone();
        huge[12] = 0x7F;
        huge[15] = 0x0F;
        assertTrue(decodeError(huge).startsWith("batch body:"), decodeError(huge));
    }

    @Test
    void shouldRejectARowOutsideTheGraphAsCorruptData() {
        MiniBatch b = batches.build(1, 0);
        byte[] bytes = TestBatches.bytes(b);
        // The query rows follow everything but the positive, negative and hard rows; the first one is set to -5.
        int at = bytes.length - 4 * (2 * b.size() + b.negativeRows().length + b.hardRows().length);
        bytes[at] = -5;
        bytes[at + 1] = -1;
        bytes[at + 2] = -1;
        bytes[at + 3] = -1;
        assertEquals("batch body: queryRows[0]=-5: must lie in [0, " + b.graph().outputCount()
                + "), the graph's output rows", decodeError(bytes));
    }

    private static String decodeError(byte[] body) {
        return assertThrows(CorruptFrameException.class, () -> MiniBatchCodec.decode(Unpooled.wrappedBuffer(body),
                TestBatches.INPUTS, TestBatches.NODES)).getMessage();
    }
}
