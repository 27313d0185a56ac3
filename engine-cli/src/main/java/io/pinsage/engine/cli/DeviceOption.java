package io.pinsage.engine.cli;

import io.pinsage.engine.BackendChoice;
import io.pinsage.engine.Backends;
import io.pinsage.nn.backend.Backend;
import picocli.CommandLine.Option;

/**
 * The {@code --device auto|cpu|cuda[:N]} option for commands that compute (training, inference): add it with
 * {@code @Mixin DeviceOption device;} and open the backend with {@link #open()}, which prints the choice and its
 * reason on standard error. Not thread-safe (picocli fills it before the command runs).
 */
public final class DeviceOption {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "Compute backend: auto, cpu, cuda or cuda:N; auto uses a GPU when one is usable, else the "
                    + "CPU (default: ${DEFAULT-VALUE}).")
    String device = "auto";

    /**
     * The backend {@code --device} asks for (see {@link Backends#select(String)}), its choice and reason printed on
     * standard error (standard output stays for results); the caller closes it.
     */
    public Backend open() {
        BackendChoice choice = Backends.select(device);
        System.err.println(choice.describe());
        return choice.backend();
    }

    /** The raw option value. */
    public String value() {
        return device;
    }
}
