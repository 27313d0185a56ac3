package io.pinsage.engine.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinsage.csr.Residency;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.TestStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.pinsage.engine.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that hold connections: trickled requests, idle keep-alive connections and more connections than the
 * server allows, over a real loopback socket on a random port. Bounded by socket timeouts and a loop count, never by
 * the latency of an answer.
 */
@Timeout(60)
class SlowClientServerTest {

    @TempDir
    static Path dir;

    private static PinSageEngine engine;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void open() throws Exception {
        engine = PinSageEngine.open(TestStores.pinsAndBoards(dir, 30), EngineOptions.builder().residency(Residency.MAPPED)
                .threads(1).build());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** A client that writes {@code head} at once, then {@code trickled} one byte per round. */
    private static final class Trickler implements AutoCloseable {
        final Socket socket;
        final byte[] trickled;
        int sent;

        Trickler(int port, String head, String trickled) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            this.trickled = trickled.getBytes(StandardCharsets.US_ASCII);
        }

        /** Sends the next byte unless the server has begun to answer; true while it has not. */
        boolean step() throws IOException {
            if (socket.getInputStream().available() > 0 || sent == trickled.length) {
                return false;
            }
            try {
                OutputStream out = socket.getOutputStream();
                out.write(trickled[sent++]);
                out.flush();
            } catch (IOException e) {
                return false; // the server hung up: its answer is read next
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void shouldAnswer408ToTrickledHeadersAndBodiesWhileAnsweringOthers() throws Exception {
        ServerOptions options = ServerOptions.defaults(0).withWorkers(1, 8).withIdleTimeout(Duration.ofSeconds(60))
                .withRequestLimits(Duration.ofMillis(300), 64);
        try (PinSageServer server = PinSageServer.start(engine, options);
             Trickler headers = new Trickler(server.port(), "", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(4000));
             Trickler body = new Trickler(server.port(), "POST /v1/pins HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     + "Content-Length: 4000\r\n\r\n", "{\"features\":[" + "1,".repeat(2000))) {
            int answered = 0;
            // one byte every 20 ms: the idle timeout of 60 s never fires, only the deadline can end these requests
            for (int round = 0; round < 1000 && (headers.step() | body.step()); round++) {
                if (round % 5 == 0) {
                    assertTrue(healthz(server.port()).startsWith("HTTP/1.1 200"), "the server answers others meanwhile");
                    answered++;
                }
                Thread.sleep(20);
            }
            assertTrue(answered > 0, "another client was answered while the tricklers held their connections");
            for (Trickler t : List.of(headers, body)) {
                assertTrue(t.sent < t.trickled.length, "the deadline ended the request before it was sent whole");
                String answer = new String(t.socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
                assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
                JsonNode error = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
                assertTrue(error.path("error").asText().contains("300 ms"), answer);
            }
            // the body's request had its head read: its 408 counts under its endpoint; the headers' had no path yet
            String metrics = get(server.port(), "/metrics");
            assertTrue(metrics.contains("pinsage_http_requests_total{endpoint=\"/v1/pins\",status=\"408\"} 1.0"), metrics);
            assertTrue(metrics.contains("pinsage_http_requests_total{endpoint=\"other\",status=\"408\"} 1.0"), metrics);
        }
    }

    @Test
    void shouldKeepAnsweringARequestSentWholeOnAKeptConnectionAfterTheDeadlineOfAnEarlierOne() throws Exception {
        try (PinSageServer server = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(1, 8)
                .withRequestLimits(Duration.ofMillis(300), 64));
             Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            // the clock of a request starts at its first byte, not the connection's: a kept connection idle for more
            // than the deadline between requests is answered
            for (int i = 0; i < 2; i++) {
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(readResponse(s.getInputStream()).startsWith("HTTP/1.1 200"));
                Thread.sleep(400);
            }
        }
    }

    @Test
    void shouldCloseKeptConnectionsLeftIdle() throws Exception {
        try (PinSageServer server = PinSageServer.start(engine, ServerOptions.defaults(0).withIdleTimeout(Duration.ofMillis(200)));
             Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = readResponse(s.getInputStream());
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: keep-alive"), answer);
            assertEquals(-1, s.getInputStream().read(), "the server hangs up a kept connection left idle");
        }
    }

    @Test
    void shouldRefuseConnectionsBeyondTheLimitWith503() throws Exception {
        try (PinSageServer server = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(1, 8)
                .withRequestLimits(Duration.ofSeconds(10), 2))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    s.setSoTimeout(20_000);
                    held.add(s);
                    s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertTrue(readResponse(s.getInputStream()).startsWith("HTTP/1.1 200"));
                }
                try (Socket extra = new Socket("127.0.0.1", server.port())) {
                    extra.setSoTimeout(20_000);
                    String answer = new String(extra.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                    JsonNode error = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
                    assertTrue(error.path("error").asText().contains("2 connections"), answer);
                }
                held.removeFirst().close();
                String again = "";
                // the server counts the closed connection out once its event loop sees the close
                for (int tries = 0; tries < 200 && !again.startsWith("HTTP/1.1 200"); tries++) {
                    Thread.sleep(10);
                    again = healthz(server.port());
                }
                assertTrue(again.startsWith("HTTP/1.1 200"), "a connection is accepted again once one closed: " + again);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void shouldStopReadingAndThenCloseAClientThatLeavesItsAnswersUnread() throws Exception {
        int requests = 4000; // about 21 MB of answers (the page): far beyond the socket buffers and the server's limit
        try (PinSageServer server = PinSageServer.start(engine, ServerOptions.defaults(0).withWorkers(1, 8));
             Socket s = new Socket()) {
            s.setReceiveBufferSize(8192); // before connecting, so that the kernel holds little on the client's side
            s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            s.setSoTimeout(20_000);
            byte[] one = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < requests; i++) {
                all.write(one);
            }
            s.getOutputStream().write(all.toByteArray()); // about 100 KB: the kernel's buffers take it whole
            String[] metrics = {""};
            await(() -> {
                try {
                    metrics[0] = get(server.port(), "/metrics");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return value(metrics[0], "pinsage_http_slow_readers_total{action=\"paused\"}") > 0
                        && (value(metrics[0], "pinsage_http_slow_readers_total{action=\"closed\"}") == 1
                        || value(metrics[0], "pinsage_http_requests_total{endpoint=\"/\",status=\"200\"}") < requests);
            }, "the server to stop reading the client, or to close it");
        }
    }

    /** The value of the sample {@code key} (name and labels) in a metrics text; 0 when absent. */
    private static double value(String metrics, String key) {
        key += " ";
        int at = metrics.indexOf(key);
        return at < 0 ? 0 : Double.parseDouble(metrics.substring(at + key.length(), metrics.indexOf('\n', at)));
    }

    /** {@code GET /healthz} on a connection of its own, the answer whole. */
    private static String healthz(int port) throws IOException {
        return get(port, "/healthz");
    }

    /** {@code GET path} on a connection of its own, the answer whole. */
    private static String get(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** One response read off a kept connection: its head, then as many body bytes as its Content-Length says. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in a response's head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        int length = Integer.parseInt(text.substring(at + 15, text.indexOf("\r\n", at)).strip());
        return text + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }
}
