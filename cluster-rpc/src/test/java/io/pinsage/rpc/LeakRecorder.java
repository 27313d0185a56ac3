package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Turns Netty's leak reports into test failures. Netty only logs a leak, and only when a later allocation finds the
 * collected buffer; {@link #assertNoLeaks} collects garbage, allocates until the detectors have looked, and fails
 * with every report. Installed before any buffer class loads: every test class touches this class first.
 */
@SuppressWarnings("deprecation") // the factory's one abstract method is the deprecated one
final class LeakRecorder {

    private static final List<String> LEAKS = new ArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected boolean needReport() {
                        return true;
                    }

                    @Override
                    protected void reportTracedLeak(String type, String records) {
                        record(type + records);
                    }

                    @Override
                    protected void reportUntracedLeak(String type) {
                        record(type);
                    }
                };
            }
        });
    }

    private LeakRecorder() {
    }

    /** Loads the class, installing the recorder; call from each test class's static initialiser. */
    static void install() {
    }

    private static synchronized void record(String leak) {
        LEAKS.add(leak);
    }

    /** Fails when any buffer allocated so far was collected without being released. */
    static void assertNoLeaks() throws InterruptedException {
        System.gc();
        // Collected buffers reach the detector's queue after the collection, not during it.
        Thread.sleep(10);
        for (int i = 0; i < 64; i++) {
            ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(8);
            ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
            a.release();
            b.release();
        }
        synchronized (LeakRecorder.class) {
            if (!LEAKS.isEmpty()) {
                String all = String.join("\n", LEAKS);
                LEAKS.clear();
                fail("leaked buffers:\n" + all);
            }
        }
    }
}
