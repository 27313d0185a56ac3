package io.pinsage.rpc;

import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.ComputationGraphBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Samplers and a trainer on loopback sockets, in this process. */
@Timeout(60)
class RemoteMiniBatchSourceTest {

    static {
        LeakRecorder.install();
    }

    static final byte[] FINGERPRINT = "store 1a2b / batch 20 / K=2".getBytes(StandardCharsets.UTF_8);
    static final BatchSchedule SCHEDULE = new BatchSchedule(600, 20, 17);
    static final RpcConfig CONFIG = RpcConfig.DEFAULTS.withPrefetch(2);

    private final TestBatches batches = new TestBatches(SCHEDULE);
    private final LoopbackCluster cluster = new LoopbackCluster();

    @AfterEach
    void closeAndCheckLeaks() throws Exception {
        cluster.close();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        return cluster.track(closeable);
    }

    private SamplerServer sampler(BatchProducer producer) {
        return cluster.sampler(producer);
    }

    RemoteSamplers trainer(RpcConfig config, SamplerServer... samplers) {
        StringBuilder list = new StringBuilder();
        for (SamplerServer s : samplers) {
            list.append(list.isEmpty() ? "" : ", ").append("127.0.0.1:").append(s.address().getPort());
        }
        List<InetSocketAddress> addresses = RemoteSamplers.parseAddresses(list.toString());
        return track(new RemoteSamplers(addresses, HandshakeTest.SECRET, FINGERPRINT, SCHEDULE, TestBatches.INPUTS,
                TestBatches.NODES, config));
    }

    /** Takes batches {@code from..} of the epoch, checking each against the in-process build, bit for bit. */
    void takeAndCompare(RemoteMiniBatchSource source, int epoch, int from, int to) {
        for (int i = from; i < to; i++) {
            MiniBatch got = source.take(epoch, i);
            assertArrayEquals(TestBatches.whole(batches.trained(epoch, i)), TestBatches.whole(got),
                    "batch " + i + " of epoch " + epoch);
        }
    }

    @Test
    void shouldDeliverEveryBatchOnceAndInOrderAsTheInProcessBuildWouldAndResumeMidEpoch() {
        RemoteSamplers trainer = trainer(CONFIG, sampler(batches), sampler(batches));
        try (RemoteMiniBatchSource source = trainer.open(1, 0)) {
            takeAndCompare(source, 1, 0, SCHEDULE.batches());
            assertThrows(IllegalStateException.class, () -> source.take(1, SCHEDULE.batches()));
        }
        try (RemoteMiniBatchSource source = trainer.open(2, 7)) {
            takeAndCompare(source, 2, 7, SCHEDULE.batches());
        }
    }

