package io.pinsage.engine.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.live.LogSync;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /v1/edges} of a new pin, then {@code GET /v1/related} of a pin on the same boards names it. */
class FreshPinsServerTest {

    @TempDir
    Path dir;

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return CLIENT.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean names(String body, String pin) throws Exception {
        JsonNode pins = JSON.readTree(body).path("pins");
        assertEquals(10, pins.size(), body);
        for (JsonNode p : pins) {
            if (p.path("id").asText().equals(pin)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aPinPostedAsEdgesShouldAppearInRelatedOfAPinOfTheSameBoards() throws Exception {
        TestStores.Inductive t = TestStores.inductive(dir, 300);
        StringBuilder edges = new StringBuilder("{\"edges\":[");
        try (GraphStore s = GraphStore.open(t.store())) {
            for (int i = 0; i < s.graph().degree(Side.LEFT, 17); i++) {
                edges.append(i == 0 ? "" : ",").append("{\"pin\":\"5000\",\"board\":").append(s.graph().neighbor(Side.LEFT, 17, i))
                        .append('}');
            }
        }
        edges.append("]}");
        try (PinSageEngine engine = PinSageEngine.open(t.store(), EngineOptions.builder().threads(1).model(t.model())
                .liveEdges(null, LogSync.eachBatch()).build());
             PinSageServer server = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(2, 16))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpRequest.Builder related = HttpRequest.newBuilder(URI.create(base + "/v1/related?pin=17&k=10"));
            HttpResponse<String> before = send(related);
            assertEquals(200, before.statusCode(), before.body());
            assertFalse(names(before.body(), "5000"));

            HttpResponse<String> posted = send(HttpRequest.newBuilder(URI.create(base + "/v1/edges"))
                    .POST(HttpRequest.BodyPublishers.ofString(edges.toString())));
            assertEquals(200, posted.statusCode(), posted.body());

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean found = false;
            while (!found && System.nanoTime() < deadline) {
                HttpResponse<String> after = send(related);
                assertEquals(200, after.statusCode(), after.body());
                found = names(after.body(), "5000");
                if (!found) {
                    Thread.sleep(5);
                }
            }
            assertTrue(found, "the posted pin among pin 17's related within 30 s");
        }
    }
}
