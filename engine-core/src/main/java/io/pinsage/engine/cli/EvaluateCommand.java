package io.pinsage.engine.cli;

import io.pinsage.engine.data.LightGcnDataset;
import io.pinsage.engine.eval.RankingMetrics;
import io.pinsage.engine.pipeline.LightGcnRecommender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Evaluates a trained model on a dataset's test split and prints {@code recall@20=R ndcg@20=N}. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate MODEL_DIR on a dataset's test split (LightGCN protocol: all items ranked, train items "
                + "masked) and print 'recall@20=R ndcg@20=N'.")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "model directory written by train")
    Path model;

    @Option(names = "--dataset", required = true, description = "KIND:PATH, the dataset the model was trained on")
    String dataset;

    @Option(names = "--threads", description = "threads; default: all cores")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        DatasetSpec spec = DatasetSpec.parse(dataset);
        if (!spec.kind().equals("lightgcn")) {
            throw new IllegalArgumentException("dataset=" + dataset + ": evaluate supports lightgcn:DIR");
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        RankingMetrics m = LightGcnRecommender.evaluate(model, LightGcnDataset.load(spec.path()), t);
        System.out.println(m.summaryLine());
        return 0;
    }
}
