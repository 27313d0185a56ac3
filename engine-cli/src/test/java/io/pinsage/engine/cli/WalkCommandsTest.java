package io.pinsage.engine.cli;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.CsrBuilder;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.neighborhood.NeighborhoodStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WalkCommandsTest {

    @TempDir
    Path dir;

    /** Two communities: pins 0–4 on boards 0–1, pins 5–9 on boards 2–3, and pin 10 without edges. */
    private void buildStore() throws IOException {
        try (Publication p = StoreDirectory.beginPublication(dir)) {
            CsrBuilder b = new CsrBuilder(p.directory(), p.scratchDirectory(), CsrBuildOptions.defaults());
            try (CsrBuilder.Sink s = b.newSink()) {
                for (int pin = 0; pin < 10; pin++) {
                    int community = pin < 5 ? 0 : 2;
                    s.add(pin, community);
                    s.add(pin, community + 1);
                }
            }
            b.build(11, 4);
            p.commit();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            CommandLine cli = PinSageCli.newCommandLine();
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            return new Run(code, captured.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void shouldPrintPinsOfTheQueryCommunityOnly() throws IOException {
        buildStore();
        Run r = run("walk", dir.toString(), "--query", "1,2:0.5", "--steps", "5000", "--top", "10", "--boards", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("rank  board"), r.out());
        java.util.List<Integer> pins = new java.util.ArrayList<>();
        boolean inPins = false;
        for (String line : r.out().split("\n")) {
            if (line.startsWith("rank")) {
                inPins = line.contains("pin");
            } else if (inPins) {
                pins.add(Integer.parseInt(line.trim().split("\\s+")[1]));
            }
        }
        assertEquals(java.util.List.of(0, 3, 4), pins.stream().sorted().toList(),
                "the other pins of the query's community, the query pins excluded:\n" + r.out());
    }

    @Test
    void shouldPrintEveryVisitedPinForATopBeyondTheGraphAndBoundTheSteps() throws IOException {
        buildStore();
        Run r = run("walk", dir.toString(), "--query", "1", "--steps", "5000", "--top", "2000000000", "--boards", "2000000000");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("   4  ") && !r.out().contains("   5  "), "pins 0, 2, 3, 4 and no more:\n" + r.out());
        assertTrue(r.out().contains("rank  board"), r.out());
        r = run("walk", dir.toString(), "--query", "1", "--steps", "99999999999");
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("error: --steps=99999999999: must lie in [1, 16777216]"), r.err());
        r = run("neighborhoods", dir.toString(), "--top", "3", "--steps", "99999999999");
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("error: --steps=99999999999: must lie in [1, 16777216]"), r.err());
        r = run("neighborhoods", dir.toString(), "--top", "3", "--threads", "100000");
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("error: --threads=100000: must lie in [1, 1024]"), r.err());
    }

    @Test
    void shouldRefuseBenchmarkSizesBeyondTheirBoundsBeforeMeasuring() throws IOException {
        buildStore();
        String[][] cases = {
                {"walks", "--lanes", "2000000000", "error: lanes=2000000000 tableLanes=256: must lie in [1, 1024]"},
                {"walks", "--queries", "2000000000", "error: pixieQueries=2000000000 neighborhoodNodes=20000: needs about "},
                {"walks", "--threads", "100000", "error: threads=100000: must lie in [1, 1024]"},
                {"walks", "--pixie-steps", "99999999999", "error: pixieSteps=99999999999: must lie in [1, 16777216]"},
                {"train-step", "--nodes", "2000000000", "error: nodes=2000000000 width=50 batchSize=512 negatives=500: needs about "},
                {"train-step", "--threads", "100000", "error: --threads=100000: must lie in [1, 1024]"},
        };
        for (String[] c : cases) {
            Run r = c[0].equals("walks") ? run("bench", "walks", "--store", dir.toString(), c[1], c[2])
                    : run("bench", "train-step", c[1], c[2]);
            assertEquals(CliErrors.BAD_INPUT, r.code(), c[1] + ": " + r.err());
            assertTrue(r.err().startsWith(c[3]), c[1] + ": " + r.err());
        }
    }

    @Test
    void shouldReportBadQueriesAsUserErrors() throws IOException {
        buildStore();
        Run r = run("walk", dir.toString(), "--query", "99");
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(r.err().contains("--query=99: expected a dense id in [0, 11)"), r.err());
        r = run("walk", dir.toString(), "--query", "1:0");
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(r.err().contains("weight[0]=0.0"), r.err());
        r = run("walk", dir.toString(), "--query", "1", "--weighted");
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(r.err().contains("no edge weights"), r.err());
        r = run("walk", dir.toString(), "--query", "x");
        assertEquals(CliErrors.BAD_INPUT, r.code());
        assertTrue(r.err().contains("--query=x: expected a dense id in [0, 11)"), r.err());
    }

    @Test
    void shouldBuildAndUpdateTheNeighborhoodStore() throws IOException {
        buildStore();
        Run r = run("neighborhoods", dir.toString(), "--top", "3", "--steps", "500", "--threads", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("built 11 LEFT neighbourhoods"), r.out());
        assertTrue(r.out().contains("walk table:") && r.out().contains("(auto)"), "a small store fits: " + r.out());
        checkPinSixNeighbours(NeighborhoodStore.defaultRoot(dir, Side.LEFT));
        r = run("neighborhoods", dir.toString(), "--top", "3", "--steps", "500", "--nodes", "6,7");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("updated 2 LEFT neighbourhoods"), r.out());
    }

    @Test
    void shouldBuildTheSameNeighbourhoodsOverAWalkTable() throws IOException {
        buildStore();
        Path out = dir.resolve("over-table");
        Run r = run("neighborhoods", dir.toString(), "--top", "3", "--steps", "500", "--threads", "2", "--walk-table",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("walk table:") && r.out().contains("(asked)"), r.out());
        assertTrue(r.out().contains("built 11 LEFT neighbourhoods"), r.out());
        checkPinSixNeighbours(out);
        Run off = run("neighborhoods", dir.toString(), "--top", "3", "--steps", "500", "--threads", "1",
                "--walk-table=off", "--out", dir.resolve("over-graph").toString());
        assertEquals(0, off.code(), off.err());
        assertTrue(off.out().contains("walk table: none (asked)"), off.out());
        Run bad = run("neighborhoods", dir.toString(), "--walk-table=sometimes");
        assertEquals(CliErrors.BAD_INPUT, bad.code(), bad.out());
        assertTrue(bad.err().contains("--walk-table=sometimes: expected auto, on or off"), bad.err());
    }

    /** Pin 6's three neighbours lie among pins 5..9 (its community), and pin 10, without edges, has none. */
    private static void checkPinSixNeighbours(Path root) throws IOException {
        try (NeighborhoodStore s = NeighborhoodStore.open(root, true)) {
            int[] ids = new int[3];
            float[] w = new float[3];
            assertEquals(3, s.read(6, ids, w, 0));
            for (int id : ids) {
                assertTrue(id >= 5 && id < 10 && id != 6, "neighbour " + id + " of pin 6");
            }
            assertEquals(0, s.read(10, ids, w, 0), "pin 10 has no edges");
        }
    }
}
