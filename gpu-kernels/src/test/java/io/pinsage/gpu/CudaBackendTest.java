package io.pinsage.gpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.BackendConformanceTest;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The conformance suite on a real GPU. Where CUDA is unavailable every test is skipped, and the skip reason is
 * the probe's cause (for example "PN_ERR_NO_DEVICE (...): cudaGetDeviceCount: cudaErrorInsufficientDriver").
 */
@ExtendWith(RequiresCuda.class)
class CudaBackendTest extends BackendConformanceTest {

    @Override
    protected Backend createBackend() {
        return CudaBackend.open();
    }
}
