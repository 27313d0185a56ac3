package io.pinsage.engine.train;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine-readable training log: one JSON object per epoch appended to {@code training-log.jsonl}
 * ({@code epoch, loss, validation, lr_scale, seconds, wait_fraction, hard_negatives, improved}), and after each
 * epoch the plots {@code loss.png} and {@code validation.png} redrawn from the whole log (so a resumed run's
 * plots include the epochs before the restart).
 */
public final class TrainingLog implements TrainingListener {

    /** Log file name inside the model directory. */
    public static final String FILE = "training-log.jsonl";

    private final Path dir;
    private final String metricName;

    private boolean plotting = true;

    public TrainingLog(Path dir, String metricName) {
        this.dir = dir;
        this.metricName = metricName;
    }

    @Override
    public void epochDone(EpochStats s) {
        String line = String.format(Locale.ROOT,
                "{\"epoch\":%d,\"loss\":%.6f,\"validation\":%.6f,\"metric\":\"%s\",\"lr_scale\":%.6f,\"seconds\":%.3f,"
                        + "\"wait_fraction\":%.5f,\"device_idle_fraction\":%.5f,\"hard_negatives\":%d,\"improved\":%b}%n",
                s.epoch(), s.meanLoss(), s.validation(), metricName, s.lrScale(), s.seconds(), s.waitFraction(),
                s.deviceIdleFraction(), s.hardNegativesPerQuery(), s.improved());
        try {
            Files.writeString(dir.resolve(FILE), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (plotting) {
                plotOrDisable();
            }
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
        System.err.println("training log: PNG plots turned off (" + cause + "); " + FILE + " continues");
    }

    private void plot() throws IOException {
        List<Double> epochs = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (String l : Files.readAllLines(dir.resolve(FILE))) {
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
        Path tmp = dir.resolve(file + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
