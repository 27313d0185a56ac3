package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;

import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.SplittableRandom;

/**
 * A deterministic {@link BatchProducer} made of nn-runtime types only: batch i of epoch e is a function of the
 * schedule's seed, e and i, as the contract requires, with a two-layer computation graph built by
 * {@link ComputationGraphBuilder} over a synthetic graph whose neighbourhoods and features are functions of the node.
 * As a sampler's, its batches leave the layer-0 inputs to the trainer, which gathers them from {@link #INPUTS};
 * {@link #trained} is the batch as the in-process path builds it, inputs included.
 */
final class TestBatches implements BatchProducer {

    static final int NODES = 4_000;
    static final int DIM = 6;
    /** The node inputs of the node space {@code [0, NODES)}: a trainer's copy of the samplers'. */
    static final ComputationGraphBuilder.NodeInputs INPUTS = new Inputs();

    private final BatchSchedule schedule;
    private final ThreadLocal<ComputationGraphBuilder> builders;

    TestBatches(BatchSchedule schedule) {
        this(schedule, 2);
    }

    /** As above with graphs of {@code layers} CONVOLVE layers: 2 with fan-outs 6 and 4, or 0, the outputs alone. */
    TestBatches(BatchSchedule schedule, int layers) {
        this.schedule = schedule;
        this.builders = ThreadLocal.withInitial(() -> new ComputationGraphBuilder(layers,
                layers == 2 ? new int[] {0, 6, 4} : null, new Hood(), INPUTS));
    }

    /** Batch {@code index} of {@code epoch} without its layer-0 inputs, as a sampler sends it. */
    @Override
    public MiniBatch build(int epoch, int index) {
        return build(epoch, index, false);
    }

    /** Batch {@code index} of {@code epoch} with its layer-0 inputs, as the in-process path builds it. */
    MiniBatch trained(int epoch, int index) {
        return build(epoch, index, true);
    }

    private MiniBatch build(int epoch, int index, boolean withInputs) {
        int[] order = schedule.order(epoch);
        int from = schedule.from(index);
        int pairs = schedule.to(index) - from;
        SplittableRandom rnd = new SplittableRandom(schedule.batchSeed(epoch, index));
        LinkedHashSet<Integer> outputs = new LinkedHashSet<>();
        for (int p = 0; p < pairs; p++) {
            outputs.add(2 * order[from + p] % NODES);
            outputs.add((2 * order[from + p] + 1) % NODES);
        }
        int negatives = 5;
        while (outputs.size() < 2 * pairs + negatives) {
            outputs.add(rnd.nextInt(NODES));
        }
        int[] ids = outputs.stream().mapToInt(Integer::intValue).toArray();
        ComputationGraph graph = withInputs ? builders.get().build(ids, ids.length)
                : builders.get().buildWithoutInputs(ids, ids.length);
        int[] queries = new int[pairs];
        int[] positives = new int[pairs];
        for (int p = 0; p < pairs; p++) {
            queries[p] = 2 * p;
            positives[p] = 2 * p + 1;
        }
        int[] negativeRows = new int[negatives];
        for (int n = 0; n < negatives; n++) {
            negativeRows[n] = 2 * pairs + n;
        }
        int hardPerQuery = 1 + epoch % 3;
        int[] hard = new int[pairs * hardPerQuery];
        for (int h = 0; h < hard.length; h++) {
            hard[h] = rnd.nextInt(ids.length + 1) - 1;
        }
        return new MiniBatch(graph, queries, positives, negativeRows, hardPerQuery, hard, epoch, index);
    }

    /** The batch's encoding with backlog 0: everything but the layer-0 inputs. */
    static byte[] bytes(MiniBatch batch) {
        ByteBuf b = MiniBatchCodec.encode(UnpooledByteBufAllocator.DEFAULT, batch, 0, Integer.MAX_VALUE);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /**
     * The canonical bytes of a batch with its inputs: its encoding, then the bits of its features and log-degrees.
     * Equal bytes mean bit-identical batches.
     */
    static byte[] whole(MiniBatch batch) {
        byte[] encoded = bytes(batch);
        float[] features = batch.graph().features();
        float[] degrees = batch.graph().logDegrees();
        ByteBuffer out = ByteBuffer.allocate(encoded.length + 4 * (features.length + degrees.length));
        out.put(encoded);
        for (float f : features) {
            out.putInt(Float.floatToRawIntBits(f));
        }
        for (float d : degrees) {
            out.putInt(Float.floatToRawIntBits(d));
        }
        return out.array();
    }

    private static int mix(int a, int b) {
        int h = a * 0x9E3779B9 + b * 0x85EBCA6B;
        return h ^ (h >>> 15);
    }

    private static final class Hood implements ComputationGraphBuilder.Neighborhoods {
        static int size(int node) {
            return 3 + Math.floorMod(mix(node, 1), 6);
        }

        @Override
        public int width() {
            return 8;
        }

        @Override
        public int read(int node, int[] ids, float[] weights, int offset) {
            int n = size(node);
            for (int i = 0; i < n; i++) {
                ids[offset + i] = Math.floorMod(mix(node, i + 2), NODES);
                weights[offset + i] = 1f / (i + 1);
            }
            return n;
        }
    }

    private static final class Inputs implements ComputationGraphBuilder.NodeInputs {
        @Override
        public int featureDim() {
            return DIM;
        }

        @Override
        public void copyFeatures(int node, float[] dst, int offset) {
            for (int d = 0; d < DIM; d++) {
                dst[offset + d] = mix(node, d + 100) * 0x1p-31f;
            }
        }

        @Override
        public float logDegree(int node) {
            return (float) Math.log1p(Hood.size(node));
        }
    }
}
