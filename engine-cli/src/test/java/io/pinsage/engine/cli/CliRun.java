package io.pinsage.engine.cli;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Runs the command line in-process for tests, capturing its exit code, stdout, error writer ({@code err}: the
 * one-line errors) and what the command printed on System.err ({@code console}: progress, choices, notes).
 */
record CliRun(int code, String out, String err, String console) {

    static CliRun run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            // built after the swap: picocli's default strategy replaces the error writer when System.err changed since
            CommandLine cli = PinSageCli.newCommandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));
            int code = cli.execute(args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(), console.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
