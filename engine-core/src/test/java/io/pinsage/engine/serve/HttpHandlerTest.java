package io.pinsage.engine.serve;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.pinsage.csr.Residency;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The handler without sockets: overload and the order of answers. */
class HttpHandlerTest {

    @TempDir
    Path dir;

    /** Holds up to {@code capacity} tasks until {@link #runAll}; refuses more, as a full bounded queue does. */
    private static final class HeldTasks implements Executor {
        final Queue<Runnable> held = new ArrayDeque<>();
        final int capacity;

        HeldTasks(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public void execute(Runnable task) {
            if (held.size() == capacity) {
                throw new RejectedExecutionException("full");
            }
            held.add(task);
        }

        void runAll() {
            while (!held.isEmpty()) {
                held.poll().run();
            }
        }
    }

    private static String body(FullHttpResponse r) {
        ByteBuf content = r.content();
        String text = content.toString(StandardCharsets.UTF_8);
        r.release();
        return text;
    }

    @Test
    void shouldAnswerOverloadWith503AndKeepTheOrderOfAnswers() throws Exception {
        try (PinSageEngine engine = PinSageEngine.open(TestStores.pinsAndBoards(dir, 20),
                EngineOptions.builder().residency(Residency.MAPPED).threads(1).build())) {
            HeldTasks workers = new HeldTasks(1);
            ServerMetrics metrics = new ServerMetrics();
            EmbeddedChannel ch = new EmbeddedChannel(new HttpHandler(new Endpoints(engine, 100, PinTopics.NONE), metrics, workers, null,
                    new RequestDeadline(60_000)));
            ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/recommend?pins=pin-1&k=3"));
            ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/recommend?pins=pin-2&k=3"));
            ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz"));
            assertNull(ch.readOutbound(), "nothing leaves before the first query's answer");
            workers.runAll();
            ch.runPendingTasks();
            FullHttpResponse first = ch.readOutbound();
            assertEquals(200, first.status().code());
            assertTrue(body(first).startsWith("{\"pins\":"));
            FullHttpResponse second = ch.readOutbound();
            assertEquals(503, second.status().code());
            assertTrue(body(second).contains("overloaded"));
            FullHttpResponse third = ch.readOutbound();
            assertEquals(200, third.status().code());
            assertTrue(body(third).contains("\"status\":\"ok\""));
            String scraped = new String(metrics.scrape(), StandardCharsets.UTF_8);
            assertTrue(scraped.contains("pinsage_http_requests_total{endpoint=\"/v1/recommend\",status=\"503\"} 1.0"), scraped);
            ch.finishAndReleaseAll();
        }
    }
}
