package io.pinsage.engine.cli;

import io.pinsage.csr.ResourceLimits;
import io.pinsage.engine.train.RemoteBatchSupply;
import io.pinsage.rpc.RemoteSamplers;
import io.pinsage.rpc.RpcConfig;
import io.pinsage.rpc.SharedSecret;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code train}'s options for minibatches built by samplers ({@code pinsage sampler}) instead of threads of its own
 * process: {@code --samplers}, {@code --secret-file}, {@code --local-samplers}, {@code --max-frame-mb},
 * {@code --prefetch} and the TLS options. Not thread-safe (picocli fills it before the command runs).
 */
final class SamplingOptions {

    @Option(names = "--samplers", paramLabel = "HOST:PORT[,HOST:PORT...]", description = "build the minibatches on these "
            + "samplers (started with ./pinsage sampler and this command's data and training options) instead of in this "
            + "process; a sampler lost mid-epoch loses its batches to the others, and the run's result is the same "
            + "(default: none, sampler threads of this process)")
    String samplers;

    @Option(names = "--secret-file", paramLabel = "FILE", description = "the secret the samplers hold too (at least 16 "
            + "bytes); needed with --samplers (default: none; --local-samplers alone uses a random one)")
    Path secretFile;

    @Option(names = "--local-samplers", paramLabel = "N", defaultValue = "0", description = "with --samplers: also build "
            + "minibatches on N threads of a sampler inside this process (on 127.0.0.1), or only there without "
            + "--samplers (default: ${DEFAULT-VALUE})")
    int localSamplers;

    @Option(names = "--max-frame-mb", paramLabel = "MB", defaultValue = "256", description = "largest minibatch frame "
            + "taken from a sampler, in MiB, at most 2047 (default: ${DEFAULT-VALUE})")
    int maxFrameMb;

    @Option(names = "--prefetch", paramLabel = "N", description = "with --samplers or --local-samplers: batches each "
            + "sampler may build ahead and hold for this trainer (its credits), in [1, 1024] (default: ${DEFAULT-VALUE})")
    int prefetch = RpcConfig.DEFAULTS.prefetch();

    @Mixin
    TlsOptions tls = new TlsOptions();

    /** The command these options belong to: whether an option was given, which its default cannot tell. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Frames are int-sized: 2047 MiB is the largest whole number of MiB below 2^31 bytes. */
    private static final int MAX_FRAME_MB = 2047;

    /**
     * The supply of batches these options ask for, or null when they ask for none (sampler threads of this process).
     *
     * @throws IllegalArgumentException naming the option: no secret file, an unreadable or short one, a bad address,
     *                                  a count or size out of range
     */
    RemoteBatchSupply supply() throws IOException {
        RpcConfig rpc = rpcConfig(maxFrameMb, prefetch);
        if (samplers == null && tls.given()) {
            throw new IllegalArgumentException("--tls-cert/--tls-key/--tls-trust: TLS is for --samplers (a sampler of "
                    + "--local-samplers is reached on loopback)");
        }
        if (samplers == null && localSamplers == 0) {
            if (given("--prefetch")) {
                throw new IllegalArgumentException("--prefetch=" + prefetch + ": batches samplers build ahead, for "
                        + "--samplers or --local-samplers only");
            }
            if (given("--max-frame-mb")) {
                throw new IllegalArgumentException("--max-frame-mb=" + maxFrameMb + ": the largest frame from a sampler, "
                        + "for --samplers or --local-samplers only");
            }
            return null;
        }
        if (localSamplers < 0 || localSamplers > ResourceLimits.MAX_THREADS) {
            throw new IllegalArgumentException("--local-samplers=" + localSamplers + ": must lie in [0, "
                    + ResourceLimits.MAX_THREADS + "]");
        }
        if (samplers == null) {
            // Trainer and sampler share this process: a file would prove nothing a random secret does not.
            return new RemoteBatchSupply(List.of(), secretFile == null ? null : secret(secretFile), rpc, localSamplers);
        }
        return new RemoteBatchSupply(addresses("--samplers", samplers), secret(secretFile), rpc, localSamplers,
                tls.client());
    }

    /** Whether {@code option} was on the command line, which its default value cannot tell. */
    private boolean given(String option) {
        return command.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** @throws IllegalArgumentException naming {@code option} and the entry that is not HOST:PORT */
    static List<InetSocketAddress> addresses(String option, String text) {
        try {
            return RemoteSamplers.parseAddresses(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException when the file is not given, absent, or too short */
    static SharedSecret secret(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("--secret-file: needed to admit samplers and trainers to each other (for "
                    + "example: head -c 32 /dev/urandom | base64 > secret; the same file on every machine)");
        }
        try {
            return SharedSecret.read(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--secret-file=" + file + ": no such file");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--secret-file: " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException when {@code mb} is outside [1, 2047] or {@code prefetch} outside [1, 1024] */
    static RpcConfig rpcConfig(int mb, int prefetch) {
        if (mb < 1 || mb > MAX_FRAME_MB) {
            throw new IllegalArgumentException("--max-frame-mb=" + mb + ": must lie in [1, " + MAX_FRAME_MB + "]");
        }
        try {
            return RpcConfig.DEFAULTS.withMaxFrameBytes(mb << 20).withPrefetch(prefetch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage());
        }
    }
}
