package io.pinsage.engine.cli;

import java.io.Console;

/**
 * Whether progress may be redrawn in place. On a terminal a bar is one line rewritten with {@code \r}; written to a
 * file or a pipe (a CI log, {@code 2> log}), every redraw would stay, so progress there is a plain line now and then.
 */
public final class Terminal {

    /** Seconds between progress lines when the stream is not a terminal. */
    public static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private Terminal() {
    }

    /** True when this process's standard streams are attached to a terminal. */
    public static boolean interactive() {
        Console c = System.console();
        return c != null && c.isTerminal();
    }
}
