package io.pinsage.engine.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** The command line in a JVM of its own, for tests that start processes: this JVM's java, module flags and classpath. */
final class CliProcess {

    private CliProcess() {
    }

    /** {@code java -Xmx256m FLAGS -cp CLASSPATH io.pinsage.engine.cli.PinSageCli}; append the command's arguments. */
    static List<String> command() {
        List<String> java = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("--add-") || flag.startsWith("--enable-native-access")
                    || flag.startsWith("--sun-misc-unsafe-memory-access")) {
                java.add(flag);
            }
        }
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), PinSageCli.class.getName()));
        return java;
    }

    /**
     * {@link #command()} started by bash under {@code ulimit -f KIB}: a write that would take any file past KIB KiB
     * fails with "File too large" (EFBIG: the JVM ignores SIGXFSZ), as a write onto a full disk fails, without root.
     * The JVM's performance-data file is left out, so that the limit meets only the command's own files.
     */
    static List<String> underFileSizeLimit(long kib) {
        List<String> java = command();
        java.add(1, "-XX:-UsePerfData");
        List<String> bash = new ArrayList<>(List.of("bash", "-c", "ulimit -f " + kib + " && exec \"$@\"", "bash"));
        bash.addAll(java);
        return bash;
    }
}
