package io.pinsage.engine.bench;

import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.rpc.RpcConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RpcBenchmarkTest {

    /**
     * 1,524 targets, 77,724 and 3,963,924 nodes below them; 1 int per layer-0 node, 101 per node of layers 1 and 2
     * (offset, 50 neighbours, 50 weights), 12 header ints and 1,524 rows: 11,969,510 ints and a 16-byte header.
     */
    @Test
    void shouldBoundThePapersFrameAsTheCodecCountsIt() {
        assertEquals(3_963_924L, RpcBenchmark.nodesBound(512, 500, 50, 2, 0));
        assertEquals(77_724L, RpcBenchmark.nodesBound(512, 500, 50, 2, 1));
        assertEquals(47_878_056L, RpcBenchmark.frameBytesBound(512, 500, 50, 2));
    }

    @Test
    void shouldTakeEveryBatchInProcessAndFromOneAndTwoSamplersWithinTheBound() throws Exception {
        RpcBenchmark bench = new RpcBenchmark(5_000, 4, 8, 2, 16, 8, 6, 7);
        MiniBatch sample = bench.sample();
        assertTrue(RpcBenchmark.frameBytes(sample) <= RpcBenchmark.frameBytesBound(16, 8, 4, 2),
                RpcBenchmark.shape(sample));
        assertTrue(bench.inProcess(1).batchesPerSecond() > 0);
        RpcBenchmark.Rate one = bench.remote(1, 1, RpcConfig.DEFAULTS);
        assertTrue(one.megabytesPerSecond() > 0, one.toString());
        // The process's CPU time counts clock ticks (10 ms): a run this small may count none, but never less, nor NaN.
        assertTrue(Double.isFinite(one.cpuMillisPerBatch()) && one.cpuMillisPerBatch() >= 0, one.toString());
        double[] codec = bench.codecMillis(sample, 1, 2);
        assertTrue(codec[0] > 0 && codec[1] > 0, "encode, decode: " + codec[0] + ", " + codec[1]);
        assertTrue(bench.buildMillis(1, 2) > 0);
        assertTrue(bench.remote(2, 1, RpcConfig.DEFAULTS).batchesPerSecond() > 0);
        assertTrue(RpcBenchmark.loopbackMegabytesPerSecond(4) > 0);
    }
}
