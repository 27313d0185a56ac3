package io.pinsage.rpc;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The secret that samplers and trainers share, and the HMAC-SHA256 proofs of the handshake
 * ({@link FrameDescriptor}). The key never leaves this object.
 *
 * <p>Immutable; thread-safe. A proof costs one HMAC over 64 bytes.
 */
public final class SharedSecret {

    /** Fewer bytes than this would make the proofs guessable. */
    public static final int MIN_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    /**
     * @throws IllegalArgumentException if the secret has fewer than {@link #MIN_BYTES} bytes
     */
    public SharedSecret(byte[] secret) {
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("secret of " + secret.length + " bytes: must have at least " + MIN_BYTES);
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /** A fresh secret of 32 random bytes, for a trainer and samplers of one process that share no file. */
    public static SharedSecret random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return new SharedSecret(b);
    }

    /**
     * Reads the whole file as the secret; a trailing line break is not part of it, so {@code echo ... > F} and an
     * editor give the same secret.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException naming the file when it holds fewer than {@link #MIN_BYTES} bytes
     */
    public static SharedSecret read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int n = bytes.length;
        while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
            n--;
        }
        if (n < MIN_BYTES) {
            throw new IllegalArgumentException("secret file " + file + " holds " + n + " bytes: must hold at least "
                    + MIN_BYTES + " (for example: head -c 32 /dev/urandom | base64 > " + file + ")");
        }
        return new SharedSecret(Arrays.copyOf(bytes, n));
    }

    /** A fresh random nonce of {@link FrameDescriptor#TOKEN_LENGTH} bytes. */
    static byte[] nonce() {
        byte[] n = new byte[FrameDescriptor.TOKEN_LENGTH];
        RANDOM.nextBytes(n);
        return n;
    }

    /** The proof that a peer in {@code role} ("sampler" or "trainer") holds the secret, for this pair of nonces. */
    byte[] proof(String role, byte[] trainerNonce, byte[] samplerNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(("PSRP " + role).getBytes(StandardCharsets.US_ASCII));
            mac.update(trainerNonce);
            mac.update(samplerNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Compares in time independent of where the arrays differ. */
    static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** SHA-256 of a fingerprint, the form in which it travels. */
    static byte[] digest(byte[] fingerprint) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(fingerprint);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
