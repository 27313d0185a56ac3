package io.pinsage.engine.cli;

import io.pinsage.engine.util.StageProgress;

import java.io.PrintStream;

/**
 * A one-line progress bar redrawn in place ({@code \r}) on a terminal stream: an optional label, percentage, counts,
 * rate and time left. Redraws at most every 200 ms, and once at completion, which ends the line. On a stream that is
 * not a terminal (a file, a pipe) it prints the same text as a line of its own every ten seconds and at completion,
 * so a log keeps a few lines rather than every redraw. Thread-safe: workers may report at once and out of order; the
 * bar shows the largest count reported.
 */
final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final String label;
    private final String unit;
    private final boolean interactive;
    private final long start = System.nanoTime();
    private long lastDraw;
    /** Characters of the bar on the current line, which a message must cover; 0 when the line holds no bar. */
    private int barWidth;
    private long shown = -1;
    private boolean complete;

    ProgressBar(PrintStream out, String unit) {
        this(out, "", unit);
    }

    /** @param label printed before the bar, e.g. "hard negatives" (empty: none) */
    ProgressBar(PrintStream out, String label, String unit) {
        this(out, label, unit, Terminal.interactive());
    }

    /** @param interactive redraw in place (a terminal) rather than print a line every ten seconds */
    ProgressBar(PrintStream out, String label, String unit, boolean interactive) {
        this.out = out;
        this.label = label.isEmpty() ? "" : label + " ";
        this.unit = unit;
        this.interactive = interactive;
        // off a terminal the first line comes after one interval (or at completion), not at the first report
        this.lastDraw = interactive ? 0 : start;
    }

    /** Prints {@code line} on a line of its own, over the bar if one is drawn; the next update draws the bar again. */
    synchronized void message(String line) {
        out.print(barWidth > 0 ? "\r" + line + " ".repeat(Math.max(0, barWidth - line.length())) : line);
        out.println();
        out.flush();
        barWidth = 0;
        lastDraw = 0;
    }

    /** Bars on {@code out}, one per stage, labelled with the stage. */
    static StageProgress stages(PrintStream out) {
        return (stage, unit, total) -> {
            ProgressBar bar = new ProgressBar(out, stage, unit);
            return done -> bar.update(done, total);
        };
    }

    synchronized void update(long done, long total) {
        if (complete || done < shown) {
            return;
        }
        shown = done;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < (interactive ? REDRAW_NANOS : Terminal.LOG_INTERVAL_NANOS)) {
            return;
        }
        lastDraw = now;
        double fraction = total == 0 ? 1 : (double) done / total;
        int filled = (int) (fraction * WIDTH);
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 && done < total ? String.format(" ETA %.0f s", (total - done) / rate) : "";
        String bar = String.format("%s[%s%s] %3.0f%% %,d/%,d %s, %,.0f %s/s%s   ", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                100 * fraction, done, total, unit, rate, unit, eta);
        if (!interactive) {
            out.println(bar.stripTrailing());
            complete = done >= total;
            out.flush();
            return;
        }
        out.print("\r" + bar);
        barWidth = bar.length();
        if (done >= total) {
            complete = true;
            out.println();
            barWidth = 0;
        }
        out.flush();
    }
}
