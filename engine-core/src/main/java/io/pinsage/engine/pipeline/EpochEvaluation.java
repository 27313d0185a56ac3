package io.pinsage.engine.pipeline;

import io.pinsage.csr.format.FileWrites;
import io.pinsage.engine.eval.RankingMetrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * One kept epoch's model scored on the test split ({@link LightGcnRecommender#evaluateEpochs}), beside the validation
 * score training logged for that epoch, which chose the final model; the test figures never reach training.
 *
 * @param epoch            the epoch, 1-based, as the training log counts it
 * @param test             recall and NDCG on the test split
 * @param validation       the training log's validation score of the epoch, NaN when the log lacks the epoch
 * @param validationMetric what that score is, e.g. {@code val recall@20}
 */
public record EpochEvaluation(int epoch, RankingMetrics test, double validation, String validationMetric) {

    /** The file of a model directory that holds every epoch's evaluation, one JSON object per line. */
    public static final String FILE = "test-by-epoch.jsonl";

    /** {@code epoch N recall@20=R ndcg@20=N (val recall@20=V)}, four decimals; {@code n/a} for a score the log lacks. */
    public String summaryLine() {
        return String.format(Locale.ROOT, "epoch %d %s (%s=%s)", epoch, test.summaryLine(), validationMetric,
                Double.isNaN(validation) ? "n/a" : String.format(Locale.ROOT, "%.4f", validation));
    }

    /**
     * Publishes {@code evaluations} as {@link #FILE} in {@code dir}, replacing the previous file atomically: per line
     * {@code epoch, k, recall, ndcg, users} (with a test item) of the test split, and {@code validation} (null where the log
     * lacks it) with its {@code metric}.
     */
    static void write(Path dir, List<EpochEvaluation> evaluations) throws IOException {
        StringBuilder out = new StringBuilder();
        for (EpochEvaluation e : evaluations) {
            RankingMetrics t = e.test;
            out.append(String.format(Locale.ROOT, "{\"epoch\":%d,\"k\":%d,\"recall\":%.6f,\"ndcg\":%.6f,\"users\":%d,"
                    + "\"validation\":%s,\"metric\":\"%s\"}%n", e.epoch, t.k(), t.recall(), t.ndcg(), t.users(),
                    Double.isNaN(e.validation) ? "null" : String.format(Locale.ROOT, "%.6f", e.validation), e.validationMetric));
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        FileWrites.writeString(tmp, out.toString());
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
