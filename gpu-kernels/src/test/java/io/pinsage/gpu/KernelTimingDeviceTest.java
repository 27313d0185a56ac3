package io.pinsage.gpu;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KernelTimingDevice} on {@link SimulatedStreamsDevice}, whose lazy stream holds its work until something
 * forces it, as a busy GPU would: what is timed, when it waits, and that its events are recycled.
 */
class KernelTimingDeviceTest {

    private static final long BYTES = 1 << 20;
    /** The simulated device numbers streams from 1: the first created is the one timed. */
    private static final long COMPUTE_STREAM = 1;

    /** A timing device over {@code sim} with its two streams created and timing on for the first. */
    private static KernelTimingDevice timingComputeStream(SimulatedStreamsDevice sim) {
        KernelTimingDevice device = new KernelTimingDevice(sim, false);
        long compute = device.createStream();
        device.createStream();
        assertEquals(COMPUTE_STREAM, compute);
        device.timeStream(compute);
        device.setTiming(true);
        return device;
    }

    @Test
    void shouldTimeOnlyTheTimedStreamsWorkWhileTimingIsOn() {
        SimulatedStreamsDevice sim = new SimulatedStreamsDevice(SimulatedStreamsDevice.Lazy.COPY);
        KernelTimingDevice device = new KernelTimingDevice(sim, true);
        long compute = device.createStream();
        long copy = device.createStream();
        device.timeStream(compute);
        long memory = device.alloc(BYTES);

        device.zero(memory, BYTES, compute);
        assertEquals(0, device.busyNanos(), "timing is off");
        device.setTiming(true);
        device.zero(memory, BYTES, copy);
        device.synchronizeStream(copy);
        assertEquals(0, device.busyNanos(), "another stream's work is not timed");

        long wallStart = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            device.zero(memory, BYTES, compute);
            device.copyOnDevice(memory, memory, BYTES, compute);
        }
        long busy = device.busyNanos();
        long wall = System.nanoTime() - wallStart;
        assertTrue(busy > 0 && busy <= wall, "busy=" + busy + " wall=" + wall);
        device.setTiming(false);
        device.zero(memory, BYTES, compute);
        assertEquals(busy, device.busyNanos(), "timing is off again");
        List<String> rows = device.breakdown();
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("memset ") && r.contains(" 50 ")), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("copy device-to-device ") && r.contains(" 50 ")), rows.toString());
        device.free(memory);
        device.freeEvents();
    }

    @Test
    void shouldLeaveRunningWorkPendingUntilAskedAndThenWaitForAllOfIt() {
        SimulatedStreamsDevice sim = new SimulatedStreamsDevice(SimulatedStreamsDevice.Lazy.COMPUTE);
        KernelTimingDevice device = timingComputeStream(sim);
        long compute = COMPUTE_STREAM;
        long memory = device.alloc(BYTES);
        // More operations in flight than the initial ring holds, so it must grow without losing any.
        for (int i = 0; i < 150; i++) {
            device.zero(memory, BYTES, compute);
        }
        device.collect();
        assertEquals(3 * 150, sim.pending(compute), "collect() must not wait: every operation and event is still queued");
        assertTrue(device.busyNanos() > 0);
        assertEquals(0, sim.pending(compute), "busyNanos() waits for everything timed");
        assertEquals(2 * 150, sim.eventsCreated(), "one pair per operation in flight");
        device.free(memory);
        device.freeEvents();
    }

    @Test
    void shouldRecycleEventsOnceTheirOperationsHaveRun() {
        SimulatedStreamsDevice sim = new SimulatedStreamsDevice(SimulatedStreamsDevice.Lazy.COPY);
        KernelTimingDevice device = timingComputeStream(sim);
        long compute = COMPUTE_STREAM;
        long memory = device.alloc(BYTES);
        for (int i = 0; i < 1000; i++) {
            device.zero(memory, BYTES, compute);
            device.collect();
        }
        assertEquals(2, sim.eventsCreated(), "the compute stream runs eagerly here: one pair suffices");
        device.free(memory);
        device.freeEvents();
    }
}
