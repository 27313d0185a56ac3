package io.pinsage.engine.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pinsage.csr.EdgeWeight;
import io.pinsage.csr.live.EdgeBatch;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /v1/edges} read into an {@link EdgeBatch}:
 * {@code {"edges": [{"pin": ID, "board": ID, "weight": W}, ...]}}, ids as strings or integers, {@code weight}
 * optional (default 1), positive and finite ({@link EdgeWeight}, the rule and message of edge files). Anything else is a {@link BadRequestException} (400) naming the
 * field, e.g. {@code edges[3].weight}: malformed JSON ({@code body}), a repeated or unknown field, a missing one, an
 * id that is neither a non-empty string nor an integer, a weight that is not such a number. {@code NaN} and
 * {@code Infinity} are read (some encoders write them) so that the refusal names the edge. Thread-safe; stateless.
 */
final class EdgeRequest {

    /** Strict where the default reader is lenient: a repeated key or a second document is an error, not ignored. */
    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> EDGE_FIELDS = Set.of("pin", "board", "weight");

    private EdgeRequest() {
    }

    /** The batch {@code body} asks for, in its order. */
    static EdgeBatch parse(byte[] body) {
        JsonNode root;
        try {
            root = READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequestException(400, "body", "malformed JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new BadRequestException(400, "body", "unreadable body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException(400, "body", "expected a JSON object {\"edges\": [...]}");
        }
        onlyFields(root, Set.of("edges"), "");
        JsonNode edges = root.get("edges");
        if (edges == null || !edges.isArray() || edges.isEmpty()) {
            throw new BadRequestException(400, "edges", "edges: expected a non-empty array of {\"pin\": ID, \"board\": ID, "
                    + "\"weight\": W}");
        }
        EdgeBatch batch = new EdgeBatch();
        for (int i = 0; i < edges.size(); i++) {
            String at = "edges[" + i + "]";
            JsonNode edge = edges.get(i);
            if (!edge.isObject()) {
                throw new BadRequestException(400, at, at + ": expected an object {\"pin\": ID, \"board\": ID, \"weight\": W}");
            }
            onlyFields(edge, EDGE_FIELDS, at + ".");
            batch.add(id(edge, at, "pin"), id(edge, at, "board"), weight(edge, at));
        }
        return batch;
    }

    private static void onlyFields(JsonNode object, Set<String> allowed, String prefix) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            if (!allowed.contains(name)) {
                throw new BadRequestException(400, prefix + name, "unknown field " + prefix + name + "; expected "
                        + allowed.stream().sorted().toList());
            }
        }
    }

    private static String id(JsonNode edge, String at, String field) {
        JsonNode id = edge.get(field);
        String name = at + "." + field;
        if (id == null) {
            throw new BadRequestException(400, name, name + " is missing: expected a string or an integer id");
        }
        if (id.isTextual() && !id.textValue().isEmpty()) {
            return id.textValue();
        }
        if (id.isIntegralNumber()) {
            return id.bigIntegerValue().toString();
        }
        throw new BadRequestException(400, name, name + "=" + id + ": expected a non-empty string or an integer id");
    }

    private static float weight(JsonNode edge, String at) {
        JsonNode w = edge.get("weight");
        if (w == null) {
            return 1f;
        }
        String name = at + ".weight";
        if (!w.isNumber()) {
            throw new BadRequestException(400, name, EdgeWeight.notANumber(name, w.toString()));
        }
        float value = (float) w.doubleValue();
        String problem = EdgeWeight.check(name, w.toString(), value);
        if (problem != null) {
            throw new BadRequestException(400, name, problem);
        }
        return value;
    }
}
