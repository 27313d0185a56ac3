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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two sampler processes and a trainer; one sampler is killed with SIGKILL mid-epoch. */
@Timeout(120)
class SamplerProcessTest {

    static {
        LeakRecorder.install();
    }

    @TempDir
    Path dir;

    @Test
    void shouldFinishTheEpochBitForBitWhenASamplerProcessIsKilled() throws Exception {
        Path secretFile = dir.resolve("secret");
        Files.writeString(secretFile, "correct horse battery staple\n");
        List<Process> samplers = new ArrayList<>();
        try {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Process p = start(secretFile, dir.resolve("sampler-" + i + ".log"));
                samplers.add(p);
                addresses.add(new InetSocketAddress("127.0.0.1", port(p)));
            }
            TestBatches batches = new TestBatches(RemoteMiniBatchSourceTest.SCHEDULE);
            int all = RemoteMiniBatchSourceTest.SCHEDULE.batches();
            try (RemoteSamplers trainer = new RemoteSamplers(addresses, SharedSecret.read(secretFile),
                    RemoteMiniBatchSourceTest.FINGERPRINT, RemoteMiniBatchSourceTest.SCHEDULE,
                    RemoteMiniBatchSourceTest.CONFIG);
                 RemoteMiniBatchSource source = trainer.open(3, 0)) {
                for (int i = 0; i < all; i++) {
                    if (i == all / 3) {
                        samplers.get(0).destroyForcibly().waitFor();
                    }
                    assertArrayEquals(TestBatches.bytes(batches.build(3, i)),
                            TestBatches.bytes(source.take(3, i)), "batch " + i);
                }
            }
            assertTrue(samplers.get(1).isAlive(), "the other sampler served to the end");
        } finally {
            for (Process p : samplers) {
                p.destroyForcibly().waitFor();
            }
        }
        LeakRecorder.assertNoLeaks();
    }

    private static Process start(Path secretFile, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx96m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), TestSamplerMain.class.getName(), secretFile.toString(), "20")
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
