package io.pinsage.engine;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Waiting, bounded, for something another thread makes true: background compactions, followers, fresh pins. */
public final class Eventually {

    private Eventually() {
    }

    /** Polls {@code done} every 2 ms for up to 30 s, then fails naming {@code what} if it is still false. */
    public static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(done.getAsBoolean(), "not within 30 s: " + what);
    }
}
