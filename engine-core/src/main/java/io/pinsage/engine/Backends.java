package io.pinsage.engine;

import io.pinsage.gpu.CudaBackend;
import io.pinsage.gpu.CudaRuntime;
import io.pinsage.gpu.GemmEngine;
import io.pinsage.gpu.GpuDevice;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.cpu.CpuBackend;

import java.util.List;

/**
 * Picks the compute backend for a {@code --device} value and says which one it uses and why:
 * <ul>
 *   <li>{@code cpu}: the CPU backend (Vector API, all cores);</li>
 *   <li>{@code cuda} or {@code cuda:N}: the CUDA backend on device 0 or N; when CUDA is unavailable, an
 *       {@link IllegalArgumentException} whose message and cause carry the probe's reason;</li>
 *   <li>{@code auto}: CUDA device 0 when {@link CudaRuntime#isAvailable()}, else the CPU backend, naming the
 *       reason CUDA was passed over.</li>
 * </ul>
 * The CUDA probe runs once per JVM ({@code -Dpinsage.cuda.disable=true} turns it off); the CUDA backend's GEMM
 * comes from {@code -Dpinsage.cuda.gemm} ({@link GemmEngine#fromSystemProperty()}). Stateless and
 * thread-safe; never prints (the caller decides whether to show {@link BackendChoice#reason()}); the caller owns
 * (and closes) the returned backend.
 */
public final class Backends {

    /** The {@code --device} values, for help texts. */
    public static final String DEVICE_VALUES = "auto, cpu, cuda, cuda:N";

    private Backends() {
    }

    /**
     * Opens the backend {@code device} asks for and says why it is that one, e.g. reason
     * {@code NVIDIA H100 ..., --device auto found a GPU} or {@code --device auto: CUDA unavailable: PN_ERR_NO_DEVICE ...}.
     *
     * @throws IllegalArgumentException {@code device=...} for an unknown value, or when {@code cuda} was asked
     *                                  for and is unavailable (cause: the probe's)
     */
    public static BackendChoice select(String device) {
        String d = device == null ? "auto" : device.trim().toLowerCase(java.util.Locale.ROOT);
        switch (d) {
            case "cpu" -> {
                return new BackendChoice(new CpuBackend(), "--device cpu");
            }
            case "auto" -> {
                if (CudaRuntime.isAvailable()) {
                    Backend gpu = CudaBackend.open();
                    return new BackendChoice(gpu, describe(0) + ", --device auto found a GPU");
                }
                return new BackendChoice(new CpuBackend(),
                        "--device auto: CUDA unavailable: " + CudaRuntime.unavailabilityCause().getMessage());
            }
            default -> {
                int ordinal = cudaOrdinal(d, device);
                Throwable cause = CudaRuntime.unavailabilityCause();
                if (cause != null) {
                    throw new IllegalArgumentException("device=" + device + ": CUDA is unavailable on this machine: "
                            + cause.getMessage() + " (use --device auto or --device cpu)", cause);
                }
                Backend gpu = CudaBackend.open(ordinal, GemmEngine.fromSystemProperty());
                return new BackendChoice(gpu, describe(ordinal) + ", --device " + d);
            }
        }
    }

    private static int cudaOrdinal(String normalized, String original) {
        if (normalized.equals("cuda")) {
            return 0;
        }
        if (normalized.startsWith("cuda:")) {
            try {
                int ordinal = Integer.parseInt(normalized.substring(5));
                if (ordinal >= 0) {
                    return ordinal;
                }
            } catch (NumberFormatException e) {
                // reported below with the accepted values
            }
        }
        throw new IllegalArgumentException("device=" + original + " (expected one of " + DEVICE_VALUES + ")");
    }

    private static String describe(int ordinal) {
        List<GpuDevice> devices = CudaRuntime.devices();
        return ordinal < devices.size() ? devices.get(ordinal).toString() : "cuda:" + ordinal;
    }
}
