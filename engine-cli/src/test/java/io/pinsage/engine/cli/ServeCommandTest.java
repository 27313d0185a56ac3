package io.pinsage.engine.cli;

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
                "--topics", "8");
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
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url.group(1) + "v1/recommend?pins=9&k=3"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            // pin 9 of 8 topics: the answer carries topics
            assertTrue(r.body().contains("\"topic\":"), r.body());
        }
    }

    @Test
    void shouldRefuseBadOptionsInOneLine() {
        CliRun missing = CliRun.run("serve", dir.resolve("nowhere").toString(), "--port", "0");
        assertEquals(2, missing.code(), missing.out());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("nowhere"), missing.err());
        CliRun topics = CliRun.run("serve", store().toString(), "--port", "0", "--topics", "8", "--confusable-pairs", "5");
        assertEquals(2, topics.code(), topics.out());
        assertEquals("error: --confusable-pairs=5: must be in [0, 4] for --topics=8\n", topics.err());
        CliRun tooMany = CliRun.run("serve", store().toString(), "--port", "0", "--topics", "401");
        assertEquals(2, tooMany.code(), tooMany.out());
        assertEquals("error: --topics=401: the store has only 400 pins\n", tooMany.err());
    }
}
