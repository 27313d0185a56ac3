package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {

    @Test
    void shouldPrintPlainLinesWithoutRedrawsWhenTheStreamIsNotATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "stage", "nodes", false);
        for (int i = 0; i <= 10_000; i++) {
            bar.update(i, 10_000);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\r"), out);
        // ten thousand reports within one interval: only the completion line is written
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("stage [##############################] 100% 10,000/10,000 nodes"), out);
    }

    @Test
    void shouldRedrawInPlaceOnATerminalAndEndTheLineAtCompletion() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "", "bytes", true);
        bar.update(1, 4);
        bar.update(4, 4);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\r[#######"), out);
        assertTrue(out.contains("\r[##############################] 100% 4/4 bytes"), out);
        assertTrue(out.endsWith(System.lineSeparator()), out);
    }
}
