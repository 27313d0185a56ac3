package io.pinsage.engine.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinsage.csr.Residency;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.engine.ann.AnnIndex;
import io.pinsage.engine.ann.TestEmbeddings;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.RecommendOptions;
import io.pinsage.engine.api.ScoredPin;
import io.pinsage.engine.api.TestStores;
import io.pinsage.engine.api.WeightedPin;
import io.pinsage.csr.TestSeed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint's answers and refusals over a real loopback socket on a random port. */
class PinSageServerTest {

    @TempDir
    static Path dir;

    private static PinSageEngine engine;
    private static PinSageServer server;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Path store = TestStores.pinsAndBoards(dir, 60);
        TestEmbeddings.write(EmbeddingStore.defaultRoot(store, Side.LEFT), Side.LEFT, 60, 8, 6, 5, TestEmbeddings.FINGERPRINT);
        try (EmbeddingStore embeddings = EmbeddingStore.open(EmbeddingStore.defaultRoot(store, Side.LEFT), false)) {
            AnnIndex.build(embeddings, AnnIndex.defaultRoot(store, Side.LEFT), 8, 32);
        }
        engine = PinSageEngine.open(store, EngineOptions.builder().residency(Residency.MAPPED).threads(1).build());
        server = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(2, 16).withMaxBodyBytes(1024));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        engine.close();
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts a JSON refusal with {@code status} naming {@code parameter} (null: none). */
    private static void assertRefused(HttpResponse<String> r, int status, String parameter) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.hasNonNull("error"), r.body());
        if (parameter == null) {
            assertTrue(!body.has("parameter"), r.body());
        } else {
            assertEquals(parameter, body.path("parameter").asText(), r.body());
        }
    }

    @Test
    void shouldAnswerHealthWithTheStoreSizes() throws Exception {
        HttpResponse<String> r = get("/healthz");
        assertEquals(200, r.statusCode());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("ok", body.path("status").asText());
        assertEquals(60, body.path("pins").asInt());
        assertEquals(10, body.path("boards").asInt());
    }

    @Test
    void shouldRecommendWhatTheEngineRecommends() throws Exception {
        HttpResponse<String> r = get("/v1/recommend?pins=pin-3:1,pin-13:2.5&k=5&steps=20000&seed=3&blocklist=pin-23");
        assertEquals(200, r.statusCode(), r.body());
        List<ScoredPin> want = engine.recommend(List.of(new WeightedPin("pin-3", 1f), new WeightedPin("pin-13", 2.5f)), 5,
                RecommendOptions.DEFAULTS.withSteps(20_000).withSeed(3).withBlocklist(List.of("pin-23")));
        JsonNode pins = JSON.readTree(r.body()).path("pins");
        assertEquals(want.size(), pins.size(), r.body());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).id(), pins.get(i).path("id").asText());
            assertEquals(want.get(i).score(), (float) pins.get(i).path("score").asDouble());
        }
    }

    @Test
    void shouldAnswerRelatedPinsByIndexAndExactly() throws Exception {
        HttpResponse<String> r = get("/v1/related?pin=pin-4&k=6");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode pins = JSON.readTree(r.body()).path("pins");
        List<ScoredPin> want = engine.related("pin-4", 6);
        assertEquals(want.size(), pins.size(), r.body());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).id(), pins.get(i).path("id").asText());
        }
        JsonNode exact = JSON.readTree(get("/v1/related?pin=pin-4&k=6&by=exact").body()).path("pins");
        assertEquals(engine.relatedExact("pin-4", 6, null).get(5).id(), exact.get(5).path("id").asText());
        assertRefused(get("/v1/related?k=6"), 400, "pin");
        assertRefused(get("/v1/related?pin=pin-4&k=-1"), 400, "k");
        assertRefused(get("/v1/related?pin=pin-4&by=maybe"), 400, "by");
        assertRefused(get("/v1/related?pin=pin-4&by=content"), 501, "by");
        assertRefused(get("/v1/related?pin=pin-4&pins=pin-5"), 400, "pins");
        assertRefused(get("/v1/related?pin=pin-60"), 404, "pin");
    }

    @Test
    void shouldAnswerNotImplementedForRelatedPinsWithoutEmbeddings() throws Exception {
        Path bare = java.nio.file.Files.createDirectories(dir.resolve("bare"));
        try (PinSageEngine plain = PinSageEngine.open(TestStores.pinsAndBoards(bare, 10), EngineOptions.builder().threads(1).build());
             PinSageServer other = PinSageServer.start(plain, ServerOptions.defaults(0).withWorkers(1, 4))) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + "/v1/related?pin=pin-1")).build(), HttpResponse.BodyHandlers.ofString());
            assertRefused(r, 501, "by");
            assertTrue(r.body().contains("./pinsage embed"), r.body());
        }
    }

    @Test
    void shouldLabelPinsWithTheirTopicsWhenTheStoreHasThem() throws Exception {
        PinTopics topics = new PinTopics(6, 1);
        try (PinSageServer labelled = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(1, 4).withTopics(topics))) {
            for (String query : List.of("/v1/related?pin=pin-4&k=6", "/v1/recommend?pins=pin-4&k=6&seed=1")) {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + labelled.port()
                        + query)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                JsonNode body = JSON.readTree(r.body());
                assertTrue(body.path("pins").size() > 0, r.body());
                for (JsonNode pin : body.path("pins")) {
                    int topic = engine.densePin(pin.path("id").asText()) % 6;
                    assertEquals(topic, pin.path("topic").asInt(), r.body());
                    assertEquals(topic < 2, pin.path("confusable").asBoolean(), r.body());
                }
            }
            JsonNode query = JSON.readTree(CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + labelled.port()
                    + "/v1/related?pin=pin-4&k=3&by=exact")).build(), HttpResponse.BodyHandlers.ofString()).body()).path("query");
            assertEquals("pin-4", query.path("id").asText());
            assertEquals(engine.densePin("pin-4") % 6, query.path("topic").asInt());
        }
        assertTrue(!JSON.readTree(get("/v1/related?pin=pin-4&k=3").body()).path("pins").get(0).has("topic"));
    }

    @Test
    void shouldRefuseBadParametersNamingThem() throws Exception {
        assertRefused(get("/v1/recommend?k=5"), 400, "pins");
        assertRefused(get("/v1/recommend?pins=&k=5"), 400, "pins");
        assertRefused(get("/v1/recommend?pins=pin-1:0"), 400, "pins");
        assertRefused(get("/v1/recommend?pins=pin-1:abc"), 400, "pins");
        assertRefused(get("/v1/recommend?pins=pin-1,,pin-2"), 400, "pins");
        assertRefused(get("/v1/recommend?pins=pin-1&k=0"), 400, "k");
        assertRefused(get("/v1/recommend?pins=pin-1&k=1001"), 400, "k");
        assertRefused(get("/v1/recommend?pins=pin-1&k=ten"), 400, "k");
        assertRefused(get("/v1/recommend?pins=pin-1&k=1&k=2"), 400, "k");
        assertRefused(get("/v1/recommend?pins=pin-1&steps=0"), 400, "steps");
        assertRefused(get("/v1/recommend?pins=pin-1&steps=99999999999"), 400, "steps");
        assertRefused(get("/v1/recommend?pins=pin-1&color=red"), 400, "color");
        assertRefused(get("/v1/recommend?pins=pin-1" + ",pin-1".repeat(Endpoints.MAX_QUERY_PINS)), 400, "pins");
    }

    @Test
    void shouldAnswerNotFoundForUnknownPinsAndPaths() throws Exception {
        assertRefused(get("/v1/recommend?pins=pin-1,pin-999"), 404, "pins");
        assertRefused(get("/v1/recommend?pins=pin-1&blocklist=board-2"), 404, "blocklist");
        assertRefused(get("/v2/everything"), 404, null);
        HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/recommend?pins=pin-1")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertRefused(post, 405, null);
    }

    @Test
    void shouldRefuseOversizedBodiesAndMalformedRequests() throws Exception {
        String big = "POST /v1/recommend HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(100_000);
        String refused = raw(big);
        assertTrue(refused.startsWith("HTTP/1.1 413"), "oversized body");
        JsonNode error = JSON.readTree(refused.substring(refused.indexOf("\r\n\r\n") + 4));
        assertEquals("body", error.path("parameter").asText(), refused);
        assertTrue(error.path("error").asText().contains("1024 bytes"), refused);
        assertTrue(raw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + "X-Long: " + "y".repeat(20_000) + "\r\n\r\n")
                .matches("(?s)HTTP/1.1 4\\d\\d.*"), "oversized header");
        assertTrue(raw("BLAH\r\n\r\n").startsWith("HTTP/1.1 400"), "malformed request line");
        assertEquals(200, get("/healthz").statusCode(), "the server goes on");
    }

    @Test
    void shouldCloseConnectionsThatSendNothing() throws Exception {
        try (PinSageServer impatient = PinSageServer.start(engine, ServerOptions.defaults(0).withIdleTimeout(Duration.ofMillis(200)));
             Socket s = new Socket("127.0.0.1", impatient.port())) {
            s.setSoTimeout(20_000);
            assertEquals(-1, s.getInputStream().read(), "the server hangs up an idle connection");
        }
    }

    @Test
    void shouldCountRequestsAndLatenciesPerEndpoint() throws Exception {
        get("/v1/recommend?pins=pin-1&k=2");
        get("/v1/recommend?pins=pin-1&k=0");
        get("/healthz");
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), r.headers().toString());
        String text = r.body();
        for (String line : List.of("pinsage_http_requests_total{endpoint=\"/v1/recommend\",status=\"200\"}",
                "pinsage_http_requests_total{endpoint=\"/v1/recommend\",status=\"400\"}",
                "pinsage_http_requests_total{endpoint=\"/healthz\",status=\"200\"}",
                "pinsage_http_request_duration_seconds_bucket{endpoint=\"/v1/recommend\",le=\"0.001\"}",
                "pinsage_http_request_duration_seconds_count{endpoint=\"/v1/recommend\"}")) {
            assertTrue(text.contains(line), line + " in\n" + text);
        }
    }

    @Test
    void shouldAnswerEveryFuzzedQueryWithJson() throws Exception {
        long seed = TestSeed.next();
        Random rnd = new Random(seed);
        String[] pieces = {"pins", "k", "steps", "seed", "blocklist", "=", "&", ":", ",", "pin-1", "pin-7", "-1", "0", "1e9",
                "%", "%zz", "%00", "\u00fc", "board-1", " ", "NaN", "Infinity", "99999999999999999999", "?", "#", "+"};
        for (int i = 0; i < 150; i++) {
            StringBuilder q = new StringBuilder();
            for (int j = rnd.nextInt(8); j >= 0; j--) {
                q.append(pieces[rnd.nextInt(pieces.length)]);
            }
            String query = URLEncoder.encode(q.toString(), StandardCharsets.UTF_8).replace("%3D", "=").replace("%26", "&");
            HttpResponse<String> r = get("/v1/recommend?" + query);
            String context = TestSeed.tag(seed) + " query=" + query + " -> " + r.statusCode() + " " + r.body();
            assertTrue(r.statusCode() == 200 || r.statusCode() == 400 || r.statusCode() == 404, context);
            JSON.readTree(r.body()); // any answer is JSON
        }
        assertEquals(200, get("/healthz").statusCode());
    }

    /** Sends {@code request} bytes as they are and returns what comes back until the server hangs up. */
    private static String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // the server may hang up before reading all of an oversized request; its answer is still there
            }
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
