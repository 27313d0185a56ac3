package io.pinsage.gpu;

/**
 * The CUDA path cannot be used on this machine: the native library did not load, was built without CUDA, found
 * no driver or device, or was disabled with {@code -Dpinsage.cuda.disable=true}. The message says which; the
 * cause, when there is one, is the original error (for example the {@link UnsatisfiedLinkError}).
 */
public final class CudaUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CudaUnavailableException(String message) {
        super(message);
    }

    public CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
