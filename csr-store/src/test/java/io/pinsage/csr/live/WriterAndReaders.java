package io.pinsage.csr.live;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNull;

/** Runs a concurrency test's writer and readers to their end and fails with the first thing any of them threw. */
final class WriterAndReaders {

    private WriterAndReaders() {
    }

    /**
     * Starts {@code writer} and {@code readers}, waits for all of them, then asserts that none recorded a failure
     * in {@code failure} (the message starts with {@code tag}, the seed).
     */
    static void run(Thread writer, List<Thread> readers, AtomicReference<Throwable> failure, String tag)
            throws InterruptedException {
        writer.start();
        readers.forEach(Thread::start);
        writer.join();
        for (Thread t : readers) {
            t.join();
        }
        assertNull(failure.get(), () -> tag + failure.get());
    }
}
