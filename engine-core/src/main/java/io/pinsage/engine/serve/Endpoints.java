package io.pinsage.engine.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 *   <li>{@code POST /v1/edges} with {@code {"edges":[{"pin":ID,"board":ID,"weight":W},..]}} ({@link EdgeRequest}):
 *       adds the edges as one batch and answers once they are durable and visible,
 *       {@code {"accepted":N,"newPins":[..],"newBoards":[..]}}; 501 when the engine has no live edges, 503 when the
 *       live graph is full.</li>
 * </ul>
 * With {@link PinTopics} known (a synthetic store), every pin of an answer also has {@code "topic"} and
 * {@code "confusable"}, and related answers name the query pin's as {@code "query":{"id":..,"topic":..,..}}.
 * Errors: {@code {"error":"..","parameter":".."}} with 400 for malformed or out-of-range parameters, 404 for pins
 * the store does not know, 501 for related pins on a store without the embeddings, index or features asked for.
 */
final class Endpoints {

    static final String PAGE = "/";
    static final String HEALTH = "/healthz";
    static final String RECOMMEND = "/v1/recommend";
    static final String RELATED = "/v1/related";
    static final String METRICS = "/metrics";
    static final String EDGES = "/v1/edges";

    /** Query pins one request may name: each costs a walk budget share and a scratch. */
    static final int MAX_QUERY_PINS = 100;

    private static final Set<String> RECOMMEND_PARAMETERS = Set.of("pins", "k", "steps", "seed", "blocklist");
    private static final Set<String> RELATED_PARAMETERS = Set.of("pin", "k", "by");

    private final PinSageEngine engine;
    private final ObjectMapper json = new ObjectMapper();
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
        int topic = topics.topicOf(engine.densePin(id));
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
