package io.pinsage.engine.cli;

import io.pinsage.gpu.CudaRuntime;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DoctorCommandTest {

    @Test
    void shouldReportTheNativeLibraryAndWhyTheGpuIsOrIsNotUsable() {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            exit = PinSageCli.newCommandLine().execute("doctor");
        } finally {
            System.setOut(original);
        }
        String report = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, report);
        assertTrue(report.contains("native         loaded: " + CudaRuntime.nativeVersion()), report);
        if (CudaRuntime.isAvailable()) {
            assertTrue(report.contains("gpu            cuda:0 "), report);
        } else {
            assertTrue(report.contains("gpu            unavailable: " + CudaRuntime.unavailabilityCause().getMessage()),
                    report);
            assertTrue(report.contains("device auto    cpu"), report);
        }
    }
}
