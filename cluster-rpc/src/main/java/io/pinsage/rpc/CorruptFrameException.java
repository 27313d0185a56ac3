package io.pinsage.rpc;

import io.netty.handler.codec.DecoderException;

/**
 * Bytes from a peer that are not a valid frame or body: bad length, magic, version, type or checksum, or a body
 * whose fields do not fit together. The connection it came from is closed; the message says what was wrong.
 */
public final class CorruptFrameException extends DecoderException {

    public CorruptFrameException(String message) {
        super(message);
    }
}
