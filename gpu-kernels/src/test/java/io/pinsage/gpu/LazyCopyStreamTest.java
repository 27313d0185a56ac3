package io.pinsage.gpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.BackendConformanceTest;

/**
 * The conformance suite on {@link CudaBackend} whose copy stream runs only when forced: every kernel must wait
 * for the uploads issued before it ({@link SimulatedStreamsDevice}).
 */
class LazyCopyStreamTest extends BackendConformanceTest {

    @Override
    protected Backend createBackend() {
        return CudaBackend.on(new SimulatedStreamsDevice(SimulatedStreamsDevice.Lazy.COPY));
    }
}
