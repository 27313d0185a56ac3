package io.pinsage.engine.bench;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.Side;
import io.pinsage.csr.UnknownIdException;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.serve.PinSageServer;
import io.pinsage.engine.serve.ServerOptions;
import io.pinsage.walk.PixieQuery;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Freshness over HTTP: each round posts the edges of a new pin saved to the boards of a pin of the store
 * ({@code POST /v1/edges}), then asks {@code /v1/recommend} from that pin until the new pin is in the answer, and
 * reports the time from sending the edges to their acknowledgement and to the first answer that holds the new pin
 * (and its rank there); with the store's index and a model for new pins it also asks {@code /v1/related} of that pin
 * until the new pin is there (the engine embeds it in the background once the edges are acknowledged) and reports
 * that time and rank too; the median of the rounds is printed last. A new pin has few boards, and Pixie's visits favour
 * pins of many boards, so it ranks low in a large store: ask for a large {@code k}. The engine must have live edges; its log's fsync policy is part of what is
 * measured.
 *
 * <p>Threading: {@link #run()} on one thread, a request at a time; it starts the server's {@link Options#workers()}.
 * Prints to the stream it is given; the engine and store it is given stay open.
 */
public final class FreshnessBench {

    /**
     * @param rounds   new pins added and looked for, one after the other
     * @param workers  the server's query threads
     * @param k        pins asked for per recommendation
     * @param steps    Pixie's walk steps per recommendation
     * @param seed     seeds the pins the new ones join
     * @param timeout  how long a round polls before it reports the pin missing
     */
    public record Options(int rounds, int workers, int k, long steps, long seed, Duration timeout) {

        /** @throws IllegalArgumentException naming the field out of its range */
        public Options {
            if (rounds < 1 || rounds > 1000) {
                throw new IllegalArgumentException("rounds=" + rounds + ": must lie in [1, 1000]");
            }
            if (k < 1 || k > 1000) {
                throw new IllegalArgumentException("k=" + k + ": must lie in [1, 1000]");
            }
            PixieQuery.requireSteps("steps", steps);
        }
    }

    /** Boards a new pin is saved to, at most: those of the pin it joins. */
    private static final int MAX_BOARDS = 8;

    private final PinSageEngine engine;
    private final GraphStore store;
    private final Options options;
    private final PrintStream out;

    /**
     * @param store the engine's store, opened again for the boards of its pins
     * @throws IllegalArgumentException the engine has no live edges
     */
    public FreshnessBench(PinSageEngine engine, GraphStore store, Options options, PrintStream out) {
        if (!engine.hasLiveEdges()) {
            throw new IllegalArgumentException("freshness needs an engine with live edges");
        }
        this.engine = engine;
        this.store = store;
        this.options = options;
        this.out = out;
    }

    /** Starts the server on a free loopback port, runs the rounds and stops it. */
    public void run() throws InterruptedException, IOException {
        BipartiteGraph graph = store.graph();
        IdMap boardIds = store.ids(Side.RIGHT).orElse(null);
        SplittableRandom random = new SplittableRandom(options.seed());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        double[] acknowledged = new double[options.rounds()];
        double[] recommended = new double[options.rounds()];
        double[] related = new double[options.rounds()];
        boolean withRelated = engine.hasIndex() && engine.hasNewPinModel();
        int[] boards = new int[MAX_BOARDS];
        long nextId = Long.MAX_VALUE;
        try (PinSageServer server = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(options.workers(), 16))) {
            String base = "http://127.0.0.1:" + server.port();
            for (int r = 0; r < options.rounds(); r++) {
                int joined = pinWithBoards(graph, random);
                int degree = Math.min(MAX_BOARDS, graph.degree(Side.LEFT, joined));
                long first = graph.firstEdge(Side.LEFT, joined);
                for (int i = 0; i < degree; i++) {
                    boards[i] = graph.neighborAt(Side.LEFT, first + i);
                }
                String fresh;
                do {
                    fresh = Long.toString(nextId--);
                } while (known(fresh));
                StringBuilder body = new StringBuilder("{\"edges\": [");
                for (int i = 0; i < degree; i++) {
                    String board = boardIds == null ? Integer.toString(boards[i]) : boardIds.external(boards[i]);
                    body.append(i == 0 ? "" : ", ").append("{\"pin\": \"").append(fresh).append("\", \"board\": \"")
                            .append(board.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"}");
                }
                body.append("]}");
                String joinedId = engine.externalPin(joined);
                URI ask = URI.create(base + "/v1/recommend?k=" + options.k() + "&steps=" + options.steps() + "&seed=" + r
                        + "&pins=" + URLEncoder.encode(joinedId, StandardCharsets.UTF_8));
                URI askRelated = URI.create(base + "/v1/related?k=" + options.k() + "&pin="
                        + URLEncoder.encode(joinedId, StandardCharsets.UTF_8));
                long start = System.nanoTime();
                HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/edges"))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
                long ack = System.nanoTime();
                if (posted.statusCode() != 200) {
                    throw new IllegalStateException("POST /v1/edges answered " + posted.statusCode() + ": " + posted.body());
                }
                Poll inRecommend = new Poll(ask, fresh, start);
                Poll inRelated = withRelated ? new Poll(askRelated, fresh, start) : null;
                while ((!inRecommend.found() || inRelated != null && !inRelated.found())
                        && System.nanoTime() - start < options.timeout().toNanos()) {
                    inRecommend.ask(client);
                    if (inRelated != null) {
                        inRelated.ask(client);
                    }
                }
                acknowledged[r] = (ack - start) / 1e6;
                recommended[r] = inRecommend.millis();
                related[r] = inRelated == null ? Double.NaN : inRelated.millis();
                out.printf(Locale.ROOT, "round %-3d new pin %s on %d boards of pin %s: acknowledged after %.1f ms, %s%s%n", r + 1,
                        fresh, degree, joinedId, acknowledged[r], inRecommend.report("recommended"),
                        inRelated == null ? "" : "; " + inRelated.report("in related"));
            }
        }
        out.printf(Locale.ROOT, "freshness      median of %d rounds: acknowledged %.1f ms, in /v1/recommend %.1f ms (min %.1f, max"
                        + " %.1f)%s; k=%d, %,d steps%n", options.rounds(), median(acknowledged), median(recommended),
                Arrays.stream(recommended).min().orElse(0), Arrays.stream(recommended).max().orElse(0),
                withRelated ? String.format(Locale.ROOT, ", in /v1/related %.1f ms (min %.1f, max %.1f)", median(related),
                        Arrays.stream(related).min().orElse(0), Arrays.stream(related).max().orElse(0))
                        : "",
                options.k(), options.steps());
    }

    /** Asks one endpoint until its answer names the new pin: when, at which rank, after how many requests. */
    private final class Poll {
        private final URI uri;
        private final String wanted;
        private final long start;
        private int polls;
        private int rank;
        private long seen = -1;

        Poll(URI uri, String pin, long start) {
            this.uri = uri;
            this.wanted = "\"id\":\"" + pin + "\"";
            this.start = start;
        }

        boolean found() {
            return seen >= 0;
        }

        void ask(HttpClient client) throws IOException, InterruptedException {
            if (found()) {
                return;
            }
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
            polls++;
            int at = answer.body().indexOf(wanted);
            if (at >= 0) {
                seen = System.nanoTime();
                rank = answer.body().substring(0, at).split("\"id\":", -1).length; // 1 for the first pin
            }
        }

        double millis() {
            return seen < 0 ? Double.POSITIVE_INFINITY : (seen - start) / 1e6;
        }

        String report(String what) {
            return seen < 0 ? "not in the top " + options.k() + " of " + what + " within " + options.timeout().toMillis()
                    + " ms (" + polls + " polls)" : String.format(Locale.ROOT, "%s after %.1f ms at rank %d (%d poll%s)", what,
                    millis(), rank, polls, polls == 1 ? "" : "s");
        }
    }

    /** A seeded pin of the store with at least one board. */
    private static int pinWithBoards(BipartiteGraph graph, SplittableRandom random) {
        int pins = graph.nodeCount(Side.LEFT);
        for (int tries = 0; tries < 1000; tries++) {
            int pin = random.nextInt(pins);
            if (graph.degree(Side.LEFT, pin) > 0) {
                return pin;
            }
        }
        throw new IllegalArgumentException("no pin with boards found in 1000 draws: the store has too few edges");
    }

    private boolean known(String pin) {
        try {
            engine.densePin(pin);
            return true;
        } catch (UnknownIdException e) {
            return false;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
