package io.pinsage.engine.serve;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.engine.ann.AnnIndex;
import io.pinsage.engine.ann.TestEmbeddings;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.RecommendOptions;
import io.pinsage.engine.api.ScoredPin;
import io.pinsage.engine.api.WeightedPin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page at {@code /} in a real headless browser (Debian's {@code chromium}): it shows the three columns the engine
 * answers for the pin in its address, each pin with its topic on a synthetic store and the confusable ones marked.
 * Skipped, with the reason, where no Chromium is installed ({@code .ci/run} installs it where apt can).
 */
class PageBrowserTest {

    private static final int TOPICS = 4;

    @TempDir
    Path dir;

    private static Path chromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The values of {@code attribute} of the list items under the element with id {@code column}, in order. */
    private static List<String> column(String dom, String column, String attribute) {
        int start = dom.indexOf("id=\"" + column + "\"");
        assertTrue(start >= 0, column + " not in\n" + dom);
        int end = dom.indexOf("</ol>", start);
        assertTrue(end >= 0, "no list under " + column + " in\n" + dom);
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile(attribute + "=\"([^\"]*)\"").matcher(dom.substring(start, end));
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    /** The markup of the column with id {@code column}, up to its end. */
    private static String section(String dom, String column) {
        int start = dom.indexOf("id=\"" + column + "\"");
        assertTrue(start >= 0, column + " not in\n" + dom);
        int end = dom.indexOf("</div>", start);
        return dom.substring(start, end < 0 ? dom.length() : end);
    }

    /** The topics the page should show beside {@code pins}: dense id modulo the topics (the store has no id map). */
    private static List<String> topics(List<String> pins) {
        return pins.stream().map(id -> Integer.toString(Integer.parseInt(id) % TOPICS)).toList();
    }

    private static List<String> ids(List<ScoredPin> pins) {
        return pins.stream().map(ScoredPin::id).toList();
    }

    @Test
    void shouldShowPinSagePixieAndContentSideBySide() throws Exception {
        Path browser = chromium();
        assumeTrue(browser != null, "no chromium on PATH: apt-get install chromium to run the page's browser test");
        Path store = dir.resolve("store");
        new PinBoardGenerator(GeneratorConfig.of(300, 40, 2000, 9).withTopics(TOPICS, 1)).writeStore(store, CsrBuildOptions.defaults());
        TestEmbeddings.write(EmbeddingStore.defaultRoot(store, Side.LEFT), Side.LEFT, 300, 8, 4, 9, TestEmbeddings.FINGERPRINT);
        try (EmbeddingStore embeddings = EmbeddingStore.open(EmbeddingStore.defaultRoot(store, Side.LEFT), false)) {
            AnnIndex.build(embeddings, AnnIndex.defaultRoot(store, Side.LEFT), 8, 32);
        }
        try (PinSageEngine engine = PinSageEngine.open(store, EngineOptions.builder().residency(Residency.MAPPED).threads(1).build());
             PinSageServer server = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(2, 16)
                     .withTopics(new PinTopics(TOPICS, 1)))) {
            Path profile = Files.createDirectories(dir.resolve("profile"));
            Process p = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom",
                    "http://127.0.0.1:" + server.port() + "/?pin=5")
                    .redirectError(dir.resolve("chromium.log").toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not exit");
            String dom = new String(out, StandardCharsets.UTF_8);
            String log = Files.readString(dir.resolve("chromium.log"));
            assertTrue(dom.contains("data-shown=\"5\""), "the page did not finish asking; chromium said:\n" + log + "\n" + dom);
            List<String> pinsage = ids(engine.related("5", 10));
            List<String> pixie = ids(engine.recommend(List.of(new WeightedPin("5", 1f)), 10, RecommendOptions.DEFAULTS));
            List<String> content = ids(engine.relatedByContent("5", 10, null));
            assertEquals(pinsage, column(dom, "pinsage", "data-id"));
            assertEquals(pixie, column(dom, "pixie", "data-id"));
            assertEquals(content, column(dom, "content", "data-id"));
            assertEquals(topics(pinsage), column(dom, "pinsage", "data-topic"));
            assertEquals(topics(pixie), column(dom, "pixie", "data-topic"));
            assertEquals(topics(content), column(dom, "content", "data-topic"));
            for (Map.Entry<String, List<String>> column : Map.of("pinsage", pinsage, "pixie", pixie, "content", content).entrySet()) {
                long same = topics(column.getValue()).stream().filter("1"::equals).count();
                assertTrue(section(dom, column.getKey()).contains("<p class=\"agreement\" data-same=\"" + same + "\">" + same + " of "
                        + column.getValue().size() + " share its topic</p>"), column.getKey() + ": " + dom);
            }
            // pin 5 has topic 1, one of the confusable pair (0, 1): the page says so above the columns
            assertTrue(dom.contains("<p id=\"query-pin\" class=\"confusable\">pin 5<span class=\"topic\">topic 1 ≈</span>"),
                    dom);
        }
    }
}
