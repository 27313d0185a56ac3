package io.pinsage.nn.backend.cpu;

import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.BackendConformanceTest;

/** The conformance suite on the CPU backend with two threads, so that every parallel split runs. */
class CpuBackendTest extends BackendConformanceTest {

    @Override
    protected Backend createBackend() {
        return new CpuBackend(2);
    }
}
