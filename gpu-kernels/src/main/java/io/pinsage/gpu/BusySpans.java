package io.pinsage.gpu;

/**
 * Measures the device time of the busy spans of {@link CudaBackend} (see
 * {@link io.pinsage.nn.backend.Backend#beginBusySpan()}) with pairs of timing events on the compute stream.
 *
 * <p>A span records its start event when opened and its end event when closed, both on the stream, so neither
 * call waits for the device. The pairs live in a small ring: a closed span's time is collected when its end
 * event is found complete (polled after each close) or, at the latest, when its slot is needed again or
 * {@link #busyNanos()} is asked, which then waits for that span only. The device timestamps events when it
 * reaches them, so a span's time is the device's, from reaching the start to finishing the span's last
 * operation.
 *
 * <p>Not thread-safe: used from the backend's owning thread. Owns its events; {@link #free()} destroys them.
 */
final class BusySpans {

    private static final int SLOTS = 8;

    private final Device device;
    private final long stream;
    private final long[] starts = new long[SLOTS];
    private final long[] ends = new long[SLOTS];
    private final boolean[] pending = new boolean[SLOTS];
    /** Slot of the next span to open. */
    private int next;
    private boolean open;
    private long busyNanos;

    BusySpans(Device device, long stream) {
        this.device = device;
        this.stream = stream;
        for (int i = 0; i < SLOTS; i++) {
            starts[i] = device.createEvent();
            ends[i] = device.createEvent();
        }
    }

    void begin(String backend) {
        if (open) {
            throw new IllegalStateException("a busy span is already open on backend " + backend);
        }
        if (pending[next]) {
            collect(next, true);
        }
        device.recordEvent(starts[next], stream);
        open = true;
    }

    void end(String backend) {
        if (!open) {
            throw new IllegalStateException("no busy span is open on backend " + backend);
        }
        device.recordEvent(ends[next], stream);
        pending[next] = true;
        open = false;
        next = (next + 1) % SLOTS;
        for (int i = 0; i < SLOTS; i++) {
            if (pending[i] && device.eventDone(ends[i])) {
                collect(i, false);
            }
        }
    }

    long busyNanos() {
        for (int i = 0; i < SLOTS; i++) {
            if (pending[i]) {
                collect(i, true);
            }
        }
        return busyNanos;
    }

    private void collect(int slot, boolean wait) {
        if (wait) {
            device.synchronizeEvent(ends[slot]);
        }
        busyNanos += Math.round(device.elapsedMillis(starts[slot], ends[slot]) * 1e6);
        pending[slot] = false;
    }

    void free() {
        for (int i = 0; i < SLOTS; i++) {
            device.destroyEvent(starts[i]);
            device.destroyEvent(ends[i]);
        }
    }
}
