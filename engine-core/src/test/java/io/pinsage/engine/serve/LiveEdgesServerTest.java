package io.pinsage.engine.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinsage.csr.Residency;
import io.pinsage.csr.live.LogSync;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.TestStores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /v1/edges} over a real loopback socket on a random port: added, refused, authorised. */
class LiveEdgesServerTest {

    @TempDir
    static Path dir;

    private static Path store;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token";

    @BeforeAll
    static void build() throws Exception {
        store = TestStores.pinsAndBoards(dir, 60);
    }

    /** A live engine over the shared store with a log of its own, served with {@code token} (null: none). */
    private record Served(PinSageEngine engine, PinSageServer server) implements AutoCloseable {
        static Served start(boolean live, String token) throws Exception {
            EngineOptions.Builder options = EngineOptions.builder().residency(Residency.MAPPED).threads(1);
            if (live) {
                options.liveEdges(Files.createTempFile(dir, "edges", ".log"), LogSync.eachBatch());
            }
            PinSageEngine engine = PinSageEngine.open(store, options.build());
            return new Served(engine, PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(2, 16)
                    .withMaxBodyBytes(1024).withWriteToken(token)));
        }

        HttpResponse<String> post(String body, String authorization) throws Exception {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/edges"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
            if (authorization != null) {
                r.header("Authorization", authorization);
            }
            return CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> get(String pathAndQuery) throws Exception {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() throws Exception {
            try {
                server.close();
            } finally {
                engine.close();
            }
        }
    }

    private static List<String> ids(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.body()).path("pins").forEach(p -> ids.add(p.path("id").asText()));
        return ids;
    }

    private static void assertRefused(HttpResponse<String> r, int status, String parameter) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.hasNonNull("error"), r.body());
        assertEquals(parameter, body.hasNonNull("parameter") ? body.get("parameter").asText() : null, r.body());
    }

    @Test
    void shouldAddEdgesAndRecommendTheNewPinOnceAnswered() throws Exception {
        try (Served s = Served.start(true, null)) {
            assertFalse(ids(s.get("/v1/recommend?pins=pin-3&k=100&steps=20000")).contains("pin-new"));
            assertEquals(404, s.get("/v1/recommend?pins=pin-new").statusCode());

            HttpResponse<String> r = s.post("""
                    {"edges": [{"pin": "pin-new", "board": "board-3"}, {"pin": "pin-new", "board": "board-new", "weight": 2},
                               {"pin": "pin-3", "board": "board-new"}, {"pin": 7001, "board": "board-3", "weight": 0.5}]}""", null);

            assertEquals(200, r.statusCode(), r.body());
            JsonNode added = JSON.readTree(r.body());
            assertEquals(4, added.path("accepted").asInt(), r.body());
            assertEquals(List.of("pin-new", "7001"), List.of(added.path("newPins").get(0).asText(), added.path("newPins").get(1).asText()));
            assertEquals("board-new", added.path("newBoards").get(0).asText(), r.body());
            assertTrue(ids(s.get("/v1/recommend?pins=pin-3&k=100&steps=20000")).contains("pin-new"));
            assertTrue(ids(s.get("/v1/recommend?pins=pin-new&k=10")).contains("pin-3"));
            JsonNode health = JSON.readTree(s.get("/healthz").body());
            assertEquals(62, health.path("pins").asInt());
            assertEquals(124, health.path("edges").asLong());
        }
    }

    @Test
    void shouldRefuseMalformedEdgesNamingTheFieldAndApplyNothing() throws Exception {
        String good = "{\"pin\": \"pin-x\", \"board\": \"board-1\"}";
        String[][] cases = {
                {"{\"edges\": [", "body"},
                {"[]", "body"},
                {"{\"edges\": [" + good + "]} {}", "body"},
                {"{}", "edges"},
                {"{\"edges\": []}", "edges"},
                {"{\"edges\": {}}", "edges"},
                {"{\"edges\": [" + good + "], \"dry\": true}", "dry"},
                {"{\"edges\": [" + good + ", 3]}", "edges[1]"},
                {"{\"edges\": [" + good + ", {\"pin\": \"pin-y\"}]}", "edges[1].board"},
                {"{\"edges\": [" + good + ", {\"board\": \"board-1\"}]}", "edges[1].pin"},
                {"{\"edges\": [" + good + ", {\"pin\": 1.5, \"board\": \"board-1\"}]}", "edges[1].pin"},
                {"{\"edges\": [" + good + ", {\"pin\": \"\", \"board\": \"board-1\"}]}", "edges[1].pin"},
                {"{\"edges\": [" + good + ", {\"pin\": \"pin-y\", \"board\": true}]}", "edges[1].board"},
                {"{\"edges\": [" + good + ", {\"pin\": \"pin-y\", \"board\": \"board-1\", \"weight\": NaN}]}", "edges[1].weight"},
                {"{\"edges\": [" + good + ", {\"pin\": \"pin-y\", \"board\": \"board-1\", \"weight\": -1}]}", "edges[1].weight"},
                {"{\"edges\": [" + good + ", {\"pin\": \"pin-y\", \"board\": \"board-1\", \"weight\": 1e300}]}", "edges[1].weight"},
                {"{\"edges\": [" + good + ", {\"pin\": \"pin-y\", \"board\": \"board-1\", \"weight\": \"1\"}]}", "edges[1].weight"},
                {"{\"edges\": [" + good + ", {\"pin\": \"pin-y\", \"board\": \"board-1\", \"when\": 5}]}", "edges[1].when"},
                {"{\"edges\": [{\"pin\": \"pin-y\", \"pin\": \"pin-z\", \"board\": \"board-1\"}]}", "body"},
        };
        try (Served s = Served.start(true, null)) {
            for (String[] c : cases) {
                assertRefused(s.post(c[0], null), 400, c[1]);
            }
            assertEquals(404, s.get("/v1/recommend?pins=pin-x").statusCode(), "nothing of a refused batch is applied");
            assertEquals(120, JSON.readTree(s.get("/healthz").body()).path("edges").asLong());
            assertRefused(s.post("{\"edges\": [" + good + ", {\"pin\": \"pin-y\", \"board\": \"x".repeat(300) + "\"}]}", null), 413, "body");
            assertEquals(200, s.post("{\"edges\": [" + good + "]}", null).statusCode(), "the server goes on");
        }
    }

    @Test
    void shouldAskWritersForTheTokenAndNotReaders() throws Exception {
        try (Served s = Served.start(true, TOKEN)) {
            String body = "{\"edges\": [{\"pin\": \"pin-t\", \"board\": \"board-2\"}]}";
            for (String wrong : new String[]{null, "Bearer nope", "Bearer " + TOKEN + "x", TOKEN, "Basic " + TOKEN}) {
                HttpResponse<String> r = s.post(body, wrong);
                assertRefused(r, 401, "authorization");
                assertEquals("Bearer", r.headers().firstValue("www-authenticate").orElse(null));
            }
            assertEquals(404, s.get("/v1/recommend?pins=pin-t").statusCode());
            assertEquals(200, s.post(body, "Bearer " + TOKEN).statusCode());
            assertEquals(200, s.get("/v1/recommend?pins=pin-t").statusCode(), "reads need no token");
        }
    }

    @Test
    void shouldRefuseEdgesWhereTheEngineTakesNoneOrTheMethodIsWrong() throws Exception {
        try (Served s = Served.start(false, null)) {
            assertRefused(s.post("{\"edges\": [{\"pin\": \"pin-1\", \"board\": \"board-2\"}]}", null), 501, null);
            assertRefused(s.get("/v1/edges"), 405, null);
        }
    }
}
