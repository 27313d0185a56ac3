package io.pinsage.engine.train;

import io.pinsage.nn.model.PinSageModel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model of every epoch that a run keeps when asked ({@link Trainer#keepEpochs}): {@code epochs/epoch-NNN.bin} in
 * its output directory, NNN the epoch's 1-based number as the training log counts it (three digits at least), each a
 * whole model file ({@link PinSageModel#save}, published atomically). A file holds every parameter, so its size is
 * about 4 bytes per id-table row and embedding width (the nodes × {@code embedDim} table) plus the dense weights: for
 * 64-wide models the id table is nearly all of it, 256 bytes per node.
 *
 * <p>The trainer writes epoch e's file before the checkpoint that ends epoch e: a run killed between the two trains
 * epoch e again when it resumes and writes the same file again (resuming is exact), so a directory holds each epoch
 * at most once, and a resumed run goes on numbering where its checkpoint stands. Epochs trained without the option,
 * before a resume that gives it, have no file. Stateless; {@link #list} reads one directory listing.
 */
public final class EpochSnapshots {

    /** The folder inside the output directory. */
    public static final String DIR = "epochs";

    private static final Pattern NAME = Pattern.compile("epoch-(\\d{3,9})\\.bin");

    private EpochSnapshots() {
    }

    /** One kept model: its epoch (1-based) and file. */
    public record Snapshot(int epoch, Path file) {
    }

    /** The file of epoch {@code epoch} (1-based) of a run into {@code outDir}. */
    public static Path file(Path outDir, int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch=" + epoch + ": epochs count from 1");
        }
        return outDir.resolve(DIR).resolve(String.format(Locale.ROOT, "epoch-%03d.bin", epoch));
    }

    /**
     * The kept models of a run into {@code outDir}, by epoch; empty when it kept none. Other files in the folder
     * (a write's temporary sibling left by a crash) are not snapshots and are skipped.
     */
    public static List<Snapshot> list(Path outDir) throws IOException {
        Path dir = outDir.resolve(DIR);
        List<Snapshot> kept = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return kept;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                int epoch = m.matches() ? Integer.parseInt(m.group(1)) : 0;
                // only the name file() gives its number: epoch-0001.bin would be a second epoch 1
                if (epoch >= 1 && file(outDir, epoch).getFileName().equals(f.getFileName())) {
                    kept.add(new Snapshot(epoch, f));
                }
            }
        }
        kept.sort(Comparator.comparingInt(Snapshot::epoch));
        return kept;
    }

    /** Writes {@code model} as epoch {@code epoch}'s file, replacing one of that epoch atomically. */
    static void save(Path outDir, int epoch, PinSageModel model) throws IOException {
        Path file = file(outDir, epoch);
        Files.createDirectories(file.getParent());
        model.save(file);
    }
}
