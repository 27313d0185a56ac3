package io.pinsage.engine.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.pinsage.csr.Side;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.csr.live.BadEdgeException;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.engine.api.EdgesAdded;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.RecommendOptions;
import io.pinsage.engine.api.ScoredPin;
import io.pinsage.engine.api.WeightedPin;
import io.pinsage.walk.PixieQuery;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each endpoint answers, apart from the network: a path and its decoded query parameters in, a status and
 * a JSON body out. Thread-safe (the engine and Jackson's mapper are).
 *
 * <ul>
 *   <li>{@code GET /}: a page showing a pin's related pins by PinSage, Pixie and content side by side (HTML).</li>
 *   <li>{@code GET /healthz}: {@code {"status":"ok","pins":..,"boards":..,"edges":..}}</li>
 *   <li>{@code GET /v1/recommend?pins=ID[:W],..&k=K[&steps=N][&seed=S][&blocklist=ID,..]}: Pixie's top k,
 *       {@code {"pins":[{"id":..,"score":..},..]}}. A pin's weight follows the last colon (default 1); k defaults
 *       to 20.</li>
 *   <li>{@code GET /v1/related?pin=ID&k=K[&by=index|exact|content]}: the pins nearest by embedding (dot product)
 *       through the index (the default) or by a full scan, or ({@code content}) by the cosine of pin features;
 *       {@code {"pins":[{"id":..,"score":..},..]}}.</li>
 *   <li>{@code POST /v1/pins} with {@code {"features":[..],"boards":[{"board":ID,"weight":W},..],"k":K,"pin":ID}}
 *       (weight defaults to 1, k to 20; {@code pin} optional): a new pin's embedding by the served inductive model
 *       and its related pins, {@code {"embedding":[..],"related":[{"id":..,"score":..},..]}}; with {@code pin}, it is
 *       also added under that id, so later related answers may hold it, and the answer names it as {@code "pin"}.
 *       {@code "savedWith":[ID or {"pin":ID,"weight":W},..]} names pins it is saved with (the store's, those live edges
 *       or an earlier request added), boards then optional; an unknown one is 404 naming {@code savedWith[i]} or
 *       {@code savedWith[i].pin}. Unknown fields, a feature count other than the model's, a weight that is not positive and finite are 400
 *       naming the field; an unknown board 404; a {@code pin} the store or an earlier request holds 409; a server
 *       without a model for new pins 501. A write, like {@code /v1/edges}: it asks for the write token when the server
 *       has one.</li>
 *   <li>{@code POST /v1/edges} with {@code {"edges":[{"pin":ID,"board":ID,"weight":W},..]}} ({@link EdgeRequest}):
 *       adds the edges as one batch and answers once they are durable and visible,
 *       {@code {"accepted":N,"newPins":[..],"newBoards":[..]}}; 501 when the engine has no live edges, 503 when the
 *       live graph is full.</li>
 * </ul>
 * With {@link PinTopics} known (a synthetic store), every pin of an answer also has {@code "topic"} and
 * {@code "confusable"}, and related answers name the query pin's as {@code "query":{"id":..,"topic":..,..}}.
 * Errors: {@code {"error":"..","parameter":".."}} ({@code parameter} names the query parameter or body field) with
 * 400 for malformed or out-of-range parameters, 404 for pins
 * the store does not know, 501 for related pins on a store without the embeddings, index or features asked for.
 */
final class Endpoints {

    static final String PAGE = "/";
    static final String HEALTH = "/healthz";
    static final String RECOMMEND = "/v1/recommend";
    static final String RELATED = "/v1/related";
    static final String METRICS = "/metrics";
    static final String PINS = "/v1/pins";
    static final String EDGES = "/v1/edges";

    /** Query pins one request may name: each costs a walk budget share and a scratch. */
    static final int MAX_QUERY_PINS = 100;

    private static final Set<String> RECOMMEND_PARAMETERS = Set.of("pins", "k", "steps", "seed", "blocklist");
    private static final Set<String> RELATED_PARAMETERS = Set.of("pin", "k", "by");
    private static final Set<String> NEW_PIN_FIELDS = Set.of("features", "boards", "savedWith", "k", "pin");
    private static final Set<String> BOARD_FIELDS = Set.of("board", "weight");
    private static final Set<String> PIN_FIELDS = Set.of("pin", "weight");
    /** Boards one new pin may name: each costs a share of its walk. */
    static final int MAX_BOARDS = 1000;

    private final PinSageEngine engine;
    private final ObjectMapper json = new ObjectMapper();
    private final ObjectReader strictJson = json.reader().with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY,
            DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final int maxK;
    private final PinTopics topics;

    Endpoints(PinSageEngine engine, int maxK, PinTopics topics) {
        this.engine = engine;
        this.maxK = maxK;
        this.topics = topics;
    }

    /** A status and its JSON body. */
    record Answer(int status, byte[] body) {
    }

    /** The page's bytes, read once from the classpath. */
    static byte[] page() {
        return Page.BYTES;
    }

    /** Holds the page, loaded on first use. */
    private static final class Page {
        static final byte[] BYTES = load();

        private static byte[] load() {
            try (InputStream in = Endpoints.class.getResourceAsStream("index.html")) {
                if (in == null) {
                    throw new IllegalStateException("index.html is missing from the jar beside " + Endpoints.class.getName());
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    Answer health() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("pins", engine.pinCount());
        body.put("boards", engine.boardCount());
        body.put("edges", engine.edgeCount());
        return new Answer(200, write(body));
    }

    Answer recommend(QueryParameters q) {
        try {
            q.allowOnly(RECOMMEND_PARAMETERS);
            List<WeightedPin> pins = weightedPins(q.required("pins"));
            int k = q.intIn("k", 20, 1, maxK);
            long steps = q.longIn("steps", RecommendOptions.DEFAULTS.steps(), 1, PixieQuery.MAX_STEPS);
            long seed = q.longIn("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
            String blocklist = q.optional("blocklist");
            List<String> blocked = blocklist == null || blocklist.isBlank() ? List.of() : List.of(blocklist.split(","));
            RecommendOptions options = RecommendOptions.DEFAULTS.withSteps(steps).withSeed(seed).withBlocklist(blocked);
            List<ScoredPin> top;
            try {
                top = engine.recommend(pins, k, options);
            } catch (UnknownIdException e) {
                String parameter = blocked.contains(e.id()) && pins.stream().noneMatch(p -> p.id().trim().equals(e.id()))
                        ? "blocklist" : "pins";
                throw new BadRequestException(404, parameter, "pin " + e.id() + ": " + e.problem());
            }
            return new Answer(200, write(Map.of("pins", labelled(top))));
        } catch (BadRequestException e) {
            return error(e);
        }
    }

    Answer related(QueryParameters q) {
        try {
            q.allowOnly(RELATED_PARAMETERS);
            String pin = q.required("pin");
            int k = q.intIn("k", 20, 1, maxK);
            String by = q.optional("by");
            by = by == null ? "index" : by;
            String missing = switch (by) {
                case "index" -> !engine.hasEmbeddings() ? "this store has no pin embeddings: run ./pinsage embed"
                        : !engine.hasIndex() ? "this store's embeddings have no index: run ./pinsage index, or ask with by=exact"
                        : null;
                case "exact" -> engine.hasEmbeddings() ? null : "this store has no pin embeddings: run ./pinsage embed";
                case "content" -> engine.hasContent() ? null : "this store has no pin features";
                default -> throw new BadRequestException(400, "by", "by=" + by + ": expected index, exact or content");
            };
            if (missing != null) {
                throw new BadRequestException(501, "by", missing);
            }
            try {
                List<ScoredPin> pins = switch (by) {
                    case "exact" -> engine.relatedExact(pin, k, null);
                    case "content" -> engine.relatedByContent(pin, k, null);
                    default -> engine.related(pin, k);
                };
                Map<String, Object> body = new LinkedHashMap<>();
                if (topics.known()) {
                    body.put("query", label(pin, null));
                }
                body.put("pins", labelled(pins));
                return new Answer(200, write(body));
            } catch (UnknownIdException e) {
                throw new BadRequestException(404, "pin", "pin " + e.id() + ": " + e.problem());
            }
        } catch (BadRequestException e) {
            return error(e);
        }
    }

    Answer newPin(byte[] body) {
        try {
            if (!engine.hasNewPinModel()) {
                throw new BadRequestException(501, null, "this server has no model for new pins: serve with --model MODEL_DIR,"
                        + " a model trained with --id-embeddings off or hashed:N");
            }
            if (!engine.hasEmbeddings()) {
                throw new BadRequestException(501, null, "this store has no pin embeddings to relate new pins to: run ./pinsage embed");
            }
            JsonNode root;
            try {
                root = strictJson.readTree(body);
            } catch (IOException e) {
                throw new BadRequestException(400, "body", "malformed JSON: " + (e instanceof JsonProcessingException j
                        ? j.getOriginalMessage() : e.getMessage()));
            }
            if (root == null || !root.isObject()) {
                throw new BadRequestException(400, "body", "expected a JSON object {\"features\":[..],\"boards\":[..]}");
            }
            allowOnly(root, NEW_PIN_FIELDS, null);
            float[] features = features(root.get("features"));
            List<WeightedPin> savedWith = savedWith(root.get("savedWith"));
            List<WeightedPin> boards = root.get("boards") == null && !savedWith.isEmpty() ? List.of() : boards(root.get("boards"));
            JsonNode kNode = root.get("k");
            if (kNode != null && (!kNode.canConvertToInt() || !kNode.isIntegralNumber() || kNode.intValue() < 1
                    || kNode.intValue() > maxK)) {
                throw new BadRequestException(400, "k", "k=" + kNode + ": expected an integer in [1, " + maxK + "]");
            }
            int k = kNode == null ? 20 : kNode.intValue();
            JsonNode pinNode = root.get("pin");
            if (pinNode != null && (!pinNode.isTextual() || pinNode.asText().isBlank())) {
                throw new BadRequestException(400, "pin", "pin=" + pinNode + ": expected a non-empty string id");
            }
            String pin = pinNode == null ? null : pinNode.asText();
            float[] embedding;
            try {
                embedding = pin == null ? engine.embedNewPin(features, boards, savedWith)
                        : engine.addNewPin(pin, features, boards, savedWith);
            } catch (UnknownIdException e) {
                if (e.side() == Side.LEFT) {
                    JsonNode named = root.path("savedWith").path(e.index());
                    String at = "savedWith" + (e.index() < 0 ? "" : "[" + e.index() + "]" + (named.isObject() ? ".pin" : ""));
                    throw new BadRequestException(404, at, at + ": pin " + e.id() + ": " + e.problem());
                }
                throw new BadRequestException(404, "boards", "board " + e.id() + ": " + e.problem());
            } catch (IllegalArgumentException e) {
                // the body's checks above leave only an id already taken
                throw new BadRequestException(409, "pin", e.getMessage());
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            if (pin != null) {
                answer.put("pin", pin);
            }
            answer.put("embedding", embedding);
            answer.put("related", labelled(engine.relatedTo(embedding, k, pin == null ? null : id -> !id.equals(pin))));
            return new Answer(200, write(answer));
        } catch (BadRequestException e) {
            return error(e);
        }
    }

    /** Adds the edges of a {@code POST /v1/edges} body; the answer leaves once they are acknowledged. */
    Answer edges(byte[] body) {
        try {
            if (!engine.hasLiveEdges()) {
                throw new BadRequestException(501, null, "this server takes no edges: start it with serve --live");
            }
            EdgeBatch batch = EdgeRequest.parse(body);
            EdgesAdded added;
            try {
                added = engine.addEdges(batch);
            } catch (BadEdgeException e) {
                throw new BadRequestException(400, "edges[" + e.edge() + "]", e.getMessage());
            } catch (IllegalStateException e) {
                throw new BadRequestException(503, null, e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("accepted", added.edges());
            answer.put("newPins", added.newPins());
            answer.put("newBoards", added.newBoards());
            return new Answer(200, write(answer));
        } catch (BadRequestException e) {
            return error(e);
        }
    }

    /** @throws BadRequestException naming the first field of {@code node} not in {@code allowed} */
    private static void allowOnly(JsonNode node, Set<String> allowed, String within) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String field = within == null ? name : within + "." + name;
                throw new BadRequestException(400, field, "unknown field " + field + "; expected "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private float[] features(JsonNode node) {
        int dim = engine.newPinFeatureDim();
        if (node == null || !node.isArray()) {
            throw new BadRequestException(400, "features", "features: expected an array of " + dim + " numbers");
        }
        if (node.size() != dim) {
            throw new BadRequestException(400, "features", "features: " + node.size() + " numbers; the model expects " + dim);
        }
        float[] out = new float[dim];
        for (int i = 0; i < dim; i++) {
            JsonNode v = node.get(i);
            if (!v.isNumber() || !Float.isFinite(v.floatValue())) {
                throw new BadRequestException(400, "features", "features[" + i + "]=" + v + ": expected a finite number");
            }
            out[i] = v.floatValue();
        }
        return out;
    }

    /**
     * {@code savedWith}: the pins the new pin is saved with, each an id (a string or an integer, weight 1) or
     * {@code {"pin":ID,"weight":W}}; none when absent.
     */
    private static List<WeightedPin> savedWith(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new BadRequestException(400, "savedWith", "savedWith: expected a non-empty array of pin ids");
        }
        if (node.size() > MAX_BOARDS) {
            throw new BadRequestException(400, "savedWith", "savedWith: " + node.size() + " pins; expected at most " + MAX_BOARDS);
        }
        List<WeightedPin> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode id = node.get(i);
            String at = "savedWith[" + i + "]";
            if (id.isObject()) {
                out.add(weighted(id, at, "pin", PIN_FIELDS));
                continue;
            }
            if (!(id.isTextual() || id.isIntegralNumber()) || id.asText().isBlank()) {
                throw new BadRequestException(400, at, at + "=" + id + ": expected a pin id, a string or an integer, or "
                        + "{\"pin\":ID,\"weight\":W}");
            }
            out.add(new WeightedPin(id.asText(), 1f));
        }
        return out;
    }

    /** {@code {"board":ID,"weight":W}} or {@code {"pin":ID,"weight":W}} at {@code at}, the weight 1 when absent. */
    private static WeightedPin weighted(JsonNode object, String at, String idField, Set<String> fields) {
        allowOnly(object, fields, at);
        JsonNode id = object.get(idField);
        if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isBlank()) {
            throw new BadRequestException(400, at + "." + idField, at + "." + idField + "=" + id + ": expected a " + idField
                    + " id");
        }
        JsonNode w = object.get("weight");
        float weight = w == null ? 1f : w.isNumber() ? w.floatValue() : Float.NaN;
        if (!(weight > 0) || !Float.isFinite(weight)) {
            throw new BadRequestException(400, at + ".weight", at + ".weight=" + w + ": expected a positive finite number");
        }
        return new WeightedPin(id.asText(), weight);
    }

    private static List<WeightedPin> boards(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new BadRequestException(400, "boards", "boards: expected a non-empty array of {\"board\":ID,\"weight\":W}"
                    + " (or none, with savedWith)");
        }
        if (node.size() > MAX_BOARDS) {
            throw new BadRequestException(400, "boards", "boards: " + node.size() + " boards; expected at most " + MAX_BOARDS);
        }
        List<WeightedPin> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode b = node.get(i);
            String at = "boards[" + i + "]";
            if (!b.isObject()) {
                throw new BadRequestException(400, at, at + "=" + b + ": expected {\"board\":ID,\"weight\":W}");
            }
            out.add(weighted(b, at, "board", BOARD_FIELDS));
        }
        return out;
    }

    /** The pins as they are, or each with its topic when the store has topics. */
    private List<?> labelled(List<ScoredPin> pins) {
        if (!topics.known()) {
            return pins;
        }
        List<Map<String, Object>> out = new ArrayList<>(pins.size());
        for (ScoredPin p : pins) {
            out.add(label(p.id(), p.score()));
        }
        return out;
    }

    /** A pin's id, score (when not null), topic and whether the topic is confusable. */
    private Map<String, Object> label(String id, Float score) {
        Map<String, Object> pin = new LinkedHashMap<>();
        pin.put("id", id);
        if (score != null) {
            pin.put("score", score);
        }
        int dense;
        try {
            dense = engine.densePin(id);
        } catch (UnknownIdException e) {
            return pin; // a pin added since the store was written has no generated topic
        }
        int topic = topics.topicOf(dense);
        pin.put("topic", topic);
        pin.put("confusable", topics.confusable(topic));
        return pin;
    }

    /** {@code ID[:W],..}: the weight follows the last colon, so ids with colons are given with a weight. */
    private static List<WeightedPin> weightedPins(String text) {
        String[] terms = text.split(",", -1);
        if (terms.length > MAX_QUERY_PINS) {
            throw new BadRequestException(400, "pins", "pins: " + terms.length + " pins; expected at most " + MAX_QUERY_PINS);
        }
        List<WeightedPin> pins = new ArrayList<>(terms.length);
        for (String term : terms) {
            int colon = term.lastIndexOf(':');
            String id = colon < 0 ? term : term.substring(0, colon);
            if (id.isBlank()) {
                throw new BadRequestException(400, "pins", "pins=" + text + ": an empty pin id; expected ID[:WEIGHT],...");
            }
            float weight = 1f;
            if (colon >= 0) {
                String w = term.substring(colon + 1);
                try {
                    weight = Float.parseFloat(w.trim());
                } catch (NumberFormatException e) {
                    weight = Float.NaN;
                }
                if (!(weight > 0) || !Float.isFinite(weight)) {
                    throw new BadRequestException(400, "pins", "pins: weight " + w + " of pin " + id
                            + ": expected a positive finite number");
                }
            }
            pins.add(new WeightedPin(id, weight));
        }
        return pins;
    }

    /** The JSON body of a refused request. */
    Answer error(BadRequestException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.getMessage());
        if (e.parameter() != null) {
            body.put("parameter", e.parameter());
        }
        return new Answer(e.status(), write(body));
    }

    private byte[] write(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // only maps, strings, numbers and records of them are written
            throw new IllegalStateException(e);
        }
    }
}
