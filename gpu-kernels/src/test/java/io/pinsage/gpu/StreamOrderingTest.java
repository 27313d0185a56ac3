package io.pinsage.gpu;

import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@link CudaBackend} orders its two streams, on {@link SimulatedStreamsDevice} with a lazy compute stream:
 * each test starts with the product {@code c = a·a} queued and not yet run.
 */
class StreamOrderingTest {

    private static final long COMPUTE = 1;
    private static final float[] PRODUCT = {7, 10, 15, 22};

    private SimulatedStreamsDevice device;
    private CudaBackend backend;
    private Tensor a;
    private Tensor c;

    @BeforeEach
    void queueAProduct() {
        device = new SimulatedStreamsDevice(SimulatedStreamsDevice.Lazy.COMPUTE);
        backend = CudaBackend.on(device);
        a = Tensors.of(backend, "a", 2, 2, new float[] {1, 2, 3, 4});
        c = backend.allocate("c", 2, 2);
        backend.gemm(false, false, 1f, a, a, 0f, c);
        assertTrue(device.pending(COMPUTE) > 0, "the product must still be queued");
    }

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void shouldOverlapTheNextBatchUploadWithQueuedKernels() {
        long queued = device.pending(COMPUTE);
        Tensor next = Tensors.of(backend, "nextBatch", 2, 2, new float[] {5, 6, 7, 8});
        assertTrue(device.pending(COMPUTE) >= queued, "uploading into a fresh tensor must not wait for queued kernels");
        assertArrayEquals(PRODUCT, Tensors.toArray(c));
        assertArrayEquals(new float[] {5, 6, 7, 8}, Tensors.toArray(next));
    }

    @Test
    void shouldNotOverwriteATensorThatAQueuedKernelStillReads() {
        backend.upload(new float[] {0, 0, 0, 0}, 0, a);
        assertArrayEquals(PRODUCT, Tensors.toArray(c), "the product must see the old a");
        assertArrayEquals(new float[] {0, 0, 0, 0}, Tensors.toArray(a));
    }

    @Test
    void shouldNotHandAQueuedKernelsBlockToAFreshUpload() {
        a.close();
        // the pool hands a's block to the next tensor of its size: its upload must wait for the product
        Tensor reused = Tensors.of(backend, "reused", 2, 2, new float[] {9, 9, 9, 9});
        assertArrayEquals(PRODUCT, Tensors.toArray(c));
        assertArrayEquals(new float[] {9, 9, 9, 9}, Tensors.toArray(reused));
    }
}
