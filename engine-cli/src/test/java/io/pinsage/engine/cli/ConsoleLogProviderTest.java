package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleLogProviderTest {

    @Test
    void shouldPrintTheLibrarysNotesAsBareLinesOnTheCurrentStderr() {
        Logger log = LoggerFactory.getLogger("io.pinsage.engine.pipeline.Example");
        assertEquals(ConsoleLogProvider.class, log.getClass().getEnclosingClass(), "SLF4J binds the command line's backend");
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            log.info("resuming from epoch {} (batch {}) in {}", 2, 0, "/m/checkpoint");
            log.debug("not shown");
            log.warn("plots off");
            log.error("failed", new IllegalStateException("why"));
        } finally {
            System.setErr(saved);
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("resuming from epoch 2 (batch 0) in /m/checkpoint", lines[0]);
        assertEquals("warning: plots off", lines[1]);
        assertEquals("error: failed", lines[2]);
        assertTrue(lines[3].startsWith("java.lang.IllegalStateException: why"), lines[3]);
    }
}
