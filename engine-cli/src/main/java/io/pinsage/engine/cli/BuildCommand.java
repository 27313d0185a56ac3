package io.pinsage.engine.cli;

import io.pinsage.csr.EdgeListIngest;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IngestListener;
import io.pinsage.csr.IngestOptions;
import io.pinsage.csr.IngestReport;
import io.pinsage.csr.InputFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Builds a graph store from edge-list files, with a progress bar (bytes of the input read) and warnings on stderr. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build a graph store from edge lists: TSV/CSV 'left right [weight] [timestamp]' or LightGCN 'user item item ...' (users are the right side), plain or .gz.")
final class BuildCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, arity = "1..*", description = "Input files, read in order.")
    List<Path> inputs;

    @Option(names = "--format", required = true, description = "${COMPLETION-CANDIDATES}")
    InputFormat format;

    @Option(names = "--out", required = true, description = "Store directory (a previous store there is replaced atomically).")
    Path out;

    @Option(names = "--ids", description = "Node ids: long (64-bit integers), string, or dense (already 0..n-1, no id map). Default ${DEFAULT-VALUE}.")
    IdKind ids = IdKind.LONG;

    @Option(names = "--weighted", description = "Use the weight column (TSV/CSV); without it the column is ignored (with one warning).")
    boolean weighted;

    @Option(names = "--skip-bad-lines", description = "Count and skip malformed lines instead of failing on the first.")
    boolean skipBadLines;

    @Option(names = "--left-features", description = "Left-node features: .npy (one row per dense id) or TSV 'id<TAB>v1<TAB>...' (default: none).")
    Path leftFeatures;

    @Option(names = "--right-features", description = "Right-node features, as --left-features (default: none).")
    Path rightFeatures;

    @Mixin
    BuildOptionsMixin build;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        ProgressBar bar = new ProgressBar(System.err, "bytes");
        IngestListener listener = new IngestListener() {
            @Override
            public void progress(long bytesRead, long bytesTotal) {
                bar.update(bytesRead, bytesTotal);
                if (bytesRead == bytesTotal) {
                    System.err.println("input read; sorting and writing the CSR files");
                }
            }

            @Override
            public void warning(String message) {
                bar.message("warning: " + message);
            }
        };
        IngestReport r = EdgeListIngest.ingest(inputs, out, new IngestOptions(format, ids, weighted, skipBadLines), build.options(),
                new Path[] {leftFeatures, rightFeatures}, listener);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("read %,d lines, %,d edges in %.1f s%n", r.lines(), r.build().edgesIn(), s);
        if (r.skippedLines() > 0) {
            System.out.printf("skipped %,d bad lines; first: %s%n", r.skippedLines(), r.firstSkipped());
        }
        try (GraphStore store = GraphStore.open(out)) {
            StoreReport.print(store, System.out);
        }
        return 0;
    }
}
