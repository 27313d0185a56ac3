package io.pinsage.engine.cli;

import io.pinsage.csr.Residency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code --residency} option: its parsing and the line it prints (the decision: csr-store's ResidencyPolicyTest). */
class ResidencyOptionTest {

    @TempDir
    Path dir;

    @Test
    void shouldParseNamesInAnyCaseAndNameTheChoicesOfABadOne() {
        assertNull(ResidencyOption.parse("AUTO"));
        assertEquals(Residency.ANONYMOUS_HUGE_PAGES, ResidencyOption.parse("anonymous-huge-pages"));
        assertEquals(Residency.MAPPED, ResidencyOption.parse(" Mapped "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResidencyOption.parse("swapped"));
        assertEquals("residency=swapped: expected auto, mapped or anonymous-huge-pages", e.getMessage());
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
