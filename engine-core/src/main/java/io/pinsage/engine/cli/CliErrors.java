package io.pinsage.engine.cli;

import picocli.CommandLine;

/**
 * Turns exceptions escaping a command into one clear line on stderr and exit code 2 for bad input or
 * configuration; other failures keep their stack trace (they are bugs). Set {@code -Dpinsage.stacktrace=true}
 * to see the trace of any error.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {

    static final int BAD_INPUT = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (!isUserError(e) || Boolean.getBoolean("pinsage.stacktrace")) {
            throw e;
        }
        cli.getErr().println("error: " + e.getMessage());
        return BAD_INPUT;
    }

    private static boolean isUserError(Throwable e) {
        return e instanceof IllegalArgumentException
                || e instanceof java.io.IOException
                || e instanceof java.io.UncheckedIOException
                || e.getClass().getSimpleName().startsWith("Corrupt");
    }
}
