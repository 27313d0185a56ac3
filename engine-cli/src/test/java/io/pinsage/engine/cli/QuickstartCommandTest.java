package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quickstart on a graph small enough for seconds: what it leaves behind, and its table. */
class QuickstartCommandTest {

    private static final String[] SMALL = {"--pins", "1100", "--boards", "100", "--edges", "4000", "--seed", "3"};

    @TempDir
    Path dir;

    private static CliRun quickstart(String... extra) {
        String[] args = new String[SMALL.length + extra.length + 1];
        args[0] = "quickstart";
        System.arraycopy(SMALL, 0, args, 1, SMALL.length);
        System.arraycopy(extra, 0, args, 1 + SMALL.length, extra.length);
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    @Test
    void shouldDeleteItsTemporaryWorkingDirectoryAndSaySo() {
        CliRun r = quickstart();
        String first = r.out().lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("quickstart working directory: ") && first.endsWith(" (temporary: deleted at the end; --keep keeps it)"),
                first);
        Path work = Path.of(first.substring("quickstart working directory: ".length(), first.indexOf(" (temporary")));
        assertTrue(Files.notExists(work), work + " is left behind");
        assertTrue(r.out().contains("quickstart done; deleted the working directory " + work + " ("), r.out());
        TrainCommandsTest.assertTableAligned(r.out());
    }

    @Test
    void shouldKeepTheWorkingDirectoryItWasGivenAndSayWhatItHolds() {
        Path work = dir.resolve("work");
        CliRun r = quickstart("--work", work.toString());
        assertTrue(r.out().startsWith("quickstart working directory: " + work + " (kept at the end)\n"), r.out());
        assertTrue(Files.isDirectory(work.resolve("store")) && Files.exists(work.resolve("model").resolve("model.bin")), r.out());
        assertTrue(r.out().contains("quickstart done; kept the working directory " + work + ":\n  " + work.resolve("store")
                + "  the graph store: ./pinsage info " + work.resolve("store")), r.out());
        assertTrue(r.out().contains("./pinsage evaluate --model " + work.resolve("model") + " --dataset synthetic:" + work.resolve("store")),
                r.out());
        // 1,100 pins get the generator's 64 topics
        assertTrue(r.out().endsWith("  ./pinsage embed " + work.resolve("store") + " --model " + work.resolve("model") + "\n"
                + "  ./pinsage index " + work.resolve("store") + "\n"
                + "  ./pinsage serve " + work.resolve("store") + " --port 8080 --topics 64\n"), r.out());
    }
}
