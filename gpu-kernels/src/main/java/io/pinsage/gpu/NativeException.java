package io.pinsage.gpu;

/**
 * A {@code pn_*} call of the native library failed. The message names the call, the status
 * ({@code PN_ERR_OUT_OF_MEMORY}, ...) and the calling thread's detail from {@code pn_last_error_detail()} (for
 * example the CUDA error name); {@link #status()} keeps the code. Because kernels only enqueue work, an execution
 * error of an earlier kernel may surface at a later synchronising call.
 */
public final class NativeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public NativeException(String call, int status, String detail) {
        super(call + " failed: " + statusName(status) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.status = status;
    }

    /** The {@code PN_ERR_*} code. */
    public int status() {
        return status;
    }

    /** Throws a {@link NativeException} for {@code call} unless {@code status == PN_OK}. O(1) when it passes. */
    public static void check(int status, String call) {
        if (status != PinSageNative.PN_OK) {
            throw new NativeException(call, status, PinSageNative.pn_last_error_detail().getString());
        }
    }

    private static final String[] NAMES = {"PN_OK", "PN_ERR_INVALID_ARGUMENT", "PN_ERR_NO_CUDA", "PN_ERR_NO_DEVICE",
        "PN_ERR_OUT_OF_MEMORY", "PN_ERR_CUDA", "PN_ERR_UNAVAILABLE", "PN_ERR_UNSUPPORTED"};

    /** The status's C name and the library's description ({@code pn_error_string}): {@code PN_ERR_CUDA (CUDA error)}. */
    public static String statusName(int status) {
        String symbol = status >= 0 && status < NAMES.length ? NAMES[status] : "status " + status;
        return symbol + " (" + PinSageNative.pn_error_string(status).getString() + ")";
    }
}
