package io.pinsage.rpc;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Samplers and a trainer over TLS, with a self-signed certificate made by the JDK's keytool. */
@Timeout(60)
class TlsTest {

    static {
        LeakRecorder.install();
    }

    private static final char[] PASSWORD = "test-only".toCharArray();
    private static SslContext serverTls;
    private static SslContext clientTls;

    @TempDir
    static Path dir;

    private final TestBatches batches = new TestBatches(RemoteMiniBatchSourceTest.SCHEDULE);
    private final LoopbackCluster cluster = new LoopbackCluster();

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path store = dir.resolve("sampler.p12");
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process keytool = new ProcessBuilder(java.resolveSibling("keytool").toString(), "-J-XX:TieredStopAtLevel=1", "-genkeypair", "-alias",
                "sampler", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext",
                "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                store.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        serverTls = SslContextBuilder.forServer(kmf).build();
        clientTls = SslContextBuilder.forClient().trustManager(tmf).build();
    }

    @AfterEach
    void closeAndCheckLeaks() throws Exception {
        cluster.close();
    }

    private SamplerServer tlsSampler() {
        return cluster.track(new SamplerServer(RemoteSamplers.parseAddress("127.0.0.1:0"), HandshakeTest.SECRET,
                RemoteMiniBatchSourceTest.FINGERPRINT, batches, 2, RemoteMiniBatchSourceTest.CONFIG, serverTls)).start();
    }

    private RemoteSamplers trainer(SamplerServer sampler, SslContext tls) {
        return cluster.track(new RemoteSamplers(List.of(RemoteSamplers.parseAddress("127.0.0.1:"
                + sampler.address().getPort())), HandshakeTest.SECRET, RemoteMiniBatchSourceTest.FINGERPRINT,
                RemoteMiniBatchSourceTest.SCHEDULE, TestBatches.INPUTS, TestBatches.NODES, RemoteMiniBatchSourceTest.CONFIG,
                tls));
    }

    @Test
    void shouldServeTheSameBatchesOverTls() {
        RemoteSamplers trainer = trainer(tlsSampler(), clientTls);
        try (RemoteMiniBatchSource source = trainer.open(0, 0)) {
            for (int i = 0; i < RemoteMiniBatchSourceTest.SCHEDULE.batches(); i++) {
                assertArrayEquals(TestBatches.whole(batches.trained(0, i)), TestBatches.whole(source.take(0, i)));
            }
        }
    }

    @Test
    void shouldNotServeATrainerWithoutTls() {
        RemoteSamplers trainer = trainer(tlsSampler(), null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.open(0, 0));
        assertTrue(e.getMessage().startsWith("no sampler reachable"), e.getMessage());
    }

    @Test
    void shouldRefuseAContextOfTheWrongSide() {
        assertThrows(IllegalArgumentException.class, () -> new SamplerServer(RemoteSamplers.parseAddress("127.0.0.1:0"),
                HandshakeTest.SECRET, RemoteMiniBatchSourceTest.FINGERPRINT, batches, 1, RpcConfig.DEFAULTS, clientTls));
    }
}
