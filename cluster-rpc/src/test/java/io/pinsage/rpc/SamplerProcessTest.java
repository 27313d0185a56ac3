package io.pinsage.rpc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sampler processes and a trainer; samplers are frozen (SIGSTOP) and killed (SIGKILL) mid-epoch. */
@Timeout(120)
class SamplerProcessTest {

    static {
        LeakRecorder.install();
    }

    @TempDir
    Path dir;

    /**
     * Three samplers: at a third of the epoch one is frozen (a stopped process keeps its sockets open and sends
     * nothing, so only the missing heartbeats tell), at two thirds another is killed (its sockets close at once).
     */
    @Test
    void shouldFinishTheEpochBitForBitWhenOneSamplerIsFrozenAndAnotherKilled() throws Exception {
        Path secretFile = dir.resolve("secret");
        Files.writeString(secretFile, "correct horse battery staple\n");
        RpcConfig trainerConfig = RemoteMiniBatchSourceTest.CONFIG.withTimeouts(Duration.ofMillis(500),
                Duration.ofSeconds(3), Duration.ofMinutes(10));
        List<Process> samplers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                // The survivor runs on NIO, the others on epoll: both transports serve the same batches.
                samplers.add(start(secretFile, dir.resolve("sampler-" + i + ".log"), i == 2));
            }
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (Process p : samplers) {
                addresses.add(new InetSocketAddress("127.0.0.1", port(p)));
            }
            TestBatches batches = new TestBatches(RemoteMiniBatchSourceTest.SCHEDULE);
            int all = RemoteMiniBatchSourceTest.SCHEDULE.batches();
            try (RemoteSamplers trainer = new RemoteSamplers(addresses, SharedSecret.read(secretFile),
                    RemoteMiniBatchSourceTest.FINGERPRINT, RemoteMiniBatchSourceTest.SCHEDULE, TestBatches.INPUTS,
                    TestBatches.NODES, trainerConfig);
                 RemoteMiniBatchSource source = trainer.open(3, 0)) {
                for (int i = 0; i < all; i++) {
                    if (i == all / 3) {
                        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(samplers.get(0).pid()))
                                .inheritIO().start();
                        assertEquals(0, stop.waitFor());
                    } else if (i == 2 * all / 3) {
                        samplers.get(1).destroyForcibly().waitFor();
                    }
                    assertArrayEquals(TestBatches.whole(batches.trained(3, i)), TestBatches.whole(source.take(3, i)),
                            "batch " + i);
                }
            }
            assertTrue(samplers.get(2).isAlive(), "the third sampler served to the end");
            assertTrue(Files.readString(dir.resolve("sampler-2.log")).contains("(nio)"), "the third sampler used NIO");
        } finally {
            for (Process p : samplers) {
                p.destroyForcibly().waitFor();
            }
        }
        LeakRecorder.assertNoLeaks();
    }

    private static Process start(Path secretFile, Path log, boolean nio) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx96m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-Dpinsage.rpc.epoll=" + !nio, "-cp", System.getProperty("java.class.path"),
                TestSamplerMain.class.getName(), secretFile.toString(), "20")
                .redirectError(log.toFile())
                .start();
    }

    /** Reads the {@code port N} line the sampler prints once it listens. */
    private static int port(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("port ")) {
            throw new IOException("the sampler process printed " + line + " instead of its port");
        }
        return Integer.parseInt(line.substring(5));
    }
}
