package io.pinsage.csr;

import io.pinsage.csr.format.StoreDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EdgeListIngestTest {

    @TempDir
    Path dir;

    private final CsrBuildOptions build = CsrBuildOptions.defaults().withThreads(2);

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private IngestReport ingest(IngestOptions o, Path... inputs) throws IOException {
        return EdgeListIngest.ingest(List.of(inputs), dir.resolve("store"), o, build);
    }

    @Test
    void shouldMapLongIdsAndKeepThemAcrossReopen() throws IOException {
        Path a = write("a.tsv", "# pins and boards\n9000000000\t7\n42\t7\t2.5\t1700000000\n\n42\t8\n");
        ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, true, false), a);
        for (int reopen = 0; reopen < 2; reopen++) {
            try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
                s.verify();
                IdMap left = s.ids(Side.LEFT).orElseThrow(), right = s.ids(Side.RIGHT).orElseThrow();
                assertEquals(2, left.size());
                assertEquals(0, left.dense(9_000_000_000L));
                assertEquals(1, left.dense(42));
                assertEquals(-1, left.dense(43));
                assertEquals(42, left.externalLong(1));
                assertEquals(8, right.externalLong(right.dense(8)));
                BipartiteGraph g = s.graph();
                assertEquals(3, g.edgeCount());
                assertEquals(2, g.degree(Side.LEFT, 1));
                assertEquals(2.5f, g.weightAt(Side.LEFT, g.firstEdge(Side.LEFT, 1)));
            }
        }
    }

    @Test
    void shouldReadStringIdsFromSeveralGzipAndCsvFiles() throws IOException {
        Path a = write("a.csv", "pin-a,board-x\npin-b,board-x\n");
        Path b = dir.resolve("b.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(b))) {
            out.write("pin-a,board-y\npin-ü,board-y\n".getBytes(StandardCharsets.UTF_8));
        }
        ingest(new IngestOptions(InputFormat.CSV, IdKind.STRING, false, false), a, b);
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            s.verify();
            IdMap left = s.ids(Side.LEFT).orElseThrow();
            assertEquals("pin-ü", left.externalString(left.dense("pin-ü")));
            assertEquals(3, left.size());
            assertEquals(2, s.graph().degree(Side.LEFT, left.dense("pin-a")));
            assertFalse(s.graph().hasWeights());
        }
    }

    @Test
    void shouldReadLightGcnUsersAsRightAndItemsAsLeftWithDenseIds() throws IOException {
        Path a = write("train.txt", "0 0 1 2\n1 2\n2 5 0\n");
        ingest(new IngestOptions(InputFormat.LIGHTGCN, IdKind.DENSE, false, false), a);
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            BipartiteGraph g = s.graph();
            assertEquals(6, g.nodeCount(Side.LEFT));
            assertEquals(3, g.nodeCount(Side.RIGHT));
            assertEquals(3, g.degree(Side.RIGHT, 0));
            assertEquals(2, g.degree(Side.LEFT, 0));
            assertTrue(s.ids(Side.LEFT).isEmpty());
        }
    }

    /** Remembers what an ingest told its listener. */
    private static final class Heard implements IngestListener {
        final List<long[]> progress = new java.util.ArrayList<>();
        final List<String> warnings = new java.util.ArrayList<>();

        @Override
        public void progress(long bytesRead, long bytesTotal) {
            progress.add(new long[] {bytesRead, bytesTotal});
        }

        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    }

    private Path gzip(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    private static String edges(int from, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            b.append(i).append('\t').append(i % 97).append('\n');
        }
        return b.toString();
    }

    @Test
    void shouldNameTheFileAndTheLineReachedWhenAGzipFileEndsEarly() throws IOException {
        Path whole = gzip("e.tsv.gz", edges(0, 20_000));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut.tsv.gz");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        BadInputException e = assertThrows(BadInputException.class,
                () -> ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), cut));
        assertEquals(cut, e.file());
        assertTrue(e.line() > 1 && e.line() < 20_000, "line " + e.line());
        assertTrue(e.getMessage().startsWith(cut + ":" + e.line() + ": the gzip data ends early, after " + (e.line() - 1) + " lines"),
                e.getMessage());
        assertFalse(StoreDirectory.isPublished(dir.resolve("store")));
    }

    @Test
    void shouldIgnoreAByteOrderMarkBeforeTheFirstId() throws IOException {
        Path a = write("bom.tsv", "\uFEFF1\t2\n3\t2\n");
        ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), a);
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            assertEquals(0, s.ids(Side.LEFT).orElseThrow().dense(1));
        }
        Path b = gzip("bom.csv.gz", "\uFEFFpin-a,board-x\n");
        ingest(new IngestOptions(InputFormat.CSV, IdKind.STRING, false, false), b);
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            assertEquals("pin-a", s.ids(Side.LEFT).orElseThrow().externalString(0));
        }
    }

    @Test
    void shouldWarnOnceThatAWeightColumnIsIgnoredWithoutWeighted() throws IOException {
        Path a = write("w.tsv", "1\t2\n1\t3\tNaN\n4\t2\t0.5\n");
        Heard heard = new Heard();
        EdgeListIngest.ingest(List.of(a), dir.resolve("store"), new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false),
                build, new Path[2], heard);
        assertEquals(List.of(a + ":2: the weight column ('NaN') is ignored without --weighted; every edge gets weight 1"),
                heard.warnings);
        heard.warnings.clear();
        EdgeListIngest.ingest(List.of(write("v.tsv", "1\t2\t1.5\n")), dir.resolve("store"),
                new IngestOptions(InputFormat.TSV, IdKind.LONG, true, false), build, new Path[2], heard);
        assertEquals(List.of(), heard.warnings, "read with --weighted, the column is used");
    }

    @Test
    void shouldReportReadingProgressInBytesOfTheInputFiles() throws IOException {
        Path a = write("a.tsv", edges(0, 40_000));
        Path b = gzip("b.tsv.gz", edges(40_000, 40_000));
        long total = Files.size(a) + Files.size(b);
        Heard heard = new Heard();
        EdgeListIngest.ingest(List.of(a, b), dir.resolve("store"), new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false),
                build, new Path[2], heard);
        assertTrue(heard.progress.size() >= 4, "reports while reading: " + heard.progress.size());
        long last = 0;
        for (int i = 0; i < heard.progress.size(); i++) {
            long[] p = heard.progress.get(i);
            assertEquals(total, p[1]);
            assertTrue(p[0] >= last && (p[0] < total || i == heard.progress.size() - 1), "report " + i + ": " + p[0]);
            last = p[0];
        }
        assertEquals(total, last, "ends with every byte read");
    }

    @Test
    void shouldNameFileLineTextAndExpectationOfABadLine() throws IOException {
        Path a = write("bad.tsv", "1\t2\n3\tx\n");
        BadInputException e = assertThrows(BadInputException.class, () -> ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), a));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains(a + ":2"), e.getMessage());
        assertTrue(e.getMessage().contains("'3\tx'"), e.getMessage());
        assertTrue(e.getMessage().contains("not a 64-bit integer"), e.getMessage());
        assertFalse(StoreDirectory.isPublished(dir.resolve("store")));
    }

    @Test
    void shouldRejectEachKindOfBadField() throws IOException {
        String[][] cases = {
                {"1\n", "expected 2 to 4 fields"},
                {"1\t2\t3\t4\t5\n", "expected 2 to 4 fields"},
                {"1\t2\t-1\n", "must be positive and finite"},
                {"1\t2\tabc\n", "is not a number"},
                {"1\t2\t1\tyesterday\n", "timestamp 'yesterday' is not an integer"},
                {"\t2\n", "left id is empty"},
        };
        for (String[] c : cases) {
            Path a = write("case.tsv", c[0]);
            BadInputException e = assertThrows(BadInputException.class,
                    () -> ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, true, false), a), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        Path dense = write("dense.tsv", "1\t3000000000\n");
        BadInputException e = assertThrows(BadInputException.class,
                () -> ingest(new IngestOptions(InputFormat.TSV, IdKind.DENSE, false, false), dense));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void shouldSkipAndCountBadLinesWhenAsked() throws IOException {
        Path a = write("mixed.tsv", "1\t2\noops\n3\t4\n5\tz\n");
        IngestReport r = ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, true), a);
        assertEquals(2, r.skippedLines());
        assertEquals(2, r.build().edgesIn());
        assertTrue(r.firstSkipped().contains(":2: 'oops'"), r.firstSkipped());
    }

    @Test
    void shouldLeaveNoNodeBehindForASkippedLine() throws IOException {
        Path tsv = write("half-bad.tsv", "1\t2\n5\tz\n3\t2\n");
        ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, true), tsv);
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            assertEquals(2, s.graph().nodeCount(Side.LEFT), "left 5 came only from the skipped line");
            assertEquals(-1, s.ids(Side.LEFT).orElseThrow().dense(5));
        }
        Path lightGcn = write("half-bad.txt", "0 1\n7 2 x\n1\t3  4\n");
        ingest(new IngestOptions(InputFormat.LIGHTGCN, IdKind.DENSE, false, true), lightGcn);
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            assertEquals(2, s.graph().nodeCount(Side.RIGHT), "user 7 came only from the skipped line");
            assertEquals(5, s.graph().nodeCount(Side.LEFT), "item 2 came only from the skipped line, 3 and 4 after a tab");
            assertEquals(2, s.graph().degree(Side.RIGHT, 1));
        }
    }

    @Test
    void shouldRejectEmptyInputWithoutPublishing() throws IOException {
        Path a = write("empty.tsv", "# nothing here\n\n");
        BadInputException e = assertThrows(BadInputException.class, () -> ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), a));
        assertTrue(e.getMessage().contains("empty input"), e.getMessage());
        assertFalse(StoreDirectory.isPublished(dir.resolve("store")));
        BadInputException missing = assertThrows(BadInputException.class,
                () -> ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), dir.resolve("absent.tsv")));
        assertTrue(missing.getMessage().contains("no such input file"), missing.getMessage());
    }

    @Test
    void shouldKeepThePreviousStoreWhenAnIngestFailsHalfway() throws IOException {
        Path good = write("good.tsv", "1\t2\n");
        ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), good);
        Path bad = write("bad.tsv", "1\t2\n".repeat(1000) + "broken\n");
        assertThrows(BadInputException.class, () -> ingest(new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), bad));
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            s.verify();
            assertEquals(1, s.graph().edgeCount());
        }
    }

    @Test
    void shouldImportFeaturesFromTsvAndNpy() throws IOException {
        Path edges = write("e.tsv", "10\t1\n20\t1\n");
        Path tsv = write("f.tsv", "20\t1.5\t2\n10\t-1\t0.25\n");
        Path npy = dir.resolve("r.npy");
        writeNpyFloat32(npy, 1, 3, new float[] {7, 8, 9});
        EdgeListIngest.ingest(List.of(edges), dir.resolve("store"), new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), build,
                new Path[] {tsv, npy});
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            s.verify();
            FeatureMatrix left = s.features(Side.LEFT).orElseThrow();
            int p20 = s.ids(Side.LEFT).orElseThrow().dense(20);
            assertEquals(2, left.dim());
            assertEquals(1.5f, left.get(p20, 0));
            assertEquals(0.25f, left.get(1 - p20, 1));
            assertEquals(9f, s.features(Side.RIGHT).orElseThrow().get(0, 2));
            assertEquals((float) Math.log1p(2), s.logDegree(Side.RIGHT, 0));
        }
        Path wrongShape = dir.resolve("w.npy");
        writeNpyFloat32(wrongShape, 2, 1, new float[] {1, 2});
        BadInputException e = assertThrows(BadInputException.class, () -> EdgeListIngest.ingest(List.of(edges), dir.resolve("store"),
                new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), build, new Path[] {null, wrongShape}));
        assertTrue(e.getMessage().contains("shape (2, 1)"), e.getMessage());
    }

    @Test
    void shouldRefuseAFeatureWidthBeyondTheBoundBeforeAllocatingARow() throws IOException {
        Path edges = write("e.tsv", "1\t2\n");
        Path wide = dir.resolve("wide.npy");
        writeNpyFloat32(wide, 1, 2_000_000_000, new float[0]);
        BadInputException e = assertThrows(BadInputException.class, () -> EdgeListIngest.ingest(List.of(edges), dir.resolve("store"),
                new IngestOptions(InputFormat.TSV, IdKind.LONG, false, false), build, new Path[] {wide, null}));
        assertTrue(e.getMessage().endsWith("shape (1, 2000000000): expected (1, d) with 1 <= d <= 65536, one row per LEFT node"),
                e.getMessage());
    }

    static void writeNpyFloat32(Path file, int rows, int cols, float[] data) throws IOException {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int total = 10 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (float f : data) {
            b.putFloat(f);
        }
        Files.write(file, b.array());
    }

    @Test
    void shouldIngestGowallaWhenPresent() throws IOException {
        Path train = Path.of("../shared/datasets/gowalla/train.txt");
        if (!Files.exists(train)) {
            train = Path.of("../../shared/datasets/gowalla/train.txt");
        }
        assumeTrue(Files.exists(train), "gowalla dataset absent (no shared/datasets/gowalla/train.txt in the project or beside it)");
        IngestReport r = ingest(new IngestOptions(InputFormat.LIGHTGCN, IdKind.DENSE, false, false), train);
        try (GraphStore s = GraphStore.open(dir.resolve("store"))) {
            assertEquals(r.build().edgesOut(), s.graph().edgeCount());
            assertEquals(29_858, s.graph().nodeCount(Side.RIGHT));
            assertEquals(40_981, s.graph().nodeCount(Side.LEFT));
            assertEquals(810_128, s.graph().edgeCount());
        }
    }
}
