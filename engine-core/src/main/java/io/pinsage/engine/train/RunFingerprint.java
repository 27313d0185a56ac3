package io.pinsage.engine.train;

import io.pinsage.nn.model.PinSageConfig;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a trainer and its samplers must agree on before a minibatch moves between them: the training data's identity,
 * the neighbourhoods, the settings that fix each batch and the step, and the model. Both sides compute it with
 * {@link #of}; its {@link #bytes} are what the transport compares (as a digest) in its handshake.
 *
 * <p>The training part holds every {@link TrainingConfig} field that changes a batch or a step, the seed included;
 * not the epoch cap and patience (a resumed run may train longer with the samplers it had) nor the thread and queue
 * counts (each machine picks its own).
 *
 * <p>Immutable. {@link #summary} names each part with a short digest, so that a refusal can say which part differs.
 */
public record RunFingerprint(Map<String, String> parts) {

    /** The parts, in the order {@link #of} writes them. */
    public static final List<String> PARTS = List.of("data", "neighborhoods", "training", "model");

    /** @throws IllegalArgumentException if a part of {@link #PARTS} is missing or another is present */
    public RunFingerprint {
        if (!List.copyOf(parts.keySet()).equals(PARTS)) {
            throw new IllegalArgumentException("parts=" + parts.keySet() + ": must be " + PARTS + " in that order");
        }
        parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }

    /**
     * @param data          the training data's identity: its kind, shape and a digest of its content (or a store's
     *                      generation id), and how it is split into training pairs; it must fix the node inputs too,
     *                      since a trainer gathers its samplers' batches' inputs from its own
     * @param neighborhoods how every node's neighbourhood rows are computed
     */
    public static RunFingerprint of(String data, String neighborhoods, TrainingConfig t, PinSageConfig model) {
        return of(data, neighborhoods, t, "none", model);
    }

    /**
     * As above, for a run with hard negatives: {@code hardNegatives} says how they are drawn (band, members kept), and
     * joins the training part.
     */
    public static RunFingerprint of(String data, String neighborhoods, TrainingConfig t, String hardNegatives,
                                    PinSageConfig model) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("neighborhoods", neighborhoods);
        m.put("training", "batchSize=" + t.batchSize() + " sharedNegatives=" + t.sharedNegatives() + " inBatchNegatives="
                + t.inBatchNegatives() + " maxHardNegatives=" + t.maxHardNegatives() + " loss=" + t.loss() + " margin="
                + t.margin() + " temperature=" + t.temperature() + " learningRate=" + t.learningRate() + " embeddingRate="
                + t.embeddingRate() + " lrDecay=" + t.lrDecay() + " seed=" + t.seed() + " hardNegatives=" + hardNegatives
                + (t.leavePositivesOut() ? " leavePositivesOut=true" : "") + (t.weightDecay() > 0 ? " weightDecay=" + t.weightDecay() : ""));
        m.put("model", model.toString());
        return new RunFingerprint(m);
    }

    /** The canonical text of every part, UTF-8: what both sides compare. */
    public byte[] bytes() {
        StringBuilder b = new StringBuilder("pinsage run 1\n");
        parts.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Each part as {@code name=} and the first 4 bytes of its SHA-256 in hex, space-separated. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        parts.forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(shortDigest(v)));
        return b.toString();
    }

    /**
     * The parts whose digests differ between this fingerprint and another side's {@link #summary}, with both digests,
     * e.g. {@code "training (here 1a2b3c4d, there 5e6f7a8b)"}; empty when the summaries agree or {@code other} names
     * none of the parts.
     */
    public List<String> differences(String other) {
        Map<String, String> theirs = new LinkedHashMap<>();
        for (String token : other.split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                theirs.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        List<String> out = new ArrayList<>();
        parts.forEach((k, v) -> {
            String there = theirs.get(k);
            if (there != null && !there.equals(shortDigest(v))) {
                out.add(k + " (here " + shortDigest(v) + ", there " + there + ")");
            }
        });
        return out;
    }

    private static String shortDigest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
