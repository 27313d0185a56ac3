package io.pinsage.engine.cli;

import picocli.CommandLine.Command;

/** Groups the scale benchmarks ({@code pinsage bench <suite>}); each suite is its own subcommand class. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Scale benchmarks that print figures and ratios against limits measured in the same run.",
        subcommands = {BenchWalksCommand.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
