package io.pinsage.csr;

import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reads edge lists (TSV, CSV or LightGCN; plain or gzip, recognised by a {@code .gz} suffix; several files in
 * order) into a new generation of a graph store, mapping external ids to dense ids ({@link IdMapWriter}) unless
 * they are dense already. Blank lines and lines starting with {@code #} are ignored, and so is a UTF-8 byte-order
 * mark at the start of a file. The timestamp column of TSV/CSV is checked to be an integer and not stored; without
 * {@link IngestOptions#weighted()} the weight column is not read at all, which the {@link IngestListener} hears once.
 * Reading progress (bytes of the input files) goes to the listener too.
 *
 * <p>Edges stream into a {@link CsrBuilder}, so memory is bounded by its budget plus the id maps. Parsing runs
 * on the calling thread (ids are numbered in order of first appearance, which needs one order); the builder's
 * sort passes use its threads.
 *
 * <p>Errors: a malformed line throws {@link BadInputException} with file:line, the text and what was expected
 * (or is counted and skipped with {@link IngestOptions#skipBadLines()}); input without a single edge, and a gzip
 * file that is damaged or ends early (naming the line reached), throw {@link BadInputException}. In every failure the publication is abandoned and the previous store stays.
 */
public final class EdgeListIngest {

    private static final Pattern WHITESPACE = Pattern.compile("[ \t]+");
    private static final char BYTE_ORDER_MARK = '\uFEFF';
    /** Lines between progress reports: often enough for a smooth bar, rare enough to cost nothing. */
    private static final int PROGRESS_LINES = 1 << 14;

    private final IngestOptions options;
    private final IngestListener listener;
    private final long bytesTotal;
    /** Bytes read from the input files so far (compressed bytes for gzip), across files. */
    private long bytesRead;
    private boolean warnedUnusedWeights;
    private final IdMapWriter leftIds;
    private final IdMapWriter rightIds;
    private int maxLeft = -1;
    private int maxRight = -1;
    private long lines;
    private long skipped;
    private String firstSkipped;
    /** Item ids of the LightGCN line being read, checked before any is assigned. */
    private long[] items = new long[64];
    /** The TSV or CSV line parser (unused for LightGCN). */
    private final EdgeLine pair;

    private EdgeListIngest(IngestOptions options, IngestListener listener, long bytesTotal) {
        this.options = options;
        this.listener = listener;
        this.bytesTotal = bytesTotal;
        boolean mapped = options.ids() != IdKind.DENSE;
        this.leftIds = mapped ? new IdMapWriter(Side.LEFT, options.ids()) : null;
        this.rightIds = mapped ? new IdMapWriter(Side.RIGHT, options.ids()) : null;
        this.pair = new EdgeLine(options.format() == InputFormat.TSV ? '\t' : ',', "left", "right");
    }

    /**
     * Ingests {@code inputs} into the store at {@code root} and publishes it.
     *
     * @throws BadInputException on malformed or empty input
     */
    public static IngestReport ingest(List<Path> inputs, Path root, IngestOptions options, CsrBuildOptions build) throws IOException {
        return ingest(inputs, root, options, build, new Path[2]);
    }

    /**
     * As {@link #ingest(List, Path, IngestOptions, CsrBuildOptions)}, also importing feature files
     * ({@link FeatureImport}): {@code features[side.ordinal()]} is a {@code .npy} or TSV file, or null.
     */
    public static IngestReport ingest(List<Path> inputs, Path root, IngestOptions options, CsrBuildOptions build,
                                      Path[] features) throws IOException {
        return ingest(inputs, root, options, build, features, IngestListener.NONE);
    }

    /** As {@link #ingest(List, Path, IngestOptions, CsrBuildOptions, Path[])}, telling {@code listener} how it goes. */
    public static IngestReport ingest(List<Path> inputs, Path root, IngestOptions options, CsrBuildOptions build,
                                      Path[] features, IngestListener listener) throws IOException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("inputs=[]: name at least one input file");
        }
        for (Path p : inputs) {
            if (!Files.isRegularFile(p)) {
                throw new BadInputException(p, 0, Files.exists(p) ? "not a regular file" : "no such input file");
            }
        }
        long total = 0;
        for (Path in : inputs) {
            total += Files.size(in);
        }
        EdgeListIngest ingest = new EdgeListIngest(options, listener, total);
        try (Publication p = StoreDirectory.beginPublication(root)) {
            CsrBuilder builder = new CsrBuilder(p.directory(), p.scratchDirectory(), build.withWeighted(options.weighted()));
            long edges = 0;
            try (CsrBuilder.Sink sink = builder.newSink()) {
                for (Path in : inputs) {
                    ingest.read(in, sink);
                }
                listener.progress(total, total);
                edges = sink.edges();
            }
            if (edges == 0) {
                throw new BadInputException(inputs.get(0), 0, "empty input: " + inputs.size() + " file(s), " + ingest.lines
                        + " line(s), no edge" + (ingest.skipped > 0 ? " (" + ingest.skipped + " bad lines skipped)" : ""));
            }
            int nl = ingest.leftIds != null ? ingest.leftIds.size() : ingest.maxLeft + 1;
            int nr = ingest.rightIds != null ? ingest.rightIds.size() : ingest.maxRight + 1;
            CsrBuildStats stats = builder.build(nl, nr);
            if (ingest.leftIds != null) {
                ingest.leftIds.writeTo(p.directory(), p.scratchDirectory());
                ingest.rightIds.writeTo(p.directory(), p.scratchDirectory());
            }
            for (Side side : Side.values()) {
                Path f = features[side.ordinal()];
                if (f != null) {
                    IdMapWriter ids = side == Side.LEFT ? ingest.leftIds : ingest.rightIds;
                    FeatureImport.importFeatures(f, p.directory().resolve(CsrLayout.features(side)), side,
                            side == Side.LEFT ? nl : nr, ids != null ? ids::find : EdgeListIngest::denseRow);
                }
            }
            p.commit();
            return new IngestReport(ingest.lines, ingest.skipped, ingest.firstSkipped, stats);
        }
    }

    private static int denseRow(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Opens {@code file}, counting the bytes read from it (before decompression) into {@link #bytesRead}. */
    private InputStream open(Path file) throws IOException {
        InputStream in = new FilterInputStream(Files.newInputStream(file)) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                bytesRead += b < 0 ? 0 : 1;
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                bytesRead += Math.max(0, n);
                return n;
            }
        };
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private void read(Path file, CsrBuilder.Sink sink) throws IOException {
        long lineNo = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                lines++;
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == BYTE_ORDER_MARK) {
                    line = line.substring(1); // editors on Windows write one; it is not part of the first id
                }
                if (lines % PROGRESS_LINES == 0) {
                    // gzip reads ahead, so the count may touch the total before the last line: the end is reported once
                    listener.progress(Math.min(bytesRead, bytesTotal - 1), bytesTotal);
                }
                if (line.isBlank() || line.charAt(0) == '#') {
                    continue;
                }
                try {
                    if (options.format() == InputFormat.LIGHTGCN) {
                        lightGcnLine(line, sink);
                    } else {
                        pairLine(file, lineNo, line, sink);
                    }
                } catch (LineError e) {
                    String what = "'" + EdgeLine.abbreviate(line) + "': " + e.getMessage();
                    if (!options.skipBadLines()) {
                        throw new BadInputException(file, lineNo, what + " (or pass --skip-bad-lines)");
                    }
                    skipped++;
                    if (firstSkipped == null) {
                        firstSkipped = file + ":" + lineNo + ": " + what;
                    }
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new BadInputException(file, lineNo + 1, "not valid gzip after " + lineNo + " lines: " + e.getMessage());
        } catch (EOFException e) {
            throw new BadInputException(file, lineNo + 1, "the gzip data ends early, after " + lineNo
                    + " lines (" + e.getMessage() + "): the file is truncated, copy or download it again");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new BadInputException(file, 0, "not UTF-8 text");
        }
    }

    /** A problem with one line, turned into a {@link BadInputException} with file and line by {@link #read}. */
    private static final class LineError extends Exception {
        private static final long serialVersionUID = 1L;

        LineError(String message) {
            super(message, null, false, false);
        }
    }

    private void pairLine(Path file, long lineNo, String line, CsrBuilder.Sink sink) throws LineError, IOException {
        String problem = pair.parse(line, options.weighted());
        if (problem != null) {
            throw new LineError(problem);
        }
        long l = checkId(Side.LEFT, pair.left(), "left id");
        long r = checkId(Side.RIGHT, pair.right(), "right id");
        if (!options.weighted() && !warnedUnusedWeights && pair.weightField() != null) {
            warnedUnusedWeights = true;
            listener.warning(file + ":" + lineNo + ": the weight column ('" + pair.weightField()
                    + "') is ignored without --weighted; every edge gets weight 1");
        }
        sink.add(assign(Side.LEFT, pair.left(), l), assign(Side.RIGHT, pair.right(), r), pair.weight());
    }

    private void lightGcnLine(String line, CsrBuilder.Sink sink) throws LineError, IOException {
        String[] f = WHITESPACE.split(line.strip());
        long user = checkId(Side.RIGHT, f[0], "user id");
        if (items.length < f.length) {
            items = new long[f.length];
        }
        for (int i = 1; i < f.length; i++) {
            items[i] = checkId(Side.LEFT, f[i], "item id (field " + (i + 1) + ")");
        }
        int u = assign(Side.RIGHT, f[0], user);
        for (int i = 1; i < f.length; i++) {
            sink.add(assign(Side.LEFT, f[i], items[i]), u, 1f);
        }
    }

    private IdMapWriter ids(Side side) {
        return side == Side.LEFT ? leftIds : rightIds;
    }

    /**
     * Checks one id field without assigning it, so that a line rejected by a later field leaves no node behind.
     *
     * @return the id as a number, or 0 for string ids (which {@link #assign} maps from the text)
     */
    private long checkId(Side side, String text, String what) throws LineError {
        if (text.isEmpty()) {
            throw new LineError(what + " is empty");
        }
        IdMapWriter map = ids(side);
        if (map != null && map.kind() == IdKind.STRING) {
            return 0;
        }
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new LineError(what + " '" + text + "' is not a " + (map == null ? "dense id (an int >= 0)" : "64-bit integer")
                    + (map == null ? "" : "; pass --ids string for string ids"));
        }
        if (map == null && (v < 0 || v >= Integer.MAX_VALUE)) {
            throw new LineError(what + " " + v + " is out of range for dense ids [0, " + (Integer.MAX_VALUE - 1) + "]");
        }
        return v;
    }

    /** The dense id of a field that {@link #checkId} accepted, assigning a new one on first sight. */
    private int assign(Side side, String text, long id) {
        IdMapWriter map = ids(side);
        if (map != null) {
            return map.kind() == IdKind.STRING ? map.dense(text) : map.dense(id);
        }
        if (side == Side.LEFT) {
            maxLeft = Math.max(maxLeft, (int) id);
        } else {
            maxRight = Math.max(maxRight, (int) id);
        }
        return (int) id;
    }
}
