package io.pinsage.engine.cli;

import io.netty.handler.ssl.SslContext;
import io.pinsage.rpc.TlsFiles;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * TLS between {@code train} and its samplers, from PEM files: {@code --tls-cert}, {@code --tls-key},
 * {@code --tls-trust}. A sampler needs a certificate and its key (and with a trust file asks trainers for theirs); a
 * trainer needs a trust file (and with a certificate and key presents them to samplers that ask). Not thread-safe
 * (picocli fills it before the command runs).
 */
final class TlsOptions {

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain this end presents: a sampler's "
            + "turns TLS on; a trainer's goes to samplers started with --tls-trust (default: none, plain TCP)")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "the unencrypted PKCS#8 PEM private key of --tls-cert "
            + "(-----BEGIN PRIVATE KEY-----) (default: none)")
    Path key;

    @Option(names = "--tls-trust", paramLabel = "FILE", description = "PEM certificates the other end's must chain to: a "
            + "trainer's turns TLS on (a sampler's certificate must also name the host as given in --samplers); a "
            + "sampler's makes trainers present one (default: none)")
    Path trust;

    /** Whether any TLS option was given. */
    boolean given() {
        return cert != null || key != null || trust != null;
    }

    /**
     * A sampler's context, or null when no TLS option was given.
     *
     * @throws IllegalArgumentException naming the option: a certificate without its key or the reverse, a trust file
     *                                  without a certificate, a file absent or not PEM of the right kind
     */
    SslContext server() {
        if (!given()) {
            return null;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException((cert == null ? "--tls-cert" : "--tls-key") + ": a sampler with TLS needs "
                    + "both --tls-cert and --tls-key");
        }
        try {
            return TlsFiles.server(cert, key, trust);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tls-cert/--tls-key" + (trust == null ? "" : "/--tls-trust") + ": "
                    + e.getMessage());
        }
    }

    /**
     * A trainer's context, or null when no TLS option was given.
     *
     * @throws IllegalArgumentException naming the option: a certificate or key without a trust file, one of them
     *                                  without the other, a file absent or not PEM of the right kind
     */
    SslContext client() {
        if (!given()) {
            return null;
        }
        if (trust == null) {
            throw new IllegalArgumentException("--tls-trust: needed for TLS to samplers (the certificates theirs must "
                    + "chain to); --tls-cert and --tls-key alone only answer samplers that ask for a certificate");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException((cert == null ? "--tls-key" : "--tls-cert") + ": give both --tls-cert and "
                    + "--tls-key, or neither");
        }
        try {
            return TlsFiles.client(trust, cert, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tls-trust" + (cert == null ? "" : "/--tls-cert/--tls-key") + ": "
                    + e.getMessage());
        }
    }
}
