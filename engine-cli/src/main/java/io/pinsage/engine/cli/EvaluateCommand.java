package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.eval.PairRankingMetrics;
import io.pinsage.engine.eval.RankingMetrics;
import io.pinsage.engine.pipeline.EpochEvaluation;
import io.pinsage.engine.pipeline.LightGcnRecommender;
import io.pinsage.engine.pipeline.PinBoardRecommender;
import io.pinsage.nn.backend.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Evaluates a trained model on a dataset's test split: {@code lightgcn:DIR} with the LightGCN protocol, printing
 * {@code recall@20=R ndcg@20=N}; {@code store:DIR} (or {@code synthetic:DIR}) with the PinSage protocol on the store's held-out pairs (the
 * candidate pool of {@code train}'s comparison table), printing {@code hit@10=H mrr=M}. With {@code --per-epoch}
 * ({@code lightgcn:DIR}), every epoch's model that {@code train --keep-epochs} kept first, one line each beside the
 * epoch's validation score, then {@code recall.png} and {@code test-by-epoch.jsonl} in the model directory.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate MODEL_DIR on a dataset's test split. lightgcn:DIR: LightGCN protocol (all items ranked, train "
                + "items masked), prints 'recall@20=R ndcg@20=N'. store:DIR (or synthetic:DIR): PinSage protocol (each held-out pair's "
                + "positive ranked among 1,000 random pins), prints 'hit@10=H mrr=M'.")
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    DeviceOption device;

    @Option(names = "--model", required = true, description = "model directory written by train")
    Path model;

    @Option(names = "--dataset", required = true, description = "KIND:PATH, the dataset the model was trained on")
    String dataset;

    @Option(names = "--threads", description = "threads; default: all cores")
    Integer threads;

    @Option(names = "--per-epoch", description = "lightgcn:DIR only: first evaluate every epoch's model that train "
            + "--keep-epochs kept, printing 'epoch N recall@20=R ndcg@20=N (val recall@20=V)' (V from the training log), "
            + "then draw MODEL_DIR/recall.png (validation and test recall@20 per epoch) and write MODEL_DIR/"
            + "test-by-epoch.jsonl; the final line is model.bin's as without it")
    boolean perEpoch;

    @Override
    public Integer call() throws Exception {
        DatasetSpec spec = DatasetSpec.parse(dataset);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (spec.isStore()) {
            if (perEpoch) {
                throw new IllegalArgumentException("--per-epoch: lightgcn:DIR datasets only; a store:DIR run keeps no "
                        + "epoch's model (train --keep-epochs is for lightgcn:DIR too)");
            }
            PairRankingMetrics m;
            try (GraphStore store = GraphStore.open(spec.path()); Backend backend = device.open()) {
                m = new PinBoardRecommender(store, PinBoardRecommender.Options.defaults(t), backend).evaluate(model, "PinSage").metrics();
            }
            System.out.println(m.summaryLine());
            return 0;
        }
        LightGcnDataset data = LightGcnDataset.load(spec.path());
        RankingMetrics m;
        try (Backend backend = device.open()) {
            if (perEpoch) {
                List<EpochEvaluation> epochs = LightGcnRecommender.evaluateEpochs(model, data, backend, t,
                        e -> System.out.println(e.summaryLine()));
                TrainingPlots.drawRecall(model, epochs);
            }
            m = LightGcnRecommender.evaluate(model, data, backend, t);
        }
        System.out.println(m.summaryLine());
        return 0;
    }
}
