package io.pinsage.engine.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.ScoredPin;
import io.pinsage.engine.api.TestStores;
import io.pinsage.engine.api.WeightedPin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /v1/pins} over a real loopback socket on a random port: a new pin's embedding, related pins, refusals. */
class NewPinServerTest {

    @TempDir
    static Path dir;

    private static PinSageEngine engine;
    private static PinSageServer server;
    private static float[] features;
    private static final List<WeightedPin> BOARDS = new ArrayList<>();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        TestStores.Inductive t = TestStores.inductive(dir, 300);
        try (GraphStore s = GraphStore.open(t.store());
             EmbeddingStore e = EmbeddingStore.open(EmbeddingStore.defaultRoot(t.store(), Side.LEFT), false)) {
            // the new pin copies the saved pin of the longest embedding: dot products rank long ones high
            int copied = 0;
            double longest = 0;
            float[] row = new float[e.dim()];
            for (int p = 0; p < e.nodeCount(); p++) {
                e.read(p, row, 0);
                double norm = 0;
                for (float v : row) {
                    norm += v * v;
                }
                if (norm > longest && s.graph().degree(Side.LEFT, p) >= 2) {
                    longest = norm;
                    copied = p;
                }
            }
            FeatureMatrix f = s.features(Side.LEFT).orElseThrow();
            features = new float[f.dim()];
            f.copyRow(copied, features, 0);
            for (int i = 0; i < s.graph().degree(Side.LEFT, copied); i++) {
                BOARDS.add(new WeightedPin(Integer.toString(s.graph().neighbor(Side.LEFT, copied, i)), 1f));
            }
        }
        engine = PinSageEngine.open(t.store(), EngineOptions.builder().threads(1).model(t.model()).build());
        server = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(2, 16).withTopics(new PinTopics(5, 1)));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        engine.close();
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/pins"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode request(String pin) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode f = body.putArray("features");
        for (float v : features) {
            f.add(v);
        }
        ArrayNode boards = body.putArray("boards");
        for (WeightedPin b : BOARDS) {
            boards.addObject().put("board", b.id()).put("weight", b.weight());
        }
        body.put("k", 5);
        if (pin != null) {
            body.put("pin", pin);
        }
        return body;
    }

    private static void assertRefused(HttpResponse<String> r, int status, String field) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.hasNonNull("error"), r.body());
        assertEquals(field, body.path("parameter").asText(null), r.body());
    }

    @Test
    void shouldAnswerTheEngineEmbeddingAndRelatedPins() throws Exception {
        HttpResponse<String> r = post(request(null).toString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        float[] want = engine.embedNewPin(features, BOARDS);
        assertEquals(want.length, body.path("embedding").size());
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], body.path("embedding").get(i).floatValue(), 0f, "column " + i);
        }
        List<ScoredPin> related = engine.relatedTo(want, 5, null);
        assertEquals(related.size(), body.path("related").size());
        for (int i = 0; i < related.size(); i++) {
            assertEquals(related.get(i).id(), body.path("related").get(i).path("id").asText());
            // an added pin (another test may have added one) has no generated topic
            assertEquals(!related.get(i).id().startsWith("fresh-"), body.path("related").get(i).has("topic"), r.body());
        }
        assertFalse(body.has("pin"), "nothing added without an id");
    }

    @Test
    void anAddedPinShouldBeFoundByLaterRelatedCalls() throws Exception {
        HttpResponse<String> r = post(request("fresh-1").put("k", 100).toString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("fresh-1", body.path("pin").asText());
        // dot products are not symmetric in rank: a related pin whose own 10th nearest scores below the new pin
        String query = null;
        for (JsonNode p : body.path("related")) {
            List<ScoredPin> others = engine.relatedExact(p.path("id").asText(), 10, id -> !id.equals("fresh-1"));
            if (p.path("score").floatValue() > others.get(9).score() + 1e-3f) {
                query = p.path("id").asText();
                break;
            }
        }
        assertTrue(query != null, "no pin ranks the new pin among its 10 nearest: " + r.body());
        HttpResponse<String> related = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/related?pin=" + query + "&k=10")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, related.statusCode(), related.body());
        boolean found = false;
        for (JsonNode p : JSON.readTree(related.body()).path("pins")) {
            found |= p.path("id").asText().equals("fresh-1");
        }
        assertTrue(found, related.body());
        assertRefused(post(request("fresh-1").toString()), 409, "pin");
        assertRefused(post(request("0").toString()), 409, "pin");
    }

    @Test
    void aPinSavedWithPinsShouldBeEmbeddedFromThemWithIdsAsStringsOrNumbers() throws Exception {
        ObjectNode withPins = request(null);
        withPins.remove("boards");
        withPins.putArray("savedWith").add("3").add(17);
        HttpResponse<String> r = post(withPins.toString());
        assertEquals(200, r.statusCode(), r.body());
        float[] want = engine.embedNewPin(features, List.of(), List.of(new WeightedPin("3", 1f), new WeightedPin("17", 1f)));
        JsonNode embedding = JSON.readTree(r.body()).path("embedding");
        assertEquals(want.length, embedding.size());
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], embedding.get(i).floatValue(), 0f, "column " + i);
        }
        // boards and pins together: one walk shared among both
        ObjectNode both = request(null);
        both.putArray("savedWith").add(3);
        HttpResponse<String> r2 = post(both.toString());
        assertEquals(200, r2.statusCode(), r2.body());
        float[] wantBoth = engine.embedNewPin(features, BOARDS, List.of(new WeightedPin("3", 1f)));
        assertEquals(wantBoth[0], JSON.readTree(r2.body()).path("embedding").get(0).floatValue(), 0f);

        ObjectNode unknown = request(null);
        unknown.putArray("savedWith").add(3).add("pin-x");
        HttpResponse<String> refused = post(unknown.toString());
        assertRefused(refused, 404, "savedWith[1]");
        assertTrue(JSON.readTree(refused.body()).path("error").asText().contains("pin-x"), refused.body());
        // named by its place, whatever blanks the id carries (an em space the id map keeps, a tab it trims)
        for (String odd : new String[] {"pin-x\u2003", "\tpin-x", "\u0001pin-x"}) {
            ObjectNode spaced = request(null);
            spaced.putArray("savedWith").add(3).add(17).add(odd);
            assertRefused(post(spaced.toString()), 404, "savedWith[2]");
        }
        ObjectNode fraction = request(null);
        fraction.putArray("savedWith").add(3.5);
        assertRefused(post(fraction.toString()), 400, "savedWith[0]");
        ObjectNode empty = request(null);
        empty.putArray("savedWith");
        assertRefused(post(empty.toString()), 400, "savedWith");
        ObjectNode neither = request(null);
        neither.remove("boards");
        assertRefused(post(neither.toString()), 400, "boards");
    }

    @Test
    void aPinAddedByAnEarlierRequestShouldServeAsSavedWithOfTheNext() throws Exception {
        assertEquals(200, post(request("fresh-saved").toString()).statusCode());
        ObjectNode next = request(null);
        next.remove("boards");
        next.putArray("savedWith").addObject().put("pin", "fresh-saved").put("weight", 2);
        HttpResponse<String> r = post(next.toString());
        assertEquals(200, r.statusCode(), r.body());
        float[] want = engine.embedNewPin(features, List.of(), List.of(new WeightedPin("fresh-saved", 2f)));
        assertEquals(want[0], JSON.readTree(r.body()).path("embedding").get(0).floatValue(), 0f);

        ObjectNode unknown = request(null);
        unknown.putArray("savedWith").add("fresh-saved").addObject().put("pin", "nobody-knows");
        HttpResponse<String> refused = post(unknown.toString());
        assertRefused(refused, 404, "savedWith[1].pin");
        assertTrue(JSON.readTree(refused.body()).path("error").asText().contains("nobody-knows"), refused.body());
        ObjectNode weight = request(null);
        weight.putArray("savedWith").addObject().put("pin", "fresh-saved").put("weight", 0);
        assertRefused(post(weight.toString()), 400, "savedWith[0].weight");
        ObjectNode extra = request(null);
        extra.putArray("savedWith").addObject().put("pin", "fresh-saved").put("colour", "red");
        assertRefused(post(extra.toString()), 400, "savedWith[0].colour");
    }

    @Test
    void badBodiesShouldBeRefusedNamingTheField() throws Exception {
        assertRefused(post("{\"features\": [1,"), 400, "body");
        assertRefused(post("[1, 2]"), 400, "body");
        assertRefused(post(request(null).put("colour", "red").toString()), 400, "colour");
        ObjectNode wide = request(null);
        ((ArrayNode) wide.get("features")).add(1f);
        assertRefused(post(wide.toString()), 400, "features");
        ObjectNode text = request(null);
        ((ArrayNode) text.get("features")).set(0, JSON.getNodeFactory().textNode("x"));
        assertRefused(post(text.toString()), 400, "features");
        ObjectNode unknown = request(null);
        ((ObjectNode) unknown.get("boards").get(0)).put("board", "no-such-board");
        assertRefused(post(unknown.toString()), 404, "boards");
        ObjectNode extra = request(null);
        ((ObjectNode) extra.get("boards").get(0)).put("colour", "red");
        assertRefused(post(extra.toString()), 400, "boards[0].colour");
        ObjectNode weight = request(null);
        ((ObjectNode) weight.get("boards").get(0)).put("weight", -1);
        assertRefused(post(weight.toString()), 400, "boards[0].weight");
        ObjectNode none = request(null);
        none.putArray("boards");
        assertRefused(post(none.toString()), 400, "boards");
        assertRefused(post(request(null).put("k", 0).toString()), 400, "k");
        ObjectNode missing = request(null);
        missing.remove("features");
        assertRefused(post(missing.toString()), 400, "features");
        HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/pins")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode(), get.body());
    }

    @Test
    void aServerWithAWriteTokenShouldAskForItHere() throws Exception {
        try (PinSageServer guarded = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(1, 4)
                .withWriteToken("s3cret"))) {
            for (String authorization : new String[] {null, "Bearer nope"}) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guarded.port() + "/v1/pins"))
                        .POST(HttpRequest.BodyPublishers.ofString(request(null).toString()));
                if (authorization != null) {
                    b.header("Authorization", authorization);
                }
                assertRefused(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString()), 401, "authorization");
            }
            HttpResponse<String> ok = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guarded.port()
                    + "/v1/pins")).header("Authorization", "Bearer s3cret")
                    .POST(HttpRequest.BodyPublishers.ofString(request(null).toString())).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
        }
    }
}
