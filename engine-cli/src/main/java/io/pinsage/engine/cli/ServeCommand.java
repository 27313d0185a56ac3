package io.pinsage.engine.cli;

import io.pinsage.csr.live.LogSync;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.serve.EdgeFileFollower;
import io.pinsage.engine.serve.PinSageServer;
import io.pinsage.engine.serve.PinTopics;
import io.pinsage.engine.serve.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code pinsage serve DIR --port P}: the engine over HTTP until the process is stopped (Ctrl-C or SIGTERM close the
 * file follower, the server, then the engine, which forces the edge log). Prints what was loaded and the URL. With
 * {@code --live} it also takes edges ({@code POST /v1/edges}, and the lines appended to {@code --follow FILE}) into a
 * write-ahead log beside the store.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a store over HTTP: GET /v1/related, /v1/recommend, /healthz, /metrics (Prometheus), and a page at /"
                + " comparing related pins by PinSage, Pixie and content; with --live, POST /v1/edges adds pins, boards and saves;"
                + " with --model, POST /v1/pins gives a new pin's embedding and related pins.")
final class ServeCommand implements java.util.concurrent.Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "graph store directory (with embeddings.left and index.left for /v1/related)")
    Path dir;

    @Option(names = "--port", defaultValue = "8080", description = "port, 0 for any free one (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for all)")
    String host;

    @Option(names = "--workers", description = "query threads (default: the processors)")
    Integer workers;

    @Option(names = "--queue", defaultValue = "256", description = "queries waiting for a worker before requests get 503 (default ${DEFAULT-VALUE})")
    int queue;

    @Option(names = "--max-body", defaultValue = "65536", description = "largest request body in bytes; larger get 413 (default ${DEFAULT-VALUE})")
    int maxBody;

    @Option(names = "--request-timeout-ms", paramLabel = "MS", defaultValue = "10000", description = "a request not received"
            + " whole MS ms after its first byte is answered 408 and its connection closed (default ${DEFAULT-VALUE})")
    long requestTimeoutMs;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS", defaultValue = "30000", description = "a connection that sends"
            + " nothing for MS ms, a kept one between requests included, is closed (default ${DEFAULT-VALUE})")
    long idleTimeoutMs;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "4096", description = "open connections beyond"
            + " which a new one is answered 503 and closed (default ${DEFAULT-VALUE})")
    int maxConnections;

    @Mixin
    ResidencyOption residency;

    @Option(names = "--model", paramLabel = "MODEL_DIR", description = "an inductive model trained on the store (train"
            + " --id-embeddings off or hashed:N) that embeds new pins for POST /v1/pins (default: none; POST /v1/pins answers 501)")
    Path model;

    @Option(names = "--topics", paramLabel = "T", description = "the store was generated with T topics (generate --topics;"
            + " quickstart prints its value): answers and the page show each pin's topic (default: none)")
    Integer topics;

    @Option(names = "--confusable-pairs", paramLabel = "C", description = "with --topics: the leading topic pairs whose features"
            + " nearly coincide (default T/8, as generate draws them)")
    Integer confusablePairs;

    @Option(names = "--live", description = "accept edges while serving (POST /v1/edges): logged, then walked by /v1/recommend")
    boolean live;

    @Option(names = "--edge-log", paramLabel = "FILE", description = "with --live: the write-ahead log of added edges, replayed"
            + " on start (default DIR/edges.log)")
    Path edgeLog;

    @Option(names = "--fsync", paramLabel = "POLICY", defaultValue = "each-batch", description = "with --live: when the log is"
            + " forced, which is when POST /v1/edges answers: each-batch (one fsync per request) or group:MS (one fsync"
            + " every MS ms shared by the requests of the period) (default ${DEFAULT-VALUE})")
    String fsync;

    @Option(names = "--compact-every", paramLabel = "EDGES", defaultValue = "0", description = "with --live: once EDGES"
            + " recent edges are held, write them and the store as a new store generation in the background while"
            + " serving, and cut the log (default ${DEFAULT-VALUE}: never)")
    long compactEvery;

    @Option(names = "--follow", paramLabel = "FILE", description = "with --live: add the lines of FILE (pin<TAB>board[<TAB>weight])"
            + " as they are appended, through the path of POST /v1/edges; malformed lines are logged with their line number"
            + " and skipped; the position reached is logged with each batch's edges and kept in the edge log's path + .follow, so a"
            + " restart, also after a crash, goes on from there and adds no line twice (default: none)")
    Path follow;

    @Option(names = "--token-file", paramLabel = "FILE", description = "POST /v1/edges asks for Authorization: Bearer TOKEN,"
            + " TOKEN being this file's content (default: no token; reads never ask for one)")
    Path tokenFile;

    /** A started server, its engine and its file follower (or null); closing stops the follower, the server, the engine. */
    record Running(PinSageEngine engine, PinSageServer server, EdgeFileFollower follower) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            try {
                if (follower != null) {
                    follower.close();
                }
            } finally {
                try {
                    server.close();
                } finally {
                    engine.close();
                }
            }
        }
    }

    /** Opens the store, starts the server and prints what was loaded and where it listens. */
    Running start(PrintStream out) throws Exception {
        ServerOptions defaults = ServerOptions.defaults(port);
        ServerOptions options = defaults.withHost(host).withWorkers(workers == null ? defaults.workers() : workers, queue)
                .withMaxBodyBytes(maxBody).withTopics(pinTopics()).withWriteToken(writeToken())
                .withIdleTimeout(Duration.ofMillis(positive("--idle-timeout-ms", idleTimeoutMs)))
                .withRequestLimits(Duration.ofMillis(positive("--request-timeout-ms", requestTimeoutMs)),
                        (int) positive("--max-connections", maxConnections));
        EngineOptions.Builder engineOptions = EngineOptions.builder().residency(residency.asked()).model(model);
        LogSync sync = logSync();
        Path log = edgeLog == null ? dir.resolve("edges.log") : edgeLog;
        if (compactEvery < 0) {
            throw new IllegalArgumentException("--compact-every=" + compactEvery + ": must be >= 0 (0: never)");
        }
        if (live) {
            engineOptions.liveEdges(log, sync).compactEvery(compactEvery);
        } else if (edgeLog != null || !"each-batch".equals(fsync) || compactEvery != 0 || follow != null) {
            throw new IllegalArgumentException((edgeLog != null ? "--edge-log" : compactEvery != 0 ? "--compact-every"
                    : follow != null ? "--follow" : "--fsync") + ": needs --live");
        }
        PinSageEngine engine = PinSageEngine.open(dir, engineOptions.build());
        PinSageServer server;
        EdgeFileFollower follower = null;
        Path followPosition = log.resolveSibling(log.getFileName() + ".follow");
        try {
            if (topics != null && topics > engine.pinCount()) {
                throw new IllegalArgumentException("--topics=" + topics + ": the store has only " + engine.pinCount() + " pins");
            }
            server = PinSageServer.start(engine, options);
            try {
                if (follow != null) {
                    follower = EdgeFileFollower.start(engine, follow, followPosition, Duration.ofMillis(20),
                            Thread.ofPlatform().daemon().name("pinsage-follow").factory());
                }
            } catch (Exception | Error e) {
                server.close();
                throw e;
            }
        } catch (Exception | Error e) {
            engine.close();
            throw e;
        }
        out.printf("store: %s, %,d pins, %,d boards, %,d edges%n", dir, engine.pinCount(), engine.boardCount(),
                engine.edgeCount());
        out.println(residencyLine(engine));
        out.println("embeddings: " + (engine.hasEmbeddings() ? engine.embeddingDim() + " floats per pin"
                : "none (/v1/related answers 501; write them with ./pinsage embed)"));
        out.println("index: " + (engine.hasIndex() ? "jvector graph, by dot product"
                : "none (/v1/related needs by=exact; build it with ./pinsage index " + dir + ")"));
        out.println("new pins: " + (engine.hasNewPinModel() ? "POST /v1/pins embeds them with " + model
                : "none (POST /v1/pins needs --model MODEL_DIR of a model trained with --id-embeddings off or hashed:N)"));
        if (live) {
            out.printf("live edges: log %s (%s), %,d edges replayed%s; POST /v1/edges%s%n", log,
                    sync.grouped() ? "one fsync every " + sync.periodMillis() + " ms" : "one fsync per batch",
                    engine.liveRecovery().edges(), engine.liveRecovery().droppedBytes() > 0
                            ? ", a torn tail of " + engine.liveRecovery().droppedBytes() + " bytes dropped" : "",
                    options.writeToken() == null ? "" : " with the bearer token of " + tokenFile);
            if (follower != null) {
                out.printf("following %s from byte %,d (line %,d), the position kept in the edge log and %s%n", follower.file(),
                        follower.position().offset(), follower.position().line(), followPosition);
            }
            out.println("compaction: " + (compactEvery > 0 ? String.format("every %,d recent edges, in the background", compactEvery)
                    : "none (--compact-every EDGES)"));
        }
        if (options.topics().known()) {
            out.printf("topics: %d, the first %d pairs confusable by content%n", options.topics().topics(),
                    options.topics().confusablePairs());
        }
        out.printf("listening on http://%s:%d/  (%d workers, queue %d, requests within %d ms, %d connections at most)%n", host,
                server.port(), options.workers(), options.queueCapacity(), options.requestTimeout().toMillis(),
                options.maxConnections());
        if (engine.pinCount() > 0) {
            out.printf("try: curl 'http://%s:%d/v1/recommend?pins=%s&k=10', or open http://%1$s:%2$d/?pin=%3$s%n", host,
                    server.port(), engine.externalPin(0));
        }
        return new Running(engine, server, follower);
    }

    /** How the engine holds the graph and what Pixie walks. */
    static String residencyLine(PinSageEngine engine) {
        return "residency: " + engine.residency().name().toLowerCase(Locale.ROOT).replace('_', '-') + " ("
                + engine.residencyReason() + "); Pixie walks " + (engine.hasWalkTable() ? "a walk table" : "the store's CSR");
    }

    private static long positive(String option, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + "=" + value + ": must be >= 1");
        }
        return value;
    }

    /** {@code --fsync}: {@code each-batch} or {@code group:MS}. */
    private LogSync logSync() {
        if (fsync.equals("each-batch")) {
            return LogSync.eachBatch();
        }
        if (fsync.startsWith("group:")) {
            try {
                long ms = Long.parseLong(fsync.substring("group:".length()));
                if (ms >= 1 && ms <= LogSync.MAX_PERIOD_MILLIS) {
                    return LogSync.groupCommit(Duration.ofMillis(ms));
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("--fsync=" + fsync + ": expected each-batch or group:MS with MS in [1, "
                + LogSync.MAX_PERIOD_MILLIS + "]");
    }

    /** The token of {@code --token-file}, its surrounding blanks (a final newline) left out; null without one. */
    private String writeToken() throws IOException {
        if (tokenFile == null) {
            return null;
        }
        if (!Files.isRegularFile(tokenFile)) {
            throw new IllegalArgumentException("--token-file=" + tokenFile + ": no such file");
        }
        String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        if (token.isEmpty() || !token.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException("--token-file=" + tokenFile + ": expected one token of printable ASCII"
                    + " without blanks");
        }
        return token;
    }

    private PinTopics pinTopics() {
        if (topics == null) {
            if (confusablePairs != null) {
                throw new IllegalArgumentException("--confusable-pairs=" + confusablePairs + ": needs --topics");
            }
            return PinTopics.NONE;
        }
        if (topics < 1) {
            throw new IllegalArgumentException("--topics=" + topics + ": must be >= 1");
        }
        int pairs = confusablePairs == null ? topics / 8 : confusablePairs;
        if (pairs < 0 || 2L * pairs > topics) {
            throw new IllegalArgumentException("--confusable-pairs=" + pairs + ": must be in [0, " + topics / 2 + "] for --topics="
                    + topics);
        }
        return new PinTopics(topics, pairs);
    }

    @Override
    public Integer call() throws Exception {
        Running running = start(System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }, "pinsage-serve-stop"));
        stopped.await();
        return 0;
    }
}
