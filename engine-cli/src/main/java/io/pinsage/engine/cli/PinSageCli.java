package io.pinsage.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code pinsage} command line. Each subcommand lives in its own class in this package and
 * is registered here; every one answers {@code --help}.
 */
@Command(name = "pinsage",
        mixinStandardHelpOptions = true,
        versionProvider = PinSageCli.Version.class,
        description = "PinSage and Pixie on the JVM: graph store, random walks, training, inference, serving.",
        footer = {"", "The ./pinsage launcher also runs: test [MAVEN ARGS...]  the whole test suite (mvn test with JDK 25), then"
                + " why tests were skipped; skipped  why tests were skipped in the last run."},
        subcommands = {
                CommandLine.HelpCommand.class,
                DoctorCommand.class,
                TrainCommand.class,
                SamplerCommand.class,
                EvaluateCommand.class,
                EmbedCommand.class,
                QuickstartCommand.class,
                GenerateCommand.class,
                BuildCommand.class,
                InfoCommand.class,
                VerifyCommand.class,
                WalkCommand.class,
                NeighborhoodsCommand.class,
                PruneCommand.class,
                IndexCommand.class,
                ServeCommand.class,
                BenchCommand.class,
        })
public final class PinSageCli implements Runnable {

    /**
     * jvector logs through java.util.logging, at INFO, which instruction set it picked and how many threads it uses:
     * the commands print what matters of it themselves; warnings still show. Held here, since JUL keeps its loggers
     * by weak reference and would forget the level.
     */
    private static final java.util.logging.Logger JVECTOR_LOG = java.util.logging.Logger.getLogger("io.github.jbellis.jvector");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // The transport logs through System.Logger, that is java.util.logging: its lines join the library's notes.
        JulBridge.install();
        JVECTOR_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(newCommandLine().execute(args));
    }

    /** A configured command line, shared by {@link #main} and tests. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new PinSageCli());
        CliErrors errors = new CliErrors();
        cli.setExecutionExceptionHandler(errors);
        cli.setParameterExceptionHandler(errors);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        for (String command : new String[] {"train", "sampler"}) {
            cli.getSubcommands().get(command).getCommandSpec().resourceBundle(TrainingOptions.helpDefaults());
        }
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Reports the version from the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PinSageCli.class.getPackage().getImplementationVersion();
            return new String[] {"pinsage " + (v == null ? "development" : v)};
        }
    }
}
