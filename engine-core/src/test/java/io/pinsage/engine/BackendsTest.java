package io.pinsage.engine;

import io.pinsage.gpu.CudaRuntime;
import io.pinsage.nn.backend.Backend;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsTest {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    private String logged() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldOpenTheCpuBackendAndSaySoForDeviceCpu() {
        try (Backend b = Backends.select("cpu", log)) {
            assertEquals("cpu", b.name());
        }
        assertTrue(logged().startsWith("backend: cpu (--device cpu)"), logged());
    }

    @Test
    void shouldFallBackToCpuWithTheCauseForDeviceAutoWithoutAGpu() {
        try (Backend b = Backends.select("auto", log)) {
            if (CudaRuntime.isAvailable()) {
                assertTrue(b.name().startsWith("cuda:"), b.name());
                assertTrue(logged().contains("--device auto found a GPU"), logged());
            } else {
                assertEquals("cpu", b.name());
                assertTrue(logged().contains("CUDA unavailable: " + CudaRuntime.unavailabilityCause().getMessage()),
                        logged());
            }
        }
    }

    @Test
    void shouldRefuseDeviceCudaWithTheProbeCauseWhenUnavailable() {
        if (CudaRuntime.isAvailable()) {
            Backends.select("cuda", log).close();
            return;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.select("cuda", log));
        assertSame(CudaRuntime.unavailabilityCause(), e.getCause());
        assertTrue(e.getMessage().startsWith("device=cuda: CUDA is unavailable")
                && e.getMessage().contains(CudaRuntime.unavailabilityCause().getMessage()), e.getMessage());
    }

    @Test
    void shouldRejectAnUnknownDeviceNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.select("tpu", log));
        assertEquals("device=tpu (expected one of auto, cpu, cuda, cuda:N)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.select("cuda:-1", log));
        assertThrows(IllegalArgumentException.class, () -> Backends.select("cuda:x", log));
    }
}
