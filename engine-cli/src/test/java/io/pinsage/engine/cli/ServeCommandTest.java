package io.pinsage.engine.cli;

import io.pinsage.csr.format.StoreDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code serve}: what it prints on startup, that it answers where it says, and its one-line refusals. */
class ServeCommandTest {

    @TempDir
    static Path dir;

    private static Path store() {
        Path store = dir.resolve("store");
        if (!store.toFile().exists()) {
            assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "400", "--boards", "40", "--edges", "3000",
                    "--topics", "8").code());
        }
        return store;
    }

    @Test
    void shouldPrintWhatItLoadedAndAnswerOnThePortItPrints() throws Exception {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(store().toString(), "--port", "0", "--workers", "1", "--residency", "mapped",
                "--topics", "8", "--request-timeout-ms", "2500", "--max-connections", "64");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (ServeCommand.Running running = serve.start(new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            String out = printed.toString(StandardCharsets.UTF_8);
            assertTrue(out.contains("store: " + store() + ", 400 pins, 40 boards, 3,000 edges\n"), out);
            assertTrue(out.contains("residency: mapped (as asked)"), out);
            assertTrue(out.contains("embeddings: none (/v1/related answers 501; write them with ./pinsage embed)"), out);
            assertTrue(out.contains("index: none"), out);
            assertTrue(out.contains("new pins: none (POST /v1/pins needs --model MODEL_DIR"), out);
            assertTrue(out.contains("topics: 8, the first 1 pairs confusable by content\n"), out);
            Matcher url = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+)/) ").matcher(out);
            assertTrue(url.find(), out);
            assertEquals(running.server().port(), Integer.parseInt(url.group(2)));
            assertTrue(out.contains("(1 workers, queue 256, requests within 2500 ms, 64 connections at most)\n"), out);
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url.group(1) + "v1/recommend?pins=9&k=3"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            // pin 9 of 8 topics: the answer carries topics
            assertTrue(r.body().contains("\"topic\":"), r.body());
        }
    }

    /** Parses {@code args} and starts the server, printing into {@code printed}. */
    private static ServeCommand.Running start(String[] args, ByteArrayOutputStream printed) throws Exception {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve.start(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldTakeEdgesWithTheTokenAndKeepThemAcrossARestart() throws Exception {
        Path log = dir.resolve("live.log");
        Path token = java.nio.file.Files.writeString(dir.resolve("token"), "t0ken\n");
        String[] args = {store().toString(), "--port", "0", "--workers", "1", "--residency", "mapped", "--live", "--edge-log",
                log.toString(), "--fsync", "group:2", "--token-file", token.toString()};
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        for (int start = 0; start < 2; start++) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            try (ServeCommand.Running running = start(args, printed)) {
                String out = printed.toString(StandardCharsets.UTF_8);
                assertTrue(out.contains("live edges: log " + log + " (one fsync every 2 ms), " + (start == 0 ? 0 : 2)
                        + " edges replayed; POST /v1/edges with the bearer token of " + token + "\n"), out);
                String base = "http://127.0.0.1:" + running.server().port();
                if (start == 0) {
                    HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/v1/edges")).timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer t0ken")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"edges\": [{\"pin\": 400, \"board\": 5}, {\"pin\": \"400\", \"board\": 6}]}"))
                            .build();
                    HttpResponse<String> r = client.send(post, HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals("{\"accepted\":2,\"newPins\":[\"400\"],\"newBoards\":[]}", r.body());
                }
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/recommend?pins=400&k=3"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
            }
        }
    }

    /** --compact-every: the posted edges become a new store generation in the background; a restart replays nothing. */
    @Test
    void shouldCompactPostedEdgesIntoTheStoreInTheBackground() throws Exception {
        Path store = dir.resolve("compacted-store");
        assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "100", "--boards", "10", "--edges", "500").code());
        String before = StoreDirectory.openCurrent(store).name();
        String[] args = {store.toString(), "--port", "0", "--workers", "1", "--residency", "mapped", "--live",
                "--compact-every", "2"};
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        for (int start = 0; start < 2; start++) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            try (ServeCommand.Running running = start(args, printed)) {
                String out = printed.toString(StandardCharsets.UTF_8);
                assertTrue(out.contains("compaction: every 2 recent edges, in the background\n"), out);
                assertTrue(out.contains(" 0 edges replayed"), out);
                String base = "http://127.0.0.1:" + running.server().port();
                if (start == 0) {
                    HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/v1/edges")).timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"edges\": [{\"pin\": 100, \"board\": 5}, {\"pin\": 100, \"board\": 6}]}"))
                            .build();
                    assertEquals(200, client.send(post, HttpResponse.BodyHandlers.ofString()).statusCode());
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (running.engine().liveRecentEdges() > 0 && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    assertEquals(0, running.engine().liveRecentEdges(), "no compaction within 30 s");
                }
                assertEquals(502, running.engine().edgeCount());
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/recommend?pins=100&k=3"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
            }
        }
        assertTrue(StoreDirectory.openCurrent(store).name().compareTo(before) > 0, "no new generation was published");
        assertEquals(0, CliRun.run("verify", store.toString()).code());
    }

    /** --follow: lines appended to a real file while the server runs are added; a restart adds none of them again. */
    @Test
    void shouldFollowAnEdgeFileAsItGrowsAcrossARestart() throws Exception {
        Path store = dir.resolve("followed-store");
        assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "100", "--boards", "10", "--edges", "500").code());
        Path followed = dir.resolve("saves.tsv");
        String[] args = {store.toString(), "--port", "0", "--workers", "1", "--residency", "mapped", "--live", "--follow",
                followed.toString()};
        for (int start = 0; start < 2; start++) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            try (ServeCommand.Running running = start(args, printed)) {
                String out = printed.toString(StandardCharsets.UTF_8);
                assertTrue(out.contains("following " + followed.toAbsolutePath() + " from byte " + (start == 0 ? "0 (line 1)"
                        : "24 (line 4)")), out);
                java.nio.file.Files.writeString(followed, start == 0 ? "100\t5\n100\t6\nnot-a-pin\t1\n" : "101\t7\n",
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                long want = start == 0 ? 4 : 5;
                while (running.follower().position().line() < want && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(want, running.follower().position().line());
                assertEquals(start == 0 ? 502 : 503, running.engine().edgeCount());
                assertEquals(start == 0 ? 1 : 0, running.follower().skippedLines()); // a pin id that is not an integer
            }
        }
    }

    @Test
    void shouldRefuseBadOptionsInOneLine() {
        CliRun fsync = CliRun.run("serve", store().toString(), "--port", "0", "--live", "--fsync", "group:0");
        assertEquals(2, fsync.code(), fsync.out());
        assertEquals("error: --fsync=group:0: expected each-batch or group:MS with MS in [1, 10000]\n", fsync.err());
        CliRun notLive = CliRun.run("serve", store().toString(), "--port", "0", "--edge-log", dir.resolve("x.log").toString());
        assertEquals(2, notLive.code(), notLive.out());
        assertEquals("error: --edge-log: needs --live\n", notLive.err());
        CliRun compactNotLive = CliRun.run("serve", store().toString(), "--port", "0", "--compact-every", "5");
        assertEquals(2, compactNotLive.code(), compactNotLive.out());
        assertEquals("error: --compact-every: needs --live\n", compactNotLive.err());
        CliRun followNotLive = CliRun.run("serve", store().toString(), "--port", "0", "--follow", dir.resolve("f.tsv").toString());
        assertEquals(2, followNotLive.code(), followNotLive.out());
        assertEquals("error: --follow: needs --live\n", followNotLive.err());
        CliRun noToken = CliRun.run("serve", store().toString(), "--port", "0", "--live", "--token-file", dir.resolve("none").toString());
        assertEquals(2, noToken.code(), noToken.out());
        assertEquals("error: --token-file=" + dir.resolve("none") + ": no such file\n", noToken.err());
        CliRun missing = CliRun.run("serve", dir.resolve("nowhere").toString(), "--port", "0");
        assertEquals(2, missing.code(), missing.out());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("nowhere"), missing.err());
        CliRun topics = CliRun.run("serve", store().toString(), "--port", "0", "--topics", "8", "--confusable-pairs", "5");
        assertEquals(2, topics.code(), topics.out());
        assertEquals("error: --confusable-pairs=5: must be in [0, 4] for --topics=8\n", topics.err());
        CliRun tooMany = CliRun.run("serve", store().toString(), "--port", "0", "--topics", "401");
        assertEquals(2, tooMany.code(), tooMany.out());
        assertEquals("error: --topics=401: the store has only 400 pins\n", tooMany.err());
        CliRun deadline = CliRun.run("serve", store().toString(), "--port", "0", "--request-timeout-ms", "0");
        assertEquals(2, deadline.code(), deadline.out());
        assertEquals("error: --request-timeout-ms=0: must be >= 1\n", deadline.err());
        CliRun connections = CliRun.run("serve", store().toString(), "--port", "0", "--max-connections", "-3");
        assertEquals(2, connections.code(), connections.out());
        assertEquals("error: --max-connections=-3: must be >= 1\n", connections.err());
    }
}
