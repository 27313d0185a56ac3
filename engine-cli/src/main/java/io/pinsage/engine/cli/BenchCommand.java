package io.pinsage.engine.cli;

import picocli.CommandLine.Command;

/** Groups the scale benchmarks; each is a subcommand. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Scale benchmarks that report ratios against limits measured in the same run.",
        subcommands = {BenchBuildCommand.class, BenchWalksCommand.class, BenchTrainStepCommand.class, BenchPruneQualityCommand.class,
                BenchRpcCommand.class, BenchServeCommand.class, BenchIndexCommand.class, BenchCompactCommand.class,
                BenchPipelineCommand.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
