package io.pinsage.engine.cli;

import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingProgress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress bars on a terminal stream (stderr): one line per epoch, redrawn in place at most ten times a second
 * with the batch count and running loss, then replaced by the epoch's summary. On a stream that is not a terminal
 * (a file, a pipe) the same line is printed on a line of its own every ten seconds instead, then the summary.
 */
public final class ConsoleProgress implements TrainingListener {

    private final PrintStream out;
    private final int epochs;
    private final String metricName;
    private final boolean interactive;
    private long lastDraw;
    private double lossSum;
    private int lossCount;

    /** @param metricName the validation metric's name in summaries, e.g. "val recall@20" */
    public ConsoleProgress(PrintStream out, int epochs, String metricName) {
        this(out, epochs, metricName, Terminal.interactive());
    }

    /** @param interactive redraw in place (a terminal) rather than print a line every ten seconds */
    public ConsoleProgress(PrintStream out, int epochs, String metricName, boolean interactive) {
        this.out = out;
        this.epochs = epochs;
        this.metricName = metricName;
        this.interactive = interactive;
        // off a terminal the first line comes after one interval, not at the first batch
        this.lastDraw = interactive ? 0 : System.nanoTime();
    }

    /** The command line's view of a training run: a bar on {@code out}, then the plots redrawn beside the run's log. */
    static TrainingProgress withPlots(PrintStream out) {
        return (epochs, metricName, log) -> TrainingListener.of(new ConsoleProgress(out, epochs, metricName),
                new TrainingPlots(log, metricName));
    }

    @Override
    public void batchDone(int epoch, int batch, int batches, double loss) {
        lossSum += loss;
        lossCount++;
        long now = System.nanoTime();
        // off a terminal the epoch's summary follows at once, so its last batch needs no line of its own
        boolean last = batch + 1 >= batches;
        if (interactive ? now - lastDraw < 100_000_000L && !last : now - lastDraw < Terminal.LOG_INTERVAL_NANOS || last) {
            return;
        }
        lastDraw = now;
        int width = 30;
        int filled = (int) ((long) (batch + 1) * width / batches);
        String line = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d loss %.4f ", epoch + 1, epochs,
                "#".repeat(filled), " ".repeat(width - filled), batch + 1, batches, lossSum / lossCount);
        if (interactive) {
            out.print("\r" + line);
        } else {
            out.println(line.stripTrailing());
        }
        out.flush();
    }

    @Override
    public void epochDone(EpochStats s) {
        lossSum = 0;
        lossCount = 0;
        out.print(String.format(Locale.ROOT, (interactive ? "\r%-80s\r" : "%s") + "epoch %d/%d loss %.4f %s %.4f%s  %.1fs  trainer waiting %.1f%%  device idle %.1f%%  hard negatives %d%n",
                "", s.epoch(), epochs, s.meanLoss(), metricName, s.validation(), s.improved() ? " (best)" : "", s.seconds(),
                100 * s.waitFraction(), 100 * s.deviceIdleFraction(), s.hardNegativesPerQuery()));
        out.flush();
    }
}
