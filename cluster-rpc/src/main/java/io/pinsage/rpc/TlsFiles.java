package io.pinsage.rpc;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS contexts for {@link SamplerServer} and {@link RemoteSamplers} from PEM files, as a cluster's operator has them:
 * a certificate chain, its PKCS#8 private key (unencrypted, {@code -----BEGIN PRIVATE KEY-----}), and a file of the
 * certificates to trust. A sampler presents its certificate; a trainer checks that it chains to its trust file and
 * names the host the trainer dialled (as given, an IP address or a DNS name in the certificate's subject alternative
 * names). The shared secret still decides who is admitted; TLS keeps the batches private and the trainer away from a
 * sampler it does not trust. With a trust file on the sampler and a certificate on the trainer, each side checks the
 * other (mutual TLS).
 *
 * <p>Stateless; thread-safe. Reads the files once, when called.
 */
public final class TlsFiles {

    private TlsFiles() {
    }

    /**
     * A sampler's server context.
     *
     * @param trust certificates a trainer's certificate must chain to, or null to ask trainers for none
     * @throws IllegalArgumentException naming the file that is absent or not what it should be
     */
    public static SslContext server(Path cert, Path key, Path trust) {
        readable("certificate", cert);
        readable("key", key);
        if (trust != null) {
            readable("trust", trust);
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile());
            if (trust != null) {
                b.trustManager(trust.toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (Exception e) {
            throw new IllegalArgumentException("TLS files (certificate " + cert + ", key " + key
                    + (trust == null ? "" : ", trust " + trust) + "): " + reason(e));
        }
    }

    /**
     * A trainer's client context.
     *
     * @param cert certificate chain presented to samplers that ask for one, or null (then {@code key} is null too)
     * @throws IllegalArgumentException naming the file that is absent or not what it should be, or when only one of
     *                                  {@code cert} and {@code key} is given
     */
    public static SslContext client(Path trust, Path cert, Path key) {
        readable("trust", trust);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("TLS files: a certificate needs its key and a key its certificate");
        }
        if (cert != null) {
            readable("certificate", cert);
            readable("key", key);
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient().trustManager(trust.toFile());
            if (cert != null) {
                b.keyManager(cert.toFile(), key.toFile());
            }
            return b.build();
        } catch (Exception e) {
            throw new IllegalArgumentException("TLS files (trust " + trust + (cert == null ? "" : ", certificate " + cert
                    + ", key " + key) + "): " + reason(e));
        }
    }

    private static void readable(String what, Path file) {
        if (file == null) {
            throw new IllegalArgumentException("TLS files: no " + what + " file given");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("TLS " + what + " file " + file + ": "
                    + (Files.exists(file) ? "not a readable file" : "no such file"));
        }
    }

    /** The innermost message: Netty wraps a bad PEM file's reason in one or two layers. */
    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
