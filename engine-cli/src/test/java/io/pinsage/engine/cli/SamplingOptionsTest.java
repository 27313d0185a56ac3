package io.pinsage.engine.cli;

import io.pinsage.rpc.RpcConfig;
import io.pinsage.rpc.SamplerServer;
import io.pinsage.rpc.SharedSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --samplers} and {@code sampler}: each kind of bad input is one {@code error:} line and exit code 2. */
@Timeout(60)
class SamplingOptionsTest {

    @TempDir
    Path dir;

    private Path dataset() throws Exception {
        return LightGcnFiles.tiny(dir);
    }

    private CliRun train(String... more) throws Exception {
        String[] base = {"train", "--dataset", "lightgcn:" + dataset(), "--out", dir.resolve("m").toString(), "--epochs", "1",
                "--threads", "1", "--device", "cpu", "--batch", "8", "--negatives", "4", "--dim", "4", "--walk-steps", "10"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRun.run(all);
    }

    private static void assertError(CliRun r, String start) {
        assertEquals(CliErrors.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("error: " + start), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void shouldRefuseAMissingSecretABadAddressAndAFrameSizeOutOfRange() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123\n");
        assertError(train("--samplers", "127.0.0.1:4000"), "--secret-file: needed to admit samplers");
        assertError(train("--samplers", "127.0.0.1:4000", "--secret-file", dir.resolve("absent").toString()),
                "--secret-file=" + dir.resolve("absent") + ": no such file");
        Path shortSecret = Files.writeString(dir.resolve("short"), "abc\n");
        assertError(train("--samplers", "127.0.0.1:4000", "--secret-file", shortSecret.toString()),
                "--secret-file: secret file " + shortSecret + " holds 3 bytes: must hold at least 16");
        assertError(train("--samplers", "127.0.0.1", "--secret-file", secret.toString()),
                "--samplers: address '127.0.0.1': expected HOST:PORT");
        assertError(train("--samplers", "127.0.0.1:4000", "--secret-file", secret.toString(), "--max-frame-mb", "2048"),
                "--max-frame-mb=2048: must lie in [1, 2047]");
        assertError(CliRun.run("sampler", "--dataset", "lightgcn:" + dataset(), "--work", dir.resolve("w").toString(),
                "--listen", "127.0.0.1:0,127.0.0.1:1", "--secret-file", secret.toString()), "--listen=127.0.0.1:0,127.0.0.1:1: one HOST:PORT");
        assertError(CliRun.run("train", "--dataset", "synthetic:" + dir, "--out", dir.resolve("s").toString(), "--samplers",
                "127.0.0.1:4000"), "--secret-file: needed to admit samplers");
    }

    private CliRun sampler(Path secret, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("sampler", "--dataset", "lightgcn:" + dataset(), "--work",
                dir.resolve("w").toString(), "--listen", "127.0.0.1:0", "--secret-file", secret.toString()));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void shouldRefuseAPrefetchDepthOutOfRangeAndTlsOptionsThatCannotWork() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123\n");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "not a certificate\n");
        String s = secret.toString();
        assertError(train("--samplers", "127.0.0.1:4000", "--secret-file", s, "--prefetch", "0"),
                "--prefetch=0: must lie in [1, 1024]");
        assertError(sampler(secret, "--prefetch", "1025"), "--prefetch=1025: must lie in [1, 1024]");
        assertError(train("--samplers", "127.0.0.1:4000", "--secret-file", s, "--prefetch", "four"),
                "Invalid value for option '--prefetch': 'four' is not an int (./pinsage train --help lists the options)");
        assertError(train("--samplers", "127.0.0.1:4000", "--secret-file", s, "--tls-trust", dir.resolve("absent").toString()),
                "--tls-trust: TLS trust file " + dir.resolve("absent") + ": no such file");
        assertError(train("--samplers", "127.0.0.1:4000", "--secret-file", s, "--tls-cert", notPem.toString(), "--tls-key",
                notPem.toString()), "--tls-trust: needed for TLS to samplers");
        assertError(train("--samplers", "127.0.0.1:4000", "--secret-file", s, "--tls-trust", notPem.toString()),
                "--tls-trust: TLS files (trust " + notPem + "): ");
        assertError(train("--local-samplers", "1", "--tls-trust", notPem.toString()),
                "--tls-cert/--tls-key/--tls-trust: TLS is for --samplers");
        assertError(sampler(secret, "--tls-cert", notPem.toString()), "--tls-key: a sampler with TLS needs both");
        assertError(train("--prefetch", "8"), "--prefetch=8: batches samplers build ahead, for --samplers or --local-samplers only");
        assertError(train("--max-frame-mb", "64"), "--max-frame-mb=64: the largest frame from a sampler, for --samplers or --local-samplers only");
        assertError(sampler(secret, "--tls-cert", notPem.toString(), "--tls-key", notPem.toString()),
                "--tls-cert/--tls-key: TLS files (certificate " + notPem + ", key " + notPem + "): ");
    }

    @Test
    void shouldTrainFromLocalSamplersAloneWithoutASecretFile() throws Exception {
        CliRun r = train("--local-samplers", "1", "--prefetch", "2");
        assertEquals(0, r.code(), r.err() + r.console());
        assertTrue(r.out().contains("trained 1 epochs"), r.out());
    }

    @Test
    void shouldNameAnUnreachableSamplerAndTheFingerprintPartThatDiffers() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123\n");
        assertError(train("--samplers", "127.0.0.1:1", "--secret-file", secret.toString()), "no sampler reachable (127.0.0.1:1: ");
        try (SamplerServer other = new SamplerServer(new InetSocketAddress("127.0.0.1", 0), SharedSecret.read(secret),
                "another run".getBytes(StandardCharsets.UTF_8), "training=00000000", (epoch, index) -> {
                    throw new AssertionError("nothing is built for a refused trainer");
                }, 1, RpcConfig.DEFAULTS, null).start()) {
            assertError(train("--samplers", "127.0.0.1:" + other.address().getPort(), "--secret-file", secret.toString()),
                    "sampler 127.0.0.1:" + other.address().getPort() + " serves another run: training (here ");
        }
    }
}
