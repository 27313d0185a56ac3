package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench serve}: both endpoints measured in-process and over HTTP, in a fraction of a second each. */
class BenchServeCommandTest {

    @TempDir
    Path dir;

    private static final Pattern LINE = Pattern.compile(
            "in-process [\\d,]+ q/s, p50 [\\d.]+ ms, p99 [\\d.]+ ms; HTTP [\\d,]+ q/s, p50 [\\d.]+ ms, p99 [\\d.]+ ms; HTTP/in-process [\\d.]+ \\(median of 3 pairs\\)");

    private static final Pattern CPU = Pattern.compile(
            "^(related|recommend) +CPU per query: in-process [\\d.]+ ms, HTTP server [\\d.]+ ms \\(the clients' left out\\); in-process/HTTP [\\d.]+$");

    private static final Pattern ROUND = Pattern.compile(
            "^round \\d+ +new pin \\d+ on \\d+ boards of pin \\d+: acknowledged after [\\d.]+ ms, recommended after [\\d.]+ ms at rank \\d+ \\(\\d+ polls?\\)$");

    private static final Pattern FRESHNESS = Pattern.compile(
            "freshness +median of 2 rounds: acknowledged [\\d.]+ ms, in /v1/recommend [\\d.]+ ms \\(min [\\d.]+, max [\\d.]+\\); k=50, 5,000 steps");

    @Test
    void shouldMeasureBothEndpointsInProcessAndOverHttp() throws Exception {
        Path store = dir.resolve("store");
        assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "300", "--boards", "30", "--edges", "2000").code());
        IndexCommandTest.writeEmbeddings(store, 300, 8, 4);
        assertEquals(0, CliRun.run("index", store.toString(), "--max-degree", "8", "--beam", "32").code());
        CliRun r = CliRun.run("bench", "serve", store.toString(), "--seconds", "0.1", "--callers", "2", "--workers", "1",
                "--steps", "2000", "--query-pins", "20");
        assertEquals(0, r.code(), r.err());
        String related = r.out().lines().filter(l -> l.startsWith("related ")).findFirst().orElse("");
        String recommend = r.out().lines().filter(l -> l.startsWith("recommend ")).findFirst().orElse("");
        assertTrue(LINE.matcher(related).find(), r.out());
        assertTrue(LINE.matcher(recommend).find(), r.out());
        assertEquals(2, r.out().lines().filter(l -> CPU.matcher(l).find()).count(), r.out());

        CliRun fresh = CliRun.run("bench", "serve", store.toString(), "--freshness", "2", "--workers", "1", "--steps", "5000",
                "--k", "50");
        assertEquals(0, fresh.code(), fresh.err());
        assertEquals(2, fresh.out().lines().filter(l -> ROUND.matcher(l).find()).count(), fresh.out());
        assertTrue(FRESHNESS.matcher(fresh.out()).find(), fresh.out());
        try (var left = java.nio.file.Files.list(store)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".log")), "the bench's edge log is removed");
        }

        CliRun bad = CliRun.run("bench", "serve", store.toString(), "--seconds", "0");
        assertEquals(2, bad.code(), bad.out());
        assertEquals("error: seconds=0.0: must lie in (0, 3600]\n", bad.err());
    }
}
