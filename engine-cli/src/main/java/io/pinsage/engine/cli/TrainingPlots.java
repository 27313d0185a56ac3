package io.pinsage.engine.cli;

import io.pinsage.engine.pipeline.EpochEvaluation;
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
 * trainer's thread; one redraw costs O(epochs) and some milliseconds. {@link #drawRecall} draws {@code recall.png}
 * of {@code evaluate --per-epoch} in the same style.
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
        if (plotting) {
            plotting = drawOrWarn(this::plot, "training log", TrainingLog.FILE + " continues");
        }
    }

    /**
     * Draws {@code recall.png} in {@code dir}: the validation score training logged and the test recall of each kept
     * epoch, one curve each ({@code evaluate --per-epoch}); an epoch the log lacks has no validation point.
     */
    static void drawRecall(Path dir, List<EpochEvaluation> evaluations) {
        List<Double> epochs = new ArrayList<>();
        List<Double> test = new ArrayList<>();
        List<Double> valEpochs = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (EpochEvaluation e : evaluations) {
            epochs.add((double) e.epoch());
            test.add(e.test().recall());
            if (!Double.isNaN(e.validation())) {
                valEpochs.add((double) e.epoch());
                val.add(e.validation());
            }
        }
        String recall = "recall@" + evaluations.getFirst().test().k();
        List<Series> series = new ArrayList<>();
        if (!val.isEmpty()) {
            series.add(new Series(evaluations.getFirst().validationMetric(), valEpochs, val));
        }
        series.add(new Series("test " + recall, epochs, test));
        drawOrWarn(() -> save(dir, "recall.png", "validation and test " + recall, recall, series), "recall.png",
                EpochEvaluation.FILE + " holds the figures");
    }

    /** A curve of a plot: its legend name and points. */
    private record Series(String name, List<Double> x, List<Double> y) {
    }

    /** Something that draws plots and may fail as {@link #drawOrWarn} says. */
    private interface Drawing {
        void draw() throws IOException;
    }

    /**
     * Draws; a runtime without the desktop module or a working AWT (a minimal jlink image, some containers) skips the
     * plot with one warning, {@code what}: why; {@code instead}, rather than ending the command: the JSON-lines files
     * are the record.
     *
     * @return whether it drew
     */
    private static boolean drawOrWarn(Drawing drawing, String what, String instead) {
        Throwable headless;
        try {
            drawing.draw();
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UnsupportedOperationException e) {
            headless = e;
        } catch (Error e) {
            // java.awt.AWTError is matched by name: naming the type would make this class need java.desktop to load
            if (!(e instanceof LinkageError) && !e.getClass().getName().equals("java.awt.AWTError")) {
                throw e;
            }
            headless = e;
        }
        System.err.println(what + ": PNG plots turned off (" + headless + "); " + instead);
        return false;
    }

    private void plot() throws IOException {
        List<Double> epochs = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (TrainingLog.Entry e : TrainingLog.read(log.getParent())) {
            epochs.add((double) e.epoch());
            loss.add(e.loss());
            val.add(e.validation());
        }
        save(log.getParent(), "loss.png", "training loss", "loss", List.of(new Series("loss", epochs, loss)));
        save(log.getParent(), "validation.png", metricName, metricName, List.of(new Series(metricName, epochs, val)));
    }

    private static void save(Path dir, String file, String title, String yTitle, List<Series> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(series.size() > 1);
        for (Series s : series) {
            chart.addSeries(s.name(), s.x(), s.y());
        }
        Path tmp = dir.resolve(file + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
