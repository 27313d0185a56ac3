package io.pinsage.engine.cli;

import io.pinsage.csr.prune.PruneSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchPruneQualityCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldParsePruningLevels() {
        BenchPruneQualityCommand.Level both = BenchPruneQualityCommand.parseLevel("0.8:200");
        assertEquals(new PruneSettings(1, 0.8, 200, 200), both.settings());
        assertEquals("entropy q0.8, degree <= 200", both.label());
        assertEquals(new PruneSettings(1, 0.9, PruneSettings.NO_CAP, PruneSettings.NO_CAP), BenchPruneQualityCommand.parseLevel("0.9").settings());
        assertEquals(new PruneSettings(1, 1, 50, 50), BenchPruneQualityCommand.parseLevel("-:50").settings());
        for (String bad : new String[] {"1.5", "0.5:0", "x", "-", "0.5:2:3", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchPruneQualityCommand.parseLevel(bad), bad);
            assertTrue(e.getMessage().startsWith("--levels=" + bad), e.getMessage());
        }
    }

    @Test
    void shouldRankPixieOnTheOriginalAndEveryPrunedStore() {
        CliRun r = CliRun.run("bench", "prune-quality", "--work", dir.toString(), "--pins", "3000", "--boards", "300", "--edges", "30000",
                "--levels", "0.8,-:100", "--pixie-steps", "500", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        int header = 0;
        while (header < lines.length && !lines[header].startsWith("store ")) {
            header++;
        }
        assertTrue(header + 3 < lines.length, r.out());
        assertTrue(lines[header + 1].startsWith("original") && lines[header + 1].contains("1.000   1.000"), lines[header + 1]);
        assertTrue(lines[header + 2].startsWith("entropy q0.8 "), lines[header + 2]);
        assertTrue(lines[header + 3].startsWith("no entropy, degree <= 100"), lines[header + 3]);
        assertTrue(r.out().contains("ratios are pruned/original"), r.out());
        assertTrue(Files.isDirectory(dir.resolve("original")), "a --work directory is kept");
        assertFalse(r.out().contains("deleted the temporary working directory"), r.out());
    }

    @Test
    void shouldDeleteItsTemporaryWorkingDirectory() {
        CliRun r = CliRun.run("bench", "prune-quality", "--pins", "2000", "--boards", "200", "--edges", "10000",
                "--levels", "-:50", "--pixie-steps", "100", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        String marker = "deleted the temporary working directory ";
        int at = r.out().indexOf(marker);
        assertTrue(at >= 0, r.out());
        Path temporary = Path.of(r.out().substring(at + marker.length()).split(";")[0]);
        assertFalse(Files.exists(temporary), temporary + " is left behind");
    }
}
