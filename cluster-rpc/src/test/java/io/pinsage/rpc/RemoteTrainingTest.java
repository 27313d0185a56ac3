package io.pinsage.rpc;

import io.pinsage.nn.backend.AdamConfig;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.RankingLossKind;
import io.pinsage.nn.backend.Tensors;
import io.pinsage.nn.backend.cpu.CpuBackend;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.nn.model.AdamOptimizer;
import io.pinsage.nn.model.Parameter;
import io.pinsage.nn.model.PinSageConfig;
import io.pinsage.nn.model.PinSageModel;
import io.pinsage.nn.model.SampledRankingLoss;
import io.pinsage.nn.train.TrainingStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Training on the CPU backend from remote samplers, one of which is closed mid-epoch with batches outstanding, ends
 * with the losses and parameters of training on the same batches built in this process, bit for bit.
 */
@Timeout(60)
class RemoteTrainingTest {

    static {
        LeakRecorder.install();
    }

    private static final int EPOCHS = 2;
    private final TestBatches batches = new TestBatches(RemoteMiniBatchSourceTest.SCHEDULE);
    private final LoopbackCluster cluster = new LoopbackCluster();

    @AfterEach
    void closeAndCheckLeaks() throws Exception {
        cluster.close();
    }

    /** Every loss, then every parameter value, as the bits of a run over {@link #EPOCHS} epochs. */
    private static List<Long> train(MiniBatchSource.Factory sources) {
        List<Long> bits = new ArrayList<>();
        try (CpuBackend backend = new CpuBackend(1)) {
            PinSageModel model = new PinSageModel(backend, new PinSageConfig(TestBatches.DIM, true, TestBatches.NODES, 8,
                    2, 8, 8, 8, 8, Pooling.MEAN, true, 11L));
            AdamOptimizer adam = new AdamOptimizer(backend, model.parameters(), AdamConfig.of(1e-2f));
            TrainingStep step = new TrainingStep(model, new SampledRankingLoss(backend, 8, RankingLossKind.SOFTMAX,
                    0.1f, 0.5f, true), adam);
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                try (MiniBatchSource source = sources.open(epoch, 0)) {
                    for (int i = 0; i < RemoteMiniBatchSourceTest.SCHEDULE.batches(); i++) {
                        bits.add(Double.doubleToRawLongBits(step.run(source.take(epoch, i), null)));
                    }
                }
            }
            for (Parameter p : model.parameters()) {
                for (float v : Tensors.toArray(p.value())) {
                    bits.add((long) Float.floatToRawIntBits(v));
                }
            }
        }
        return bits;
    }

    @Test
    void shouldTrainBitIdenticallyToTheInProcessRunThoughASamplerIsLost() {
        List<Long> local = train((epoch, from) -> new MiniBatchSource() {
            private int next = from;

            @Override
            public MiniBatch take(int e, int index) {
                assertEquals(next++, index);
                return batches.trained(e, index);
            }

            @Override
            public void close() {
            }
        });
        CountDownLatch gate = new CountDownLatch(1);
        BatchProducer holdsLater = (epoch, index) -> {
            if (epoch == 0 && index >= 12) {
                gate.await();
            }
            return batches.build(epoch, index);
        };
        SamplerServer doomed = cluster.sampler(holdsLater);
        SamplerServer survivor = cluster.sampler(batches);
        RemoteSamplers trainer = new RemoteSamplers(List.of(doomed.address(), survivor.address()), HandshakeTest.SECRET,
                RemoteMiniBatchSourceTest.FINGERPRINT, RemoteMiniBatchSourceTest.SCHEDULE, TestBatches.INPUTS,
                TestBatches.NODES, RemoteMiniBatchSourceTest.CONFIG);
        cluster.track(trainer);
        int[] taken = new int[1];
        List<Long> remote;
        try {
            remote = train((epoch, from) -> {
                RemoteMiniBatchSource source = trainer.open(epoch, from);
                return new MiniBatchSource() {
                    @Override
                    public MiniBatch take(int e, int index) {
                        if (++taken[0] == 12) {
                            doomed.close();
                        }
                        return source.take(e, index);
                    }

                    @Override
                    public void close() {
                        source.close();
                    }
                };
            });
        } finally {
            gate.countDown();
        }
        assertEquals(local.size(), remote.size());
        for (int i = 0; i < local.size(); i++) {
            assertEquals(local.get(i), remote.get(i), "value " + i + " of the run (losses first, then parameters)");
        }
    }
}