    @Test
    void shouldFailTakeAndStillCloseWhenTheSamplersObjectIsClosedFirst() {
        RemoteSamplers trainer = trainer(CONFIG, sampler(batches));
        RemoteMiniBatchSource source = trainer.open(0, 0);
        takeAndCompare(source, 0, 0, 2);
        trainer.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            for (int i = 2; i < SCHEDULE.batches(); i++) {
                source.take(0, i);
            }
        });
        assertEquals("the samplers' connections were closed while epoch 0 was open", e.getMessage());
        source.close();
    }

    @Test
    void shouldNeverHaveASamplerBuildBeyondTheCreditsGranted() {
        AtomicInteger takesStarted = new AtomicInteger();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        BatchProducer watched = (epoch, index) -> {
            // Credits come back only when the trainer takes a batch: two samplers × prefetch 2 bound the lead.
            int started = takesStarted.get();
            if (index >= started + 2 * CONFIG.prefetch()) {
                violations.add("batch " + index + " built when only " + started + " takes had started");
            }
            return batches.build(epoch, index);
        };
        RemoteSamplers trainer = trainer(CONFIG, sampler(watched), sampler(watched));
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            for (int i = 0; i < SCHEDULE.batches(); i++) {
                takesStarted.incrementAndGet();
                takeAndCompare(source, 0, i, i + 1);
            }
        }
        assertEquals(List.of(), List.copyOf(violations));
    }

    @Test
    void shouldFinishTheEpochWhenASamplerIsClosedWithBatchesOutstanding() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        ConcurrentLinkedQueue<Integer> held = new ConcurrentLinkedQueue<>();
        BatchProducer holdsLater = (epoch, index) -> {
            if (index >= 9) {
                // Batches from 9 on stay outstanding on this sampler until it is closed.
                held.add(index);
                gate.await();
            }
            return batches.build(epoch, index);
        };
        SamplerServer doomed = sampler(holdsLater);
        RemoteSamplers trainer = trainer(CONFIG, doomed, sampler(batches));
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            takeAndCompare(source, 0, 0, 9);
            // The credits of the batches taken come back on the event loop, and batch 9 on is assigned then: close the
            // sampler only once it holds one of them, or the case under test may not have arisen yet.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (held.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertFalse(held.isEmpty(), "no batch from 9 on was assigned to the sampler to be closed within 10 s");
            doomed.close();
            takeAndCompare(source, 0, 9, SCHEDULE.batches());
        } finally {
            gate.countDown();
        }
    }

    @Test
    void shouldReassignTheBatchesOfAStalledSampler() {
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger stuckOn = new AtomicInteger(-1);
        BatchProducer stalls = (epoch, index) -> {
            if (index >= 4 && stuckOn.compareAndSet(-1, index)) {
                never.await();
            }
            return batches.build(epoch, index);
        };
        RpcConfig config = CONFIG.withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(3));
        RemoteSamplers trainer = trainer(config, sampler(stalls), sampler(batches));
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            takeAndCompare(source, 0, 0, SCHEDULE.batches());
        } finally {
            never.countDown();
        }
        assertTrue(stuckOn.get() >= 4);
    }

    @Test
    void shouldFailTakeInsteadOfWaitingWhenEverySamplerIsLost() {
        SamplerServer only = sampler(batches);
        RemoteSamplers trainer = trainer(CONFIG, only);
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            takeAndCompare(source, 0, 0, 3);
            only.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                for (int i = 3; i < SCHEDULE.batches(); i++) {
                    source.take(0, i);
                }
            });
            assertTrue(e.getMessage().startsWith("every sampler of epoch 0 is lost"), e.getMessage());
        }
    }

    @Test
    void shouldThrowTheSamplersReasonForABatchItCouldNotBuild() {
        BatchProducer broken = (epoch, index) -> {
            if (index == 3) {
                throw new IllegalArgumentException("neighbourhood of node 77 is missing");
            }
            return batches.build(epoch, index);
        };
        SamplerServer s = sampler(broken);
        RemoteSamplers trainer = trainer(CONFIG, s);
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            takeAndCompare(source, 0, 0, 3);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> source.take(0, 3));
            assertEquals("sampler 127.0.0.1:" + s.address().getPort() + " could not build batch 3 of epoch 0: "
                    + "java.lang.IllegalArgumentException: neighbourhood of node 77 is missing", e.getMessage());
        }
    }

    @Test
    void shouldRefuseToOpenWhenASamplerSeesAnotherFingerprintOrSecret() {
        SamplerServer other = track(new SamplerServer(new InetSocketAddress("127.0.0.1", 0), HandshakeTest.SECRET,
                "store 9f9f".getBytes(StandardCharsets.UTF_8), "store=9f9f batch=20", batches, 1, CONFIG, null)).start();
        RemoteSamplers trainer = trainer(CONFIG, sampler(batches), other);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.open(0, 0));
        assertTrue(e.getMessage().startsWith("sampler 127.0.0.1:" + other.address().getPort()
                + ": refused by the sampler: fingerprint differs: sampler store=9f9f batch=20, trainer "), e.getMessage());
        SamplerServer foreign = track(new SamplerServer(new InetSocketAddress("127.0.0.1", 0), HandshakeTest.OTHER,
                FINGERPRINT, batches, 1, CONFIG)).start();
        RemoteSamplers trainer2 = trainer(CONFIG, foreign);
        e = assertThrows(IllegalStateException.class, () -> trainer2.open(0, 0));
        assertEquals("sampler 127.0.0.1:" + foreign.address().getPort() + ": the sampler's proof is wrong (wrong secret, or a replayed"
                + " handshake)", e.getMessage());
    }

    @Test
    void shouldParseAddressesAndNameTheBadEntry() {
        assertEquals(List.of(InetSocketAddress.createUnresolved("h1", 4000), InetSocketAddress.createUnresolved("::1", 5)),
                RemoteSamplers.parseAddresses("h1:4000, [::1]:5"));
        assertEquals("address 'h2': expected HOST:PORT with a port in [0, 65535]", assertThrows(
                IllegalArgumentException.class, () -> RemoteSamplers.parseAddresses("h1:1,h2")).getMessage());
        assertEquals("address 'h:70000': expected HOST:PORT with a port in [0, 65535]", assertThrows(
                IllegalArgumentException.class, () -> RemoteSamplers.parseAddress("h:70000")).getMessage());
    }

    /** A trainer whose node space does not hold a batch's nodes (another store) loses the sampler, naming a node. */
    @Test
    void shouldLoseASamplerWhoseBatchNamesANodeOutsideTheTrainersNodeSpace() {
        SamplerServer s = sampler(batches);
        RemoteSamplers trainer = track(new RemoteSamplers(List.of(RemoteSamplers.parseAddress("127.0.0.1:"
                + s.address().getPort())), HandshakeTest.SECRET, FINGERPRINT, SCHEDULE, TestBatches.INPUTS, 10, CONFIG));
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            String message = assertThrows(IllegalStateException.class, () -> source.take(0, 0)).getMessage();
            assertTrue(message.startsWith("every sampler of epoch 0 is lost"), message);
            assertTrue(message.contains("outside this end's node space [0, 10)"), message);
        }
    }

    /** The batches are decoded and their inputs gathered on the decode threads, not on the one event loop. */
    @Test
    void shouldGatherTheInputsOnTheDecodeThreads() {
        Set<String> gatherers = ConcurrentHashMap.newKeySet();
        ComputationGraphBuilder.NodeInputs watched = new ComputationGraphBuilder.NodeInputs() {
            @Override
            public int featureDim() {
                return TestBatches.INPUTS.featureDim();
            }

            @Override
            public void copyFeatures(int node, float[] dst, int offset) {
                gatherers.add(Thread.currentThread().getName());
                TestBatches.INPUTS.copyFeatures(node, dst, offset);
            }

            @Override
            public float logDegree(int node) {
                return TestBatches.INPUTS.logDegree(node);
            }
        };
        SamplerServer s = sampler(batches);
        RemoteSamplers trainer = track(new RemoteSamplers(List.of(RemoteSamplers.parseAddress("127.0.0.1:"
                + s.address().getPort())), HandshakeTest.SECRET, FINGERPRINT, SCHEDULE, watched, TestBatches.NODES,
                CONFIG.withDecodeThreads(3)));
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            takeAndCompare(source, 0, 0, SCHEDULE.batches());
        }
        assertFalse(gatherers.isEmpty());
        for (String name : gatherers) {
            assertTrue(name.startsWith("pinsage-rpc-decode-"), name + " gathered inputs");
        }
    }

    @Test
    void shouldSkipAnUnreachableSamplerAndServeFromTheOthers() {
        SamplerServer gone = sampler(batches);
        InetSocketAddress dead = gone.address();
        gone.close();
        RemoteSamplers trainer = track(new RemoteSamplers(List.of(dead, sampler(batches).address()),
                HandshakeTest.SECRET, FINGERPRINT, SCHEDULE, TestBatches.INPUTS, TestBatches.NODES, CONFIG));
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            takeAndCompare(source, 0, 0, SCHEDULE.batches());
        }
    }
}
