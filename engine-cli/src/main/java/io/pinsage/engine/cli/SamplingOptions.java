package io.pinsage.engine.cli;

import io.pinsage.csr.ResourceLimits;
import io.pinsage.engine.train.RemoteBatchSupply;
import io.pinsage.rpc.RemoteSamplers;
import io.pinsage.rpc.RpcConfig;
import io.pinsage.rpc.SharedSecret;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code train}'s options for minibatches built by samplers ({@code pinsage sampler}) instead of threads of its own
 * process: {@code --samplers}, {@code --secret-file}, {@code --local-samplers}, {@code --max-frame-mb}. Not
 * thread-safe (picocli fills it before the command runs).
 */
final class SamplingOptions {

    @Option(names = "--samplers", paramLabel = "HOST:PORT[,HOST:PORT...]", description = "build the minibatches on these "
            + "samplers (started with ./pinsage sampler and this command's data and training options) instead of in this "
            + "process; a sampler lost mid-epoch loses its batches to the others, and the run's result is the same "
            + "(default: none, sampler threads of this process)")
    String samplers;

    @Option(names = "--secret-file", paramLabel = "FILE", description = "the secret the samplers hold too (at least 16 "
            + "bytes); needed with --samplers or --local-samplers (default: none, for sampler threads of this process)")
    Path secretFile;

    @Option(names = "--local-samplers", paramLabel = "N", defaultValue = "0", description = "with --samplers: also build "
            + "minibatches on N threads of a sampler inside this process (on 127.0.0.1), or only there without "
            + "--samplers (default: ${DEFAULT-VALUE})")
    int localSamplers;

    @Option(names = "--max-frame-mb", paramLabel = "MB", defaultValue = "256", description = "largest minibatch frame "
            + "taken from a sampler, in MiB, at most 2047 (default: ${DEFAULT-VALUE})")
    int maxFrameMb;

    /** Frames are int-sized: 2047 MiB is the largest whole number of MiB below 2^31 bytes. */
    private static final int MAX_FRAME_MB = 2047;

    /**
     * The supply of batches these options ask for, or null when they ask for none (sampler threads of this process).
     *
     * @throws IllegalArgumentException naming the option: no secret file, an unreadable or short one, a bad address,
     *                                  a count or size out of range
     */
    RemoteBatchSupply supply() throws IOException {
        if (samplers == null && localSamplers == 0) {
            return null;
        }
        if (localSamplers < 0 || localSamplers > ResourceLimits.MAX_THREADS) {
            throw new IllegalArgumentException("--local-samplers=" + localSamplers + ": must lie in [0, "
                    + ResourceLimits.MAX_THREADS + "]");
        }
        List<InetSocketAddress> addresses = samplers == null ? List.of() : addresses("--samplers", samplers);
        return new RemoteBatchSupply(addresses, secret(secretFile), rpcConfig(maxFrameMb), localSamplers);
    }

    /**
     * @throws IllegalArgumentException when these options ask for samplers: {@code why} says why they cannot serve
     */
    void requireLocal(String why) {
        if (samplers != null || localSamplers != 0) {
            throw new IllegalArgumentException("--samplers/--local-samplers: " + why);
        }
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

    /** @throws IllegalArgumentException when {@code mb} is outside [1, 2047] */
    static RpcConfig rpcConfig(int mb) {
        if (mb < 1 || mb > MAX_FRAME_MB) {
            throw new IllegalArgumentException("--max-frame-mb=" + mb + ": must lie in [1, " + MAX_FRAME_MB + "]");
        }
        return RpcConfig.DEFAULTS.withMaxFrameBytes(mb << 20);
    }
}
