package io.pinsage.gpu;

import org.bytedeco.javacpp.Loader;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the CUDA path can be used here, probed once: loads the native library, asks whether it was built with
 * CUDA, and counts the devices. The probe runs lazily on the first call of any method, exactly once (class
 * initialisation makes it thread-safe), and never throws: failures are kept as the {@linkplain
 * #unavailabilityCause() cause} and reported, so the engine falls back to the CPU backend and says why.
 *
 * <p>The native library can load while CUDA is unavailable (a CPU-only build, no driver, no device): the
 * host twins of the kernels then still work ({@link #isNativeLibraryLoaded()}).
 *
 * <p>{@code -Dpinsage.cuda.disable=true} turns the GPU path off without probing the driver (read once, at the
 * probe).
 */
public final class CudaRuntime {

    /** System property that disables the CUDA path: {@code -Dpinsage.cuda.disable=true}. */
    public static final String DISABLE_PROPERTY = "pinsage.cuda.disable";

    private CudaRuntime() {
    }

    /** True when the native library loaded, was built with CUDA, and sees at least one device. */
    public static boolean isAvailable() {
        return Probe.CUDA_CAUSE == null;
    }

    /** Why CUDA is unavailable (the original error as cause where there is one), or null when it is available. */
    public static Throwable unavailabilityCause() {
        return Probe.CUDA_CAUSE;
    }

    /** Returns normally when CUDA is available; otherwise throws a {@link CudaUnavailableException} with the cause. */
    public static void ensureAvailability() {
        Throwable cause = Probe.CUDA_CAUSE;
        if (cause != null) {
            throw new CudaUnavailableException("CUDA is unavailable: " + cause.getMessage(), cause);
        }
    }

    /** True when {@code libpinsage_native} and its JNI glue loaded (the host twins then work). */
    public static boolean isNativeLibraryLoaded() {
        return Probe.LIBRARY_CAUSE == null;
    }

    /** Why the native library did not load (typically an {@link UnsatisfiedLinkError}), or null when it did. */
    public static Throwable nativeLibraryCause() {
        return Probe.LIBRARY_CAUSE;
    }

    /** The native library's version string; requires {@link #isNativeLibraryLoaded()}. */
    public static String nativeVersion() {
        requireLibrary();
        return PinSageNative.pn_version().getString();
    }

    /** Whether the loaded library was compiled by nvcc; requires {@link #isNativeLibraryLoaded()}. */
    public static boolean builtWithCuda() {
        requireLibrary();
        return PinSageNative.pn_built_with_cuda() != 0;
    }

    /** The devices found by the probe; empty when CUDA is unavailable. */
    public static List<GpuDevice> devices() {
        return List.copyOf(Probe.DEVICES);
    }

    /** Whether cuBLAS can be loaded for {@link GemmEngine#CUBLAS_FP32}; false when CUDA is unavailable. */
    public static boolean isCublasAvailable() {
        return isAvailable() && PinSageNative.pn_cublas_available() != 0;
    }

    private static void requireLibrary() {
        if (Probe.LIBRARY_CAUSE != null) {
            throw new CudaUnavailableException("native library not loaded: " + Probe.LIBRARY_CAUSE, Probe.LIBRARY_CAUSE);
        }
    }

    /** Holder idiom: the JVM runs this once, on first use, with the needed happens-before edges. */
    private static final class Probe {
        static final Throwable LIBRARY_CAUSE = loadLibrary();
        static final List<GpuDevice> DEVICES = new ArrayList<>();
        static final Throwable CUDA_CAUSE = probeCuda(Boolean.getBoolean(DISABLE_PROPERTY), LIBRARY_CAUSE, DEVICES);

        private static Throwable loadLibrary() {
            try {
                Loader.load(PinSageNative.class);
                PinSageNative.pn_version();
                return null;
            } catch (Throwable t) {
                // UnsatisfiedLinkError, or ExceptionInInitializerError / NoClassDefFoundError wrapping it
                return t;
            }
        }
    }

    /**
     * One probe of the driver: null when usable (and {@code devices} filled), else the cause. Package-private so
     * that tests can run it with the switch on; the public methods run it once.
     */
    static Throwable probeCuda(boolean disabled, Throwable libraryCause, List<GpuDevice> devices) {
        if (disabled) {
            return new CudaUnavailableException("disabled by -D" + DISABLE_PROPERTY + "=true");
        }
        if (libraryCause != null) {
            return new CudaUnavailableException("native library libpinsage_native did not load: " + libraryCause,
                    libraryCause);
        }
        if (PinSageNative.pn_built_with_cuda() == 0) {
            return new CudaUnavailableException("libpinsage_native " + PinSageNative.pn_version().getString()
                    + " was built without CUDA (no nvcc on the build machine)");
        }
        int[] count = new int[1];
        int status = PinSageNative.pn_device_count(count);
        if (status != PinSageNative.PN_OK) {
            return new CudaUnavailableException(NativeException.statusName(status) + ": "
                    + PinSageNative.pn_last_error_detail().getString());
        }
        if (count[0] == 0) {
            return new CudaUnavailableException("the CUDA driver reports no device");
        }
        try (PinSageNative.DeviceInfo info = new PinSageNative.DeviceInfo()) {
            for (int d = 0; d < count[0]; d++) {
                NativeException.check(PinSageNative.pn_device_get_info(d, info), "pn_device_get_info(" + d + ")");
                devices.add(new GpuDevice(d, info.name().getString(), info.compute_major(), info.compute_minor(),
                        info.sm_count(), info.total_global_mem(), info.peak_memory_bandwidth_gbs()));
            }
        } catch (RuntimeException e) {
            return e;
        }
        return null;
    }
}
