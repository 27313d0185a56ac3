package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.engine.train.BatchSupply;
import io.pinsage.nn.backend.Backend;
import io.pinsage.walk.NeighborhoodKind;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparison on a pin–board store that quickstart and {@code train --dataset synthetic:DIR} print: content-only
 * nearest neighbours, Pixie and PinSage ranked on the store's held-out pairs, optionally with the two ablations
 * (uniform neighbourhoods; no curriculum hard negatives) and their deltas.
 */
final class SyntheticComparison {

    private SyntheticComparison() {
    }

    /**
     * Options for a command line: the defaults on {@code threads} threads, with the epoch cap and the hard-negative
     * band ({@code FROM-TO}) replaced where given (null: keep the default).
     */
    static PinBoardRecommender.Options options(int threads, Integer epochs, String hardBand) {
        PinBoardRecommender.Options o = PinBoardRecommender.Options.defaults(threads);
        if (hardBand != null) {
            o = o.withHardBand(TrainingOptions.hardBand(hardBand, o.hardBand().stepsPerRank()));
        }
        if (epochs != null) {
            o = o.with(o.training().withEpochs(epochs));
        }
        return o;
    }

    /**
     * Trains on the store at {@code storeDir} and prints the comparison on {@code out}, progress on {@code err}.
     *
     * @param verify first verify every checksum of the store (a sequential read, far shorter than the training),
     *               unless the caller has just done so
     */
    static void run(Path storeDir, Path modelDir, PinBoardRecommender.Options o, boolean ablations, boolean verify, Backend backend,
                    PrintStream out, PrintStream err) throws Exception {
        run(storeDir, modelDir, o, ablations, verify, backend, BatchSupply.LOCAL, out, err);
    }

    /**
     * As above, PinSage's minibatches built by {@code supply}; the ablations, when asked for, train with sampler
     * threads of this process.
     */
    static void run(Path storeDir, Path modelDir, PinBoardRecommender.Options o, boolean ablations, boolean verify, Backend backend,
                    BatchSupply supply, PrintStream out, PrintStream err) throws Exception {
        try (GraphStore store = GraphStore.open(storeDir)) {
            if (verify) {
                StoreChecks.verifyAll(store, err);
            }
            PinBoardRecommender rec = new PinBoardRecommender(store, o, backend, ProgressBar.stages(err));
            Path uniformDir = modelDir.resolveSibling("model-uniform");
            Path noHardDir = modelDir.resolveSibling("model-no-hard");
            // before the baselines, so that a directory of another store fails at once
            rec.checkModelDirectory(modelDir, NeighborhoodKind.WALK, o.training().maxHardNegatives());
            if (ablations) {
                rec.checkModelDirectory(uniformDir, NeighborhoodKind.UNIFORM, o.training().maxHardNegatives());
                rec.checkModelDirectory(noHardDir, NeighborhoodKind.WALK, 0);
            }
            out.println("hard-negative band: " + rec.hardBand() + (rec.hardBand().equals(o.hardBand()) ? ""
                    : ", the asked " + o.hardBand().from() + "-" + o.hardBand().to() + " scaled to the graph's pins"));
            List<PinBoardRecommender.Row> rows = new ArrayList<>();
            rows.add(rec.contentBaseline());
            rows.add(rec.pixieBaseline(20_000));
            PinBoardRecommender.Row pinsage = rec.trainAndEvaluate("PinSage (walk neighbourhoods, curriculum)",
                    NeighborhoodKind.WALK, o.training().maxHardNegatives(), modelDir, ConsoleProgress.withPlots(err), supply);
            rows.add(pinsage);
            if (ablations) {
                PinBoardRecommender.Row uniform = rec.trainAndEvaluate("ablation: uniform 2-hop neighbourhoods",
                        NeighborhoodKind.UNIFORM, o.training().maxHardNegatives(), uniformDir, ConsoleProgress.withPlots(err));
                PinBoardRecommender.Row noHard = rec.trainAndEvaluate("ablation: no hard negatives",
                        NeighborhoodKind.WALK, 0, noHardDir, ConsoleProgress.withPlots(err));
                rows.add(uniform);
                rows.add(noHard);
                printTable(out, rows, o.k());
                out.printf(Locale.ROOT, "walk vs uniform neighbourhoods: hit@%d %+.4f, MRR %+.4f%n", o.k(),
                        pinsage.metrics().hitRate() - uniform.metrics().hitRate(), pinsage.metrics().mrr() - uniform.metrics().mrr());
                out.printf(Locale.ROOT, "curriculum hard negatives vs none: hit@%d %+.4f, MRR %+.4f%n", o.k(),
                        pinsage.metrics().hitRate() - noHard.metrics().hitRate(), pinsage.metrics().mrr() - noHard.metrics().mrr());
            } else {
                printTable(out, rows, o.k());
            }
            out.printf(Locale.ROOT, "(%d held-out pairs, each positive ranked among %d random pins; MRR is plain 1/rank)%n",
                    rows.get(0).metrics().pairs(), o.poolSize());
        }
    }

    /** Prints the comparison table, its first column as wide as the longest method's name. */
    private static void printTable(PrintStream out, List<PinBoardRecommender.Row> rows, int k) {
        int width = rows.stream().mapToInt(r -> r.method().length()).reduce("method".length(), Math::max);
        out.printf(Locale.ROOT, "%-" + width + "s %8s %8s %9s%n", "method", "hit@" + k, "MRR", "seconds");
        for (PinBoardRecommender.Row r : rows) {
            out.printf(Locale.ROOT, "%-" + width + "s %8.4f %8.4f %9.1f%n", r.method(), r.metrics().hitRate(), r.metrics().mrr(),
                    r.seconds());
        }
    }
}
