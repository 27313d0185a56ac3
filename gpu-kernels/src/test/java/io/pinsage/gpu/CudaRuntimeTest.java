package io.pinsage.gpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe and the bindings' plain entry points, on any machine. */
class CudaRuntimeTest {

    @Test
    void shouldLoadThePackagedNativeLibrary() {
        assertNull(CudaRuntime.nativeLibraryCause(), () -> "native library failed: " + CudaRuntime.nativeLibraryCause());
        assertTrue(CudaRuntime.isNativeLibraryLoaded());
        assertFalse(CudaRuntime.nativeVersion().isBlank());
        assertEquals("PN_ERR_OUT_OF_MEMORY (out of memory)", NativeException.statusName(PinSageNative.PN_ERR_OUT_OF_MEMORY));
    }

    @Test
    void shouldKeepTheCauseWhenCudaIsUnavailableAndThrowItFromEnsure() {
        Throwable cause = CudaRuntime.unavailabilityCause();
        assertEquals(cause == null, CudaRuntime.isAvailable());
        if (cause == null) {
            CudaRuntime.ensureAvailability();
            assertFalse(CudaRuntime.devices().isEmpty(), "available means at least one device");
            return;
        }
        assertNotNull(cause.getMessage());
        assertFalse(cause.getMessage().isBlank());
        assertTrue(CudaRuntime.devices().isEmpty());
        assertFalse(CudaRuntime.isCublasAvailable());
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, CudaRuntime::ensureAvailability);
        assertSame(cause, e.getCause());
        assertTrue(e.getMessage().contains(cause.getMessage()), e.getMessage());
        CudaUnavailableException open = assertThrows(CudaUnavailableException.class, CudaBackend::open);
        assertSame(cause, open.getCause());
    }

    @Test
    void shouldNameTheDriverOrBuildProblemWhenProbedWithoutAGpu() {
        List<GpuDevice> devices = new ArrayList<>();
        Throwable cause = CudaRuntime.probeCuda(false, null, devices);
        if (cause == null) {
            assertFalse(devices.isEmpty());
            return;
        }
        String message = cause.getMessage();
        if (CudaRuntime.builtWithCuda()) {
            // the CUDA build on a machine without a usable driver or device
            assertTrue(message.startsWith("PN_ERR_NO_DEVICE") || message.contains("no device"), message);
        } else {
            assertTrue(message.contains("built without CUDA"), message);
        }
    }

    @Test
    void shouldReportDisabledBySystemPropertyWithoutProbing() {
        Throwable cause = CudaRuntime.probeCuda(true, null, new ArrayList<>());
        assertTrue(cause.getMessage().contains("-D" + CudaRuntime.DISABLE_PROPERTY + "=true"), cause.getMessage());
    }

    @Test
    void shouldKeepTheLinkErrorAsCauseWhenTheLibraryDidNotLoad() {
        UnsatisfiedLinkError link = new UnsatisfiedLinkError("no jniPinSageNative in java.library.path");
        Throwable cause = CudaRuntime.probeCuda(false, link, new ArrayList<>());
        assertSame(link, cause.getCause());
        assertTrue(cause.getMessage().contains("no jniPinSageNative"), cause.getMessage());
    }

    @Test
    void shouldTurnAnInvalidArgumentStatusIntoAnExceptionWithTheDetail() {
        int status = PinSageNative.pn_cpu_sgemm(0, 0, -1, 2, 2, 1f, 0L, 2, 0L, 2, 0f, 0L, 2);
        assertEquals(PinSageNative.PN_ERR_INVALID_ARGUMENT, status);
        NativeException e = assertThrows(NativeException.class, () -> NativeException.check(status, "pn_cpu_sgemm"));
        assertEquals(PinSageNative.PN_ERR_INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().startsWith("pn_cpu_sgemm failed: PN_ERR_INVALID_ARGUMENT (invalid argument): sgemm: m=-1"),
                e.getMessage());
    }

    @Test
    void shouldAnswerEveryGpuEntryPointWithAStatusInsteadOfCrashingWithoutAGpu() {
        if (CudaRuntime.isAvailable()) {
            return;
        }
        long[] handle = new long[1];
        int status = PinSageNative.pn_device_alloc(handle, 1024);
        assertTrue(status == PinSageNative.PN_ERR_NO_CUDA || status == PinSageNative.PN_ERR_NO_DEVICE
                || status == PinSageNative.PN_ERR_CUDA, "status " + NativeException.statusName(status));
        int[] count = {-1};
        PinSageNative.pn_device_count(count);
        assertEquals(0, count[0]);
    }
}
