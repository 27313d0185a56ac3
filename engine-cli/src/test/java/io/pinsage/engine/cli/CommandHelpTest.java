package io.pinsage.engine.cli;

import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.pipeline.RecommenderOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command's {@code --help}: what happens when an option is left out. */
class CommandHelpTest {

    private static final Pattern NO_VALUE = Pattern.compile("default:? *(null|\\$\\{)");

    @Test
    void shouldShowTheDefaultOfEveryOptionalOptionThatTakesAValue() {
        List<String> missing = new ArrayList<>();
        visit(PinSageCli.newCommandLine(), missing);
        assertTrue(missing.isEmpty(), "options whose --help says nothing of their default:\n" + String.join("\n", missing));
    }

    @Test
    void shouldShowTheEpochsTrainRunsOnEachKindOfDataset() {
        String help = PinSageCli.newCommandLine().getSubcommands().get("train").getUsageMessage(CommandLine.Help.Ansi.OFF)
                .replaceAll("\\s+", " ");
        int lightgcn = RecommenderOptions.defaults(1).training().epochs();
        int synthetic = PinBoardRecommender.Options.defaults(1).training().epochs();
        assertTrue(help.contains("(default: until validation stops improving, at most " + lightgcn + " on lightgcn data; "
                + synthetic + " on synthetic data)"), help);
        assertTrue(help.contains("pairs per minibatch (default: " + RecommenderOptions.defaults(1).training().batchSize() + ")"),
                help);
    }

    @Test
    void shouldSayWhatTrainingWithoutConvolveLayersIs() {
        for (String command : new String[] {"train", "sampler"}) {
            String help = PinSageCli.newCommandLine().getSubcommands().get(command)
                    .getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
            assertTrue(help.contains("--layers=<layers> CONVOLVE layers K; 0: none, each node embedded from its own id "
                    + "embedding and log-degree through G1 and G2 (matrix factorisation with the same loss; no "
                    + "neighbourhoods are built); lightgcn:DIR only (default: " + RecommenderOptions.defaults(1).layers()
                    + ")"), command + ": " + help);
        }
    }

    /** Collects, for {@code cli} and its subcommands, each option taking a value that is optional and says no default. */
    private static void visit(CommandLine cli, List<String> missing) {
        String name = cli.getCommandSpec().qualifiedName();
        for (OptionSpec o : cli.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp() || o.required() || o.arity().max() == 0) {
                continue;
            }
            String text = String.join(" ", o.description());
            if (!text.toLowerCase(Locale.ROOT).contains("default") || NO_VALUE.matcher(text).find()) {
                missing.add(name + " " + o.longestName() + ": " + text);
            }
        }
        cli.getSubcommands().values().forEach(sub -> visit(sub, missing));
    }
}
