package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/pinsage-cluster} on loopback, its ssh replaced by a local shell: start two samplers, train from them,
 * gather their logs, stop them; with a space in every path the launcher hands to the remote shell.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterLauncherTest {

    private static final Path SCRIPT = Path.of("..", "bin", "pinsage-cluster").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** Where the "hosts" keep logs, pid files and work directories: a name the remote shell must get quoted. */
    private Path cluster() {
        return dir.resolve("cluster dir");
    }

    private record Run(int code, String out, String err) {
    }

    /** Runs the launcher with ssh replaced by {@code sh -c} on this machine and the command line by this classpath's. */
    private Run launcher(String... args) throws Exception {
        Path ssh = dir.resolve("local-ssh");
        if (!Files.exists(ssh)) {
            Files.writeString(ssh, "#!/bin/sh\n# the host is this machine\nshift\nexec sh -c \"$*\"\n");
            Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        }
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command);
        Map<String, String> env = b.environment();
        env.put("PINSAGE_SSH", ssh.toString());
        env.put("PINSAGE_REMOTE", String.join(" ", CliProcess.command()));
        env.put("PINSAGE_CLUSTER_DIR", cluster().toString());
        env.put("PINSAGE_CLUSTER_WAIT", "60");
        Path err = dir.resolve("launcher.err");
        Process p = b.redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the launcher still runs after 90 s");
        return new Run(p.exitValue(), out, Files.readString(err));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldStartSamplersATrainerUsesThenGatherTheirLogsAndStopThem() throws Exception {
        Path data = LightGcnFiles.tiny(dir);
        Path secret = Files.writeString(dir.resolve("the secret"), "0123456789abcdef0123\n");
        int[] ports = {freePort(), freePort()};
        Path hosts = Files.writeString(dir.resolve("hosts"), "# samplers\n127.0.0.1:" + ports[0] + "\n\n127.0.0.1:" + ports[1]
                + "  # the second\n");
        List<String> options = List.of("--dataset", "lightgcn:" + data, "--secret-file", secret.toString(), "--threads", "1",
                "--batch", "8", "--negatives", "4", "--dim", "4", "--walk-steps", "10");
        List<String> start = new ArrayList<>(List.of("start", hosts.toString()));
        start.addAll(options);
        try {
            Run started = launcher(start.toArray(String[]::new));
            assertEquals(0, started.code(), started.err());
            String samplers = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
            assertEquals(samplers, started.out().strip());

            Run again = launcher(start.toArray(String[]::new));
            assertEquals(2, again.code(), again.err());
            assertTrue(again.err().contains("error: 127.0.0.1:" + ports[0] + ": the sampler did not start"), again.err());

            List<String> trainArgs = new ArrayList<>(List.of("train", "--out", dir.resolve("model").toString(), "--epochs", "1",
                    "--device", "cpu", "--samplers", samplers));
            trainArgs.addAll(options);
            CliRun trained = CliRun.run(trainArgs.toArray(String[]::new));
            assertEquals(0, trained.code(), trained.err() + trained.console());

            Run logs = launcher("logs", hosts.toString(), dir.resolve("logs").toString());
            assertEquals(0, logs.code(), logs.err());
            for (int port : ports) {
                Path log = dir.resolve("logs").resolve("127.0.0.1-" + port + ".log");
                assertTrue(logs.out().contains(log.toString()), logs.out());
                assertTrue(Files.readString(log).contains("admitted"), Files.readString(log));
            }
        } finally {
            Run stopped = launcher("stop", hosts.toString());
            assertEquals(0, stopped.code(), stopped.err());
            assertEquals("stopped 127.0.0.1:" + ports[0] + "\nstopped 127.0.0.1:" + ports[1], stopped.out().strip());
        }
        for (int port : ports) {
            assertTrue(Files.exists(cluster().resolve("sampler-" + port + ".log")), "the logs are where they were asked for");
            assertFalse(Files.exists(cluster().resolve("sampler-" + port + ".pid")));
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "port " + port);
        }
    }

    @Test
    void shouldRefuseAHostsLineWithoutAPort() throws Exception {
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1:4000\nsampler-7\n");
        Run r = launcher("stop", hosts.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("error: " + hosts + ":2: 'sampler-7': expected HOST:PORT", r.err().strip());
        assertEquals("", r.out());
    }
}
