package io.pinsage.engine.bench;

import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.rpc.RpcConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RpcBenchmarkTest {

    /** 1,524 targets, 77,724 and 3,963,924 nodes below them; 258 ints per layer-0 node, 101 per edge-bearing node. */
    @Test
    void shouldBoundThePapersFrameAsTheCodecCountsIt() {
        assertEquals(4_122_791_932L, RpcBenchmark.frameBytesBound(512, 500, 50, 2, 256));
    }

    @Test
    void shouldTakeEveryBatchInProcessAndFromOneAndTwoSamplersWithinTheBound() throws Exception {
        RpcBenchmark bench = new RpcBenchmark(5_000, 4, 8, 2, 16, 8, 6, 7);
        MiniBatch sample = bench.sample();
        assertTrue(RpcBenchmark.frameBytes(sample) <= RpcBenchmark.frameBytesBound(16, 8, 4, 2, 8),
                RpcBenchmark.shape(sample));
        assertTrue(bench.inProcess(1).batchesPerSecond() > 0);
        assertTrue(bench.remote(1, 1, RpcConfig.DEFAULTS).cpuMillisPerBatch() > 0);
        assertTrue(bench.remote(1, 1, RpcConfig.DEFAULTS).megabytesPerSecond() > 0);
        assertTrue(bench.remote(2, 1, RpcConfig.DEFAULTS).batchesPerSecond() > 0);
        assertTrue(RpcBenchmark.loopbackMegabytesPerSecond(4) > 0);
    }
}
