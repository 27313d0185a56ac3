package io.pinsage.engine.cli;

import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Reports what this machine offers the engine: the JDK, SIMD width, cores and memory. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Report the JDK, SIMD vector width, cores, memory and the compute backends available.")
final class DoctorCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Runtime rt = Runtime.getRuntime();
        System.out.printf("jdk            %s (%s)%n", Runtime.version(), System.getProperty("java.home"));
        System.out.printf("simd           %d-bit float vectors (%d lanes)%n",
                FloatVector.SPECIES_PREFERRED.vectorBitSize(), FloatVector.SPECIES_PREFERRED.length());
        System.out.printf("cores          %d%n", rt.availableProcessors());
        System.out.printf("max heap       %d MiB%n", rt.maxMemory() >> 20);
        return 0;
    }
}
