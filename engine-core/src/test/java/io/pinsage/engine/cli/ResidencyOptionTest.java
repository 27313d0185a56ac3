package io.pinsage.engine.cli;

import io.pinsage.csr.Residency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResidencyOptionTest {

    @TempDir
    Path dir;

    private static final long GIB = 1L << 30;

    @Test
    void shouldCopyIntoHugePagesOnlyWhenTheAdjacencyTakesAtMostHalfTheHeadroom() {
        ResidencyOption.Choice fits = ResidencyOption.choose(null, 4 * GIB, 8 * GIB, Long.MAX_VALUE);
        assertEquals(Residency.ANONYMOUS_HUGE_PAGES, fits.residency());
        assertEquals("residency: anonymous-huge-pages (auto: the adjacency's 4.00 GiB fits in half of the 8.00 GiB available beside the heap)",
                fits.line());
        ResidencyOption.Choice tooBig = ResidencyOption.choose(null, 4 * GIB + 1, 8 * GIB, Long.MAX_VALUE);
        assertEquals(Residency.MAPPED, tooBig.residency());
        assertTrue(tooBig.reason().contains("exceeds half"), tooBig.reason());
        assertEquals(Residency.MAPPED, ResidencyOption.choose(null, 1, 0, Long.MAX_VALUE).residency(), "no headroom at all");
        ResidencyOption.Choice unknown = ResidencyOption.choose(null, 1, MemoryHeadroom.UNKNOWN, Long.MAX_VALUE);
        assertEquals(Residency.MAPPED, unknown.residency());
        assertTrue(unknown.reason().contains("unknown"), unknown.reason());
    }

    @Test
    void shouldMapWhenTheWalkIsTooShortToPayForTheCopy() {
        // One 100,000-step query against a 1 GiB adjacency: the copy would cost more than the walk saves.
        ResidencyOption.Choice query = ResidencyOption.choose(null, GIB, 64 * GIB, 100_000);
        assertEquals(Residency.MAPPED, query.residency());
        assertTrue(query.reason().contains("would not pay"), query.reason());
        assertEquals(Residency.ANONYMOUS_HUGE_PAGES, ResidencyOption.choose(null, GIB, 64 * GIB, 100_000_000).residency());
        assertEquals(Residency.ANONYMOUS_HUGE_PAGES, ResidencyOption.choose(Residency.ANONYMOUS_HUGE_PAGES, GIB, 64 * GIB, 1).residency(),
                "an explicit choice is kept");
    }

    @Test
    void shouldKeepAnExplicitChoiceWhateverTheMemory() {
        assertEquals(Residency.ANONYMOUS_HUGE_PAGES, ResidencyOption.choose(Residency.ANONYMOUS_HUGE_PAGES, 100 * GIB, GIB, Long.MAX_VALUE).residency());
        assertEquals(Residency.MAPPED, ResidencyOption.choose(Residency.MAPPED, 1, 100 * GIB, Long.MAX_VALUE).residency());
        assertEquals("residency: mapped (as asked)", ResidencyOption.choose(Residency.MAPPED, 1, 1, Long.MAX_VALUE).line());
    }

    @Test
    void shouldParseNamesInAnyCaseAndNameTheChoicesOfABadOne() {
        assertNull(ResidencyOption.parse("AUTO"));
        assertEquals(Residency.ANONYMOUS_HUGE_PAGES, ResidencyOption.parse("anonymous-huge-pages"));
        assertEquals(Residency.MAPPED, ResidencyOption.parse(" Mapped "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResidencyOption.parse("swapped"));
        assertEquals("residency=swapped: expected auto, mapped or anonymous-huge-pages", e.getMessage());
    }

    @Test
    void shouldReadTheHeadroomFromMeminfoAndTheCgroupLimit() {
        assertEquals(12_000_000L * 1024, MemoryHeadroom.memAvailable(List.of("MemTotal: 24000000 kB", "MemFree: 1000 kB",
                "MemAvailable:   12000000 kB")));
        assertEquals(MemoryHeadroom.UNKNOWN, MemoryHeadroom.memAvailable(List.of("MemTotal: 24000000 kB")));
        assertEquals(MemoryHeadroom.UNKNOWN, MemoryHeadroom.cgroupRemaining("max\n", "123\n"));
        assertEquals(1000, MemoryHeadroom.cgroupRemaining("5000\n", "4000\n"));
        assertEquals(0, MemoryHeadroom.cgroupRemaining("5000", "6000"));
        long probed = MemoryHeadroom.probe();
        assertTrue(probed == MemoryHeadroom.UNKNOWN || probed >= 0, "probe=" + probed);
    }

    @Test
    void shouldPrintTheChoiceOfAutoWhenWalking() {
        Path store = dir.resolve("s");
        assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "2000", "--boards", "200", "--edges", "20000").code());
        String auto = stderrOf("walk", store.toString(), "--query", "3", "--steps", "1000");
        assertTrue(auto.contains("residency: ") && auto.contains("(auto: "), auto);
        String asked = stderrOf("neighborhoods", store.toString(), "--top", "2", "--steps", "50", "--threads", "1",
                "--residency", "anonymous-huge-pages");
        assertTrue(asked.contains("residency: anonymous-huge-pages (as asked)"), asked);
    }

    /** What a successful command writes on System.err, where commands print their choices. */
    private static String stderrOf(String... args) {
        CliRun r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        return r.console();
    }
}
