package io.pinsage.engine.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress bars on a terminal stream (stderr): one line per epoch, redrawn in place at most ten times a second
 * with the batch count and running loss, then replaced by the epoch's summary.
 */
public final class ConsoleProgress implements TrainingListener {

    private final PrintStream out;
    private final int epochs;
    private final String metricName;
    private long lastDraw;
    private double lossSum;
    private int lossCount;

    /** @param metricName the validation metric's name in summaries, e.g. "val recall@20" */
    public ConsoleProgress(PrintStream out, int epochs, String metricName) {
        this.out = out;
        this.epochs = epochs;
        this.metricName = metricName;
    }

    @Override
    public void batchDone(int epoch, int batch, int batches, double loss) {
        lossSum += loss;
        lossCount++;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && batch + 1 < batches) {
            return;
        }
        lastDraw = now;
        int width = 30;
        int filled = (int) ((long) (batch + 1) * width / batches);
        out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d loss %.4f ", epoch + 1, epochs,
                "#".repeat(filled), " ".repeat(width - filled), batch + 1, batches, lossSum / lossCount));
        out.flush();
    }

    @Override
    public void epochDone(EpochStats s) {
        lossSum = 0;
        lossCount = 0;
        out.print(String.format(Locale.ROOT, "\r%-80s\repoch %d/%d loss %.4f %s %.4f%s  %.1fs  trainer waiting %.1f%%  device idle %.1f%%  hard negatives %d%n",
                "", s.epoch(), epochs, s.meanLoss(), metricName, s.validation(), s.improved() ? " (best)" : "", s.seconds(),
                100 * s.waitFraction(), 100 * s.deviceIdleFraction(), s.hardNegativesPerQuery()));
        out.flush();
    }
}
