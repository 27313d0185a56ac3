package io.pinsage.nn.backend.cpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.BackendConformanceTest;
import io.pinsage.nn.backend.IndexBuffer;
import io.pinsage.nn.backend.Pooling;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The conformance suite on the CPU backend with two threads, so that every parallel split runs. */
class CpuBackendTest extends BackendConformanceTest {

    @Override
    protected Backend createBackend() {
        return new CpuBackend(2);
    }

    /** Training resumes exactly only if the parallel kernels do not depend on which thread ran which chunk. */
    @Test
    void shouldGiveBitIdenticalResultsOnRepeatedRuns() {
        Tensor x = upload("x", 3000, 40, gaussian(3000 * 40));
        Tensor dy = upload("dy", 3000, 48, gaussian(3000 * 48));
        Tensor dw = backend.allocate("dW", 40, 48);
        int[] offsets = new int[301];
        int[] neighbours = new int[300 * 20];
        for (int u = 0; u < 300; u++) {
            offsets[u + 1] = (u + 1) * 20;
        }
        for (int e = 0; e < neighbours.length; e++) {
            neighbours[e] = random.nextInt(3000);
        }
        IndexBuffer off = Tensors.of(backend, "offsets", offsets);
        IndexBuffer nb = Tensors.of(backend, "neighbours", neighbours);
        Tensor alpha = upload("alpha", neighbours.length, 1, gaussian(neighbours.length));
        Tensor dOut = upload("dOut", 300, 40, gaussian(300 * 40));
        Tensor dSrc = backend.allocate("dSrc", 3000, 40);
        float[] firstGemm = null;
        float[] firstScatter = null;
        for (int run = 0; run < 4; run++) {
            backend.gemm(true, false, 1f, x, dy, 0f, dw);
            backend.fill(dSrc, 0f);
            backend.aggregateBackward(Pooling.SUM, dOut, off, nb, alpha, null, dSrc);
            if (run == 0) {
                firstGemm = Tensors.toArray(dw);
                firstScatter = Tensors.toArray(dSrc);
            } else {
                assertArrayEquals(firstGemm, Tensors.toArray(dw), seedTag() + "split-K GEMM, run " + run);
                assertArrayEquals(firstScatter, Tensors.toArray(dSrc), seedTag() + "aggregate backward, run " + run);
            }
        }
    }
}
