package io.pinsage.gpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.BackendConformanceTest;

/**
 * The conformance suite on {@link CudaBackend} driven by the host twins of the kernels: runs everywhere, and
 * checks the bindings' signatures, the staging and pooling, and every mapping of an SPI operation onto the
 * {@code pn_*} calls (layouts, rank-1 GEMM helpers, norm inversion, argMax slots) without a GPU.
 */
class HostTwinBackendTest extends BackendConformanceTest {

    @Override
    protected Backend createBackend() {
        return CudaBackend.onHostTwins();
    }
}
