package io.pinsage.gpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.BackendConformanceTest;

/**
 * The conformance suite on {@link CudaBackend} whose compute stream runs only when forced: an upload must not
 * overwrite a tensor that a queued kernel still reads, nor reuse staging memory a queued copy still reads
 * ({@link SimulatedStreamsDevice}).
 */
class LazyComputeStreamTest extends BackendConformanceTest {

    @Override
    protected Backend createBackend() {
        return CudaBackend.on(new SimulatedStreamsDevice(SimulatedStreamsDevice.Lazy.COMPUTE));
    }
}
