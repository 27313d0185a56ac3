package io.pinsage.engine.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sampler} and {@code train --samplers} over mutual TLS on loopback, with self-signed PEM pairs the JDK's keytool
 * makes here: a trainer that trusts the sampler's certificate and presents one the sampler trusts trains; one that
 * trusts another certificate, or presents none, is refused with one {@code error:} line.
 */
@Timeout(120)
class TlsSamplingTest {

    private static final String PASSWORD = "test-only";

    @TempDir
    static Path dir;

    /** The sampler's, the trainer's and an unrelated certificate, each with its key: {cert, key}. */
    private static Path[] sampler;
    private static Path[] trainer;
    private static Path[] stranger;

    @BeforeAll
    static void makeCertificates() throws Exception {
        sampler = selfSigned("sampler");
        trainer = selfSigned("trainer");
        stranger = selfSigned("stranger");
    }

    /** A self-signed EC certificate for 127.0.0.1 and its key, as PEM files {@code name.crt} and {@code name.key}. */
    static Path[] selfSigned(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process keytool = new ProcessBuilder(java.resolveSibling("keytool").toString(), "-J-XX:TieredStopAtLevel=1",
                "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext",
                "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass",
                PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        Key key = keys.getKey(name, PASSWORD.toCharArray());
        assertEquals("PKCS#8", key.getFormat());
        Path cert = Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", keys.getCertificate(name).getEncoded()));
        Path keyFile = Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
        return new Path[] {cert, keyFile};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static List<String> options(Path data) {
        return List.of("--dataset", "lightgcn:" + data, "--batch", "8", "--negatives", "4", "--dim", "4", "--walk-steps",
                "10", "--threads", "1");
    }

    @Test
    void shouldTrainFromASamplerOverTlsAndRefuseATrainerThatTrustsAnotherCertificate() throws Exception {
        Path data = LightGcnFiles.tiny(dir);
        Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123\n");
        Path log = dir.resolve("sampler.log");
        List<String> command = CliProcess.command();
        command.addAll(List.of("sampler", "--work", dir.resolve("work").toString(), "--listen", "127.0.0.1:0",
                "--secret-file", secret.toString(), "--tls-cert", sampler[0].toString(), "--tls-key", sampler[1].toString(),
                "--tls-trust", trainer[0].toString()));
        command.addAll(options(data));
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null || !line.startsWith("listening on ")) {
                throw new IOException("the sampler printed " + line + "; its log:\n" + Files.readString(log));
            }
            String address = line.substring("listening on ".length());
            assertTrue(Files.readString(log).contains("TLS"), Files.readString(log));

            CliRun trusted = CliRun.run(train(data, address, secret, "trusted", "--tls-trust", sampler[0].toString(),
                    "--tls-cert", trainer[0].toString(), "--tls-key", trainer[1].toString()));
            assertEquals(0, trusted.code(), trusted.err() + trusted.console());

            assertRefused(CliRun.run(train(data, address, secret, "wrong-trust", "--tls-trust", stranger[0].toString(),
                    "--tls-cert", trainer[0].toString(), "--tls-key", trainer[1].toString())), address);
            assertRefused(CliRun.run(train(data, address, secret, "no-certificate", "--tls-trust", sampler[0].toString())),
                    address);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private static void assertRefused(CliRun r, String address) {
        assertEquals(CliErrors.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("error: no sampler reachable (" + address + ": "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    private static String[] train(Path data, String address, Path secret, String out, String... tls) {
        List<String> args = new ArrayList<>(List.of("train", "--out", dir.resolve(out).toString(), "--epochs", "1",
                "--device", "cpu", "--samplers", address, "--secret-file", secret.toString()));
        args.addAll(List.of(tls));
        args.addAll(options(data));
        return args.toArray(String[]::new);
    }
}
