package io.pinsage.engine;

import io.pinsage.gpu.CudaBackend;
import io.pinsage.gpu.CudaRuntime;
import io.pinsage.gpu.GemmEngine;
import io.pinsage.gpu.GpuDevice;
import io.pinsage.nn.backend.Backend;
import io.pinsage.nn.backend.cpu.CpuBackend;

import java.io.PrintStream;
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
 * thread-safe; the caller owns (and closes) the returned backend.
 */
public final class Backends {

    /** The {@code --device} values, for help texts. */
    public static final String DEVICE_VALUES = "auto, cpu, cuda, cuda:N";

    private Backends() {
    }

    /** {@link #select(String, PrintStream)} reporting on standard error (standard output stays for results). */
    public static Backend select(String device) {
        return select(device, System.err);
    }

    /**
     * Opens the backend {@code device} asks for and prints one line to {@code log}:
     * {@code backend: cuda:0 (NVIDIA H100 ..., --device auto found a GPU)} or
     * {@code backend: cpu (--device auto: CUDA unavailable: PN_ERR_NO_DEVICE ...)}.
     *
     * @throws IllegalArgumentException {@code device=...} for an unknown value, or when {@code cuda} was asked
     *                                  for and is unavailable (cause: the probe's)
     */
    public static Backend select(String device, PrintStream log) {
        String d = device == null ? "auto" : device.trim().toLowerCase(java.util.Locale.ROOT);
        switch (d) {
            case "cpu" -> {
                Backend cpu = new CpuBackend();
                log.println("backend: " + cpu.name() + " (--device cpu)");
                return cpu;
            }
            case "auto" -> {
                if (CudaRuntime.isAvailable()) {
                    Backend gpu = CudaBackend.open();
                    log.println("backend: " + gpu.name() + " (" + describe(0) + ", --device auto found a GPU)");
                    return gpu;
                }
                Backend cpu = new CpuBackend();
                log.println("backend: " + cpu.name() + " (--device auto: CUDA unavailable: "
                        + CudaRuntime.unavailabilityCause().getMessage() + ")");
                return cpu;
            }
            default -> {
                int ordinal = cudaOrdinal(d, device);
                Throwable cause = CudaRuntime.unavailabilityCause();
                if (cause != null) {
                    throw new IllegalArgumentException("device=" + device + ": CUDA is unavailable on this machine: "
                            + cause.getMessage() + " (use --device auto or --device cpu)", cause);
                }
                Backend gpu = CudaBackend.open(ordinal, GemmEngine.fromSystemProperty());
                log.println("backend: " + gpu.name() + " (" + describe(ordinal) + ", --device " + d + ")");
                return gpu;
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
