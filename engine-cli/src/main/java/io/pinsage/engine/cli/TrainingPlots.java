package io.pinsage.engine.cli;

import io.pinsage.engine.train.TrainingListener;
import io.pinsage.engine.train.TrainingLog;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The plots {@code loss.png} and {@code validation.png} beside a run's {@link TrainingLog}, redrawn from the whole
 * log after each epoch (so a resumed run's plots include the epochs before the restart). It must follow the log
 * (see {@link io.pinsage.engine.train.TrainingProgress}); each PNG is published by an atomic rename. Runs on the
 * trainer's thread; one redraw costs O(epochs) and some milliseconds.
 */
final class TrainingPlots implements TrainingListener {

    private final Path log;
    private final String metricName;
    private boolean plotting = true;

    TrainingPlots(Path log, String metricName) {
        this.log = log;
        this.metricName = metricName;
    }

    @Override
    public void epochDone(EpochStats stats) {
        if (!plotting) {
            return;
        }
        try {
            plotOrDisable();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Draws the plots; a runtime without the desktop module or a working AWT (a minimal jlink image, some
     * containers) turns plotting off with one warning instead of ending the run: the JSON-lines log is the record.
     */
    private void plotOrDisable() throws IOException {
        try {
            plot();
        } catch (UnsupportedOperationException headless) {
            disablePlots(headless);
        } catch (Error e) {
            // java.awt.AWTError is matched by name: naming the type would make this class need java.desktop to load
            if (!(e instanceof LinkageError) && !e.getClass().getName().equals("java.awt.AWTError")) {
                throw e;
            }
            disablePlots(e);
        }
    }

    private void disablePlots(Throwable cause) {
        plotting = false;
        System.err.println("training log: PNG plots turned off (" + cause + "); " + TrainingLog.FILE + " continues");
    }

    private void plot() throws IOException {
        List<Double> epochs = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            epochs.add(number(l, "epoch"));
            loss.add(number(l, "loss"));
            val.add(number(l, "validation"));
        }
        save(epochs, loss, "training loss", "loss", "loss.png");
        save(epochs, val, metricName, metricName, "validation.png");
    }

    private void save(List<Double> x, List<Double> y, String title, String series, String file) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle("epoch").yAxisTitle(series).build();
        chart.getStyler().setLegendVisible(false);
        chart.addSeries(series, x, y);
        Path dir = log.getParent();
        Path tmp = dir.resolve(file + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static double number(String json, String key) {
        int at = json.indexOf("\"" + key + "\":");
        int from = at + key.length() + 3;
        int to = from;
        while (to < json.length() && "-+.0123456789eE".indexOf(json.charAt(to)) >= 0) {
            to++;
        }
        return Double.parseDouble(json.substring(from, to));
    }
}
