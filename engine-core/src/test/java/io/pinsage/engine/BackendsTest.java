package io.pinsage.engine;

import io.pinsage.gpu.CudaRuntime;
import io.pinsage.nn.backend.Backend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsTest {

    @Test
    void shouldOpenTheCpuBackendAndSaySoForDeviceCpu() {
        BackendChoice choice = Backends.select("cpu");
        try (Backend b = choice.backend()) {
            assertEquals("cpu", b.name());
        }
        assertEquals("backend: cpu (--device cpu)", choice.describe());
    }

    @Test
    void shouldFallBackToCpuWithTheCauseForDeviceAutoWithoutAGpu() {
        BackendChoice choice = Backends.select("auto");
        try (Backend b = choice.backend()) {
            if (CudaRuntime.isAvailable()) {
                assertTrue(b.name().startsWith("cuda:"), b.name());
                assertTrue(choice.reason().endsWith("--device auto found a GPU"), choice.reason());
            } else {
                assertEquals("cpu", b.name());
                assertEquals("--device auto: CUDA unavailable: " + CudaRuntime.unavailabilityCause().getMessage(),
                        choice.reason());
            }
        }
    }

    @Test
    void shouldRefuseDeviceCudaWithTheProbeCauseWhenUnavailable() {
        if (CudaRuntime.isAvailable()) {
            Backends.select("cuda").backend().close();
            return;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.select("cuda"));
        assertSame(CudaRuntime.unavailabilityCause(), e.getCause());
        assertTrue(e.getMessage().startsWith("device=cuda: CUDA is unavailable")
                && e.getMessage().contains(CudaRuntime.unavailabilityCause().getMessage()), e.getMessage());
    }

    @Test
    void shouldRejectAnUnknownDeviceNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.select("tpu"));
        assertEquals("device=tpu (expected one of auto, cpu, cuda, cuda:N)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.select("cuda:-1"));
        assertThrows(IllegalArgumentException.class, () -> Backends.select("cuda:x"));
    }
}
