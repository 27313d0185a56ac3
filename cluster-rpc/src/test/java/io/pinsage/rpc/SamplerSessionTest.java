package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pinsage.nn.batch.BatchSchedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sampler's admitted connection on an {@link EmbeddedChannel}, builds run inline. */
class SamplerSessionTest {

    static {
        LeakRecorder.install();
    }

    private final TestBatches batches = new TestBatches(new BatchSchedule(100, 10, 5));
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void release() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        LeakRecorder.assertNoLeaks();
    }

    private EmbeddedChannel session(BatchProducer producer) {
        FrameDecoder decoder = new FrameDecoder();
        decoder.maxFrameBytes(RpcConfig.DEFAULTS.maxFrameBytes());
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new FrameEncoder(),
                new SamplerSession(producer, Runnable::run, RpcConfig.DEFAULTS));
        channels.add(ch);
        return ch;
    }

    private static void send(EmbeddedChannel ch, FrameDescriptor.Type type, int... values) {
        ch.writeInbound(FrameCodecTest.encode(Frames.ints(UnpooledByteBufAllocator.DEFAULT, type, values)));
        ch.runPendingTasks();
    }

    /** The frames the session wrote, decoded. */
    private static List<Frame> written(EmbeddedChannel ch) {
        EmbeddedChannel d = new EmbeddedChannel(decoderForBatches());
        d.writeInbound(HandshakeTest.drain(ch));
        List<Frame> out = new ArrayList<>();
        for (Frame f; (f = d.readInbound()) != null; ) {
            out.add(f);
        }
        d.finishAndReleaseAll();
        return out;
    }

    private static FrameDecoder decoderForBatches() {
        FrameDecoder d = new FrameDecoder();
        d.maxFrameBytes(RpcConfig.DEFAULTS.maxFrameBytes());
        return d;
    }

    @Test
    void shouldSendEachRequestedBatchWithItsBacklogWhileCreditsLast() {
        EmbeddedChannel ch = session(batches);
        send(ch, FrameDescriptor.Type.CREDIT, 2);
        send(ch, FrameDescriptor.Type.REQUEST, 0, 4);
        send(ch, FrameDescriptor.Type.REQUEST, 0, 6);
        List<Frame> out = written(ch);
        assertEquals(2, out.size());
        int[] backlogs = new int[2];
        for (int i = 0; i < 2; i++) {
            Frame f = out.get(i);
            assertEquals(FrameDescriptor.Type.BATCH, f.type());
            backlogs[i] = MiniBatchCodec.backlog(f.content());
            MiniBatchCodecTest.assertSameBatch(batches.trained(0, i == 0 ? 4 : 6),
                    MiniBatchCodec.decode(f.content(), TestBatches.INPUTS, TestBatches.NODES));
            f.release();
        }
        // Inline builds answer each request before the next arrives: nothing is waiting behind either batch.
        assertArrayEquals(new int[] {0, 0}, backlogs);
        assertTrue(ch.isOpen());
    }

    @Test
    void shouldCloseOnARequestTheCreditsDoNotCover() {
        EmbeddedChannel ch = session(batches);
        send(ch, FrameDescriptor.Type.CREDIT, 1);
        send(ch, FrameDescriptor.Type.REQUEST, 0, 0);
        send(ch, FrameDescriptor.Type.REQUEST, 0, 1);
        List<Frame> out = written(ch);
        assertEquals(FrameDescriptor.Type.BATCH, out.get(0).type());
        assertEquals(FrameDescriptor.Type.ERROR, out.get(1).type());
        assertEquals("batch 1 requested beyond the credits left: 1 outstanding, 0 credits", Frames.text(out.get(1).content(), 0));
        out.forEach(Frame::release);
        assertFalse(ch.isOpen());
    }

    @Test
    void shouldSendEachBatchAsSoonAsItIsBuiltOnItsOwnCredit() {
        List<Runnable> builds = new ArrayList<>();
        FrameDecoder decoder = decoderForBatches();
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new FrameEncoder(),
                new SamplerSession(batches, builds::add, RpcConfig.DEFAULTS));
        channels.add(ch);
        send(ch, FrameDescriptor.Type.CREDIT, 1);
        send(ch, FrameDescriptor.Type.REQUEST, 1, 2);
        send(ch, FrameDescriptor.Type.CREDIT, 1);
        send(ch, FrameDescriptor.Type.REQUEST, 1, 3);
        // Both builds finish in reverse order; each goes out as soon as it is built, each on its own credit.
        builds.get(1).run();
        ch.runPendingTasks();
        builds.get(0).run();
        ch.runPendingTasks();
        List<Frame> out = written(ch);
        assertEquals(2, out.size());
        assertEquals(3, MiniBatchCodec.decode(out.get(0).content(), TestBatches.INPUTS, TestBatches.NODES).index());
        assertEquals(1, MiniBatchCodec.backlog(out.get(0).content()), "batch 2 was still being built");
        assertEquals(2, MiniBatchCodec.decode(out.get(1).content(), TestBatches.INPUTS, TestBatches.NODES).index());
        out.forEach(Frame::release);
    }

    @Test
    void shouldBuildNoMoreThanItsPrefetchDepthAtOnceLowestIndexFirst() {
        List<Runnable> builds = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(decoderForBatches(), new FrameEncoder(),
                new SamplerSession(batches, builds::add, RpcConfig.DEFAULTS.withPrefetch(2)));
        channels.add(ch);
        send(ch, FrameDescriptor.Type.CREDIT, 5);
        for (int index : new int[] {5, 6, 7, 8}) {
            send(ch, FrameDescriptor.Type.REQUEST, 0, index);
        }
        assertEquals(2, builds.size(), "builds started for the first two requests only");
        // A batch reassigned from a lost sampler comes last but is built next: the trainer waits for it.
        send(ch, FrameDescriptor.Type.REQUEST, 0, 1);
        builds.get(0).run();
        ch.runPendingTasks();
        assertEquals(3, builds.size());
        builds.get(2).run();
        ch.runPendingTasks();
        builds.get(1).run();
        ch.runPendingTasks();
        assertEquals(5, builds.size());
        builds.get(3).run();
        ch.runPendingTasks();
        builds.get(4).run();
        ch.runPendingTasks();
        int[] sent = written(ch).stream().mapToInt(f -> {
            int index = MiniBatchCodec.decode(f.content(), TestBatches.INPUTS, TestBatches.NODES).index();
            f.release();
            return index;
        }).toArray();
        assertArrayEquals(new int[] {5, 1, 6, 7, 8}, sent);
    }

    @Test
    void shouldReportABatchItCouldNotBuildWithoutSpendingACredit() {
        EmbeddedChannel ch = session((epoch, index) -> {
            throw new IllegalStateException("feature file truncated");
        });
        send(ch, FrameDescriptor.Type.CREDIT, 1);
        send(ch, FrameDescriptor.Type.REQUEST, 2, 9);
        List<Frame> out = written(ch);
        assertEquals(1, out.size());
        Frame failed = out.get(0);
        assertEquals(FrameDescriptor.Type.FAILED, failed.type());
        assertEquals(2, Frames.intAt(failed, 0));
        assertEquals(9, Frames.intAt(failed, 1));
        assertEquals("java.lang.IllegalStateException: feature file truncated", Frames.text(failed.content(), 8));
        failed.release();
        send(ch, FrameDescriptor.Type.REQUEST, 2, 10);
        assertTrue(ch.isOpen(), "the credit was not spent on the failure");
    }

    @Test
    void shouldSendHeartbeatsWhenIdleAndCloseWhenThePeerIsSilent() {
        EmbeddedChannel ch = session(batches);
        ch.advanceTimeBy(RpcConfig.DEFAULTS.heartbeatInterval().toNanos() + 1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        List<Frame> out = written(ch);
        assertEquals(FrameDescriptor.Type.HEARTBEAT, out.get(0).type());
        out.forEach(Frame::release);
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(RpcConfig.DEFAULTS.heartbeatTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
        ByteBuf rest = HandshakeTest.drain(ch);
        rest.release();
    }
}
