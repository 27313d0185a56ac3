package io.pinsage.engine.cli;

import io.pinsage.gpu.CudaRuntime;
import io.pinsage.gpu.GpuDevice;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * Reports what this machine offers the engine: the JDK, SIMD width, cores and memory, the native kernel library
 * (loaded or why not, built with CUDA or not, version) and the GPUs (or why CUDA is unavailable), and the backend
 * {@code --device auto} would pick. Never fails for a missing GPU: that is information, not an error.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Report the JDK, SIMD vector width, cores, memory, the native library, GPUs and the backend "
                + "--device auto picks.")
final class DoctorCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Runtime rt = Runtime.getRuntime();
        out.printf("jdk            %s (%s)%n", Runtime.version(), System.getProperty("java.home"));
        out.printf("simd           %d-bit float vectors (%d lanes)%n",
                FloatVector.SPECIES_PREFERRED.vectorBitSize(), FloatVector.SPECIES_PREFERRED.length());
        out.printf("cores          %d%n", rt.availableProcessors());
        out.printf("max heap       %d MiB%n", rt.maxMemory() >> 20);
        reportNative(out);
        return 0;
    }

    private static void reportNative(PrintStream out) {
        if (!CudaRuntime.isNativeLibraryLoaded()) {
            out.printf("native         not loaded: %s%n", CudaRuntime.nativeLibraryCause());
        } else {
            out.printf("native         loaded: %s, %s%n", CudaRuntime.nativeVersion(),
                    CudaRuntime.builtWithCuda() ? "built with CUDA (nvcc)" : "built without CUDA (cc)");
        }
        if (CudaRuntime.isAvailable()) {
            for (GpuDevice d : CudaRuntime.devices()) {
                out.printf("gpu            %s%n", d);
            }
            out.printf("cublas         %s%n", CudaRuntime.isCublasAvailable() ? "available" : "not loadable");
            out.printf("device auto    cuda:0%n");
        } else {
            out.printf("gpu            unavailable: %s%n", CudaRuntime.unavailabilityCause().getMessage());
            out.printf("device auto    cpu%n");
        }
    }
}
