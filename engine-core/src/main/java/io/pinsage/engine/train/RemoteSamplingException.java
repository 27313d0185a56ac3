package io.pinsage.engine.train;

/**
 * The samplers of a run could not serve it: none reachable, one that refuses the trainer (another secret, another
 * fingerprint), every sampler lost during an epoch, or a batch whose build failed on a sampler. The message names the
 * sampler and what to do; the trainer's last checkpoint stays as it was.
 */
public final class RemoteSamplingException extends RuntimeException {

    public RemoteSamplingException(String message, Throwable cause) {
        super(message, cause);
    }
}
