package io.pinsage.engine.cli;

import io.pinsage.engine.train.TrainingListener;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleProgressTest {

    private static final TrainingListener.EpochStats STATS = new TrainingListener.EpochStats(1, 2.5, 0.75, 1f, 3.0, 0.01, 0.02, 1, true);

    @Test
    void shouldWriteOnlyTheEpochSummaryForAFastEpochWhenTheStreamIsNotATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 2, "val hit@10", false);
        for (int b = 0; b < 584; b++) {
            p.batchDone(0, b, 584, 2.5);
        }
        p.epochDone(STATS);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\r"), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("epoch 1/2 loss 2.5000 val hit@10 0.7500 (best)"), out);
    }

    @Test
    void shouldRedrawTheBarInPlaceOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 2, "val hit@10", true);
        p.batchDone(0, 0, 4, 3.0);
        p.batchDone(0, 3, 4, 2.0);
        p.epochDone(STATS);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\repoch 1/2 [#######"), out);
        assertTrue(out.contains("\repoch 1/2 [##############################] 4/4 loss 2.5000"), out);
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), "one terminal line, rewritten: " + out);
    }
}
