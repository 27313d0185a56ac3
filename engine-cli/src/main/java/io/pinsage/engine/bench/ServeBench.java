package io.pinsage.engine.bench;

import io.pinsage.csr.ResourceLimits;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.RecommendOptions;
import io.pinsage.engine.api.WeightedPin;
import io.pinsage.engine.serve.PinSageServer;
import io.pinsage.engine.serve.ServerOptions;
import io.pinsage.walk.PixieQuery;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's cost: queries/s and p50/p99 latency of {@code /v1/related} (through the index) and {@code /v1/recommend}
 * (Pixie) over HTTP on loopback, each held against the same call made in-process in the same run (three alternating
 * pairs, the median pair reported), with the same
 * number of callers, the same pins and the same options. The HTTP clients are plain keep-alive sockets (one per
 * caller, a request at a time), so the client's own cost stays small beside the server's. On a shared machine
 * queries/s follow the share of the cores other processes leave (and a process with more runnable threads gets a
 * larger share), so each endpoint's CPU time per query is printed as well: the callers' threads' in-process, the
 * process's less the callers' over HTTP.
 *
 * <p>Threading: {@link #run()} on one thread; it starts {@link Options#callers()} threads per measurement and the
 * server's {@link Options#workers()}. Prints to the stream it is given; the engine it is given stays open.
 */
public final class ServeBench {

    /**
     * @param seconds   duration of each of the twelve measurements, after a warm-up of a third of it
     * @param callers   concurrent callers (threads in-process, connections over HTTP)
     * @param workers   the server's query threads
     * @param k         pins asked for per query
     * @param steps     Pixie's walk steps per recommendation
     * @param queryPins distinct query pins, drawn uniformly (seeded) and asked in turn
     * @param seed      seeds the query pins and the walks
     */
    public record Options(double seconds, int callers, int workers, int k, long steps, int queryPins, long seed) {

        /** @throws IllegalArgumentException naming the field out of its range */
        public Options {
            if (!(seconds > 0) || seconds > 3600) {
                throw new IllegalArgumentException("seconds=" + seconds + ": must lie in (0, 3600]");
            }
            ResourceLimits.requireThreads("callers", callers);
            ResourceLimits.requireThreads("workers", workers);
            if (k < 1 || k > 1000) {
                throw new IllegalArgumentException("k=" + k + ": must lie in [1, 1000]");
            }
            PixieQuery.requireSteps("steps", steps);
            if (queryPins < 1 || queryPins > 1_000_000) {
                throw new IllegalArgumentException("queryPins=" + queryPins + ": must lie in [1, 1000000]");
            }
        }
    }

    /**
     * One measurement: queries answered, their latencies, and CPU time in the timed part, of the callers' threads and
     * of the whole process (callers, server, and whatever else of this JVM ran).
     */
    record Measurement(long queries, double seconds, double p50Millis, double p99Millis, long callerCpuNanos,
                       long processCpuNanos) {
        double perSecond() {
            return queries / seconds;
        }

        /** CPU per query of the work itself: the callers' for in-process calls, the rest of the process's over HTTP. */
        double cpuMillisPerQuery(boolean http) {
            return (http ? processCpuNanos - callerCpuNanos : callerCpuNanos) / 1e6 / queries;
        }
    }

    private static final int ROUNDS = 3;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final PinSageEngine engine;
    private final Options options;
    private final PrintStream out;

    public ServeBench(PinSageEngine engine, Options options, PrintStream out) {
        this.engine = engine;
        this.options = options;
        this.out = out;
    }

    /** Starts the server on a free loopback port, measures each endpoint in-process then over HTTP, and stops it. */
    public void run() throws InterruptedException, IOException {
        SplittableRandom random = new SplittableRandom(options.seed());
        String[] pins = new String[options.queryPins()];
        for (int i = 0; i < pins.length; i++) {
            pins[i] = engine.externalPin(random.nextInt(engine.pinCount()));
        }
        RecommendOptions recommend = RecommendOptions.DEFAULTS.withSteps(options.steps()).withSeed(options.seed());
        out.printf(Locale.ROOT, "store          %,d pins, %,d boards, %,d edges; %d callers, %d server workers, k=%d, %.0f s per"
                        + " measurement%n", engine.pinCount(), engine.boardCount(), engine.edgeCount(), options.callers(),
                options.workers(), options.k(), options.seconds());
        try (PinSageServer server = PinSageServer.start(engine, ServerOptions.defaults(0)
                .withWorkers(options.workers(), Math.max(256, 4 * options.callers())))) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            if (engine.hasIndex()) {
                compare("related", i -> engine.related(pins[i % pins.length], options.k()),
                        i -> "/v1/related?k=" + options.k() + "&pin=" + encode(pins[i % pins.length]), address);
            } else {
                out.println("related        skipped: the store has no index (./pinsage embed, then ./pinsage index)");
            }
            compare("recommend", i -> engine.recommend(List.of(new WeightedPin(pins[i % pins.length], 1f)), options.k(), recommend),
                    i -> "/v1/recommend?k=" + options.k() + "&steps=" + options.steps() + "&seed=" + options.seed()
                            + "&pins=" + encode(pins[i % pins.length]), address);
        }
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    /** A query by its number, in-process. */
    private interface Call {
        void run(int i) throws Exception;
    }

    /** A query's path and query string by its number. */
    private interface QueryPath {
        String of(int i);
    }

    /**
     * In-process and HTTP measurements alternate for {@link #ROUNDS} pairs, and the pair with the median ratio is
     * reported: load from other processes on a shared machine then shifts both figures of a pair alike, and neither
     * side always runs first on a colder JIT.
     */
    private void compare(String name, Call inProcess, QueryPath path, InetSocketAddress address) throws InterruptedException {
        Measurement[][] pairs = new Measurement[ROUNDS][];
        for (int r = 0; r < ROUNDS; r++) {
            Measurement local = measure(caller -> inProcess);
            Measurement http = measure(caller -> {
                HttpConnection c = new HttpConnection(address);
                return i -> c.get(path.of(i));
            });
            pairs[r] = new Measurement[] {local, http};
        }
        Arrays.sort(pairs, Comparator.comparingDouble(p -> p[1].perSecond() / p[0].perSecond()));
        Measurement local = pairs[ROUNDS / 2][0];
        Measurement http = pairs[ROUNDS / 2][1];
        out.printf(Locale.ROOT, "%-14s in-process %,.0f q/s, p50 %.2f ms, p99 %.2f ms; HTTP %,.0f q/s, p50 %.2f ms, p99 %.2f ms;"
                        + " HTTP/in-process %.2f (median of %d pairs)%n", name, local.perSecond(), local.p50Millis(),
                local.p99Millis(), http.perSecond(), http.p50Millis(), http.p99Millis(), http.perSecond() / local.perSecond(),
                ROUNDS);
        // CPU per query does not depend on the share of the cores other processes leave, which q/s does
        double localCpu = local.cpuMillisPerQuery(false);
        double httpCpu = http.cpuMillisPerQuery(true);
        out.printf(Locale.ROOT, "%-14s CPU per query: in-process %.3f ms, HTTP server %.3f ms (the clients' left out);"
                + " in-process/HTTP %.2f%n", name, localCpu, httpCpu, localCpu / httpCpu);
    }

    /** Makes one caller's call, e.g. opening its connection. */
    private interface CallerFactory {
        Call open(int caller) throws Exception;
    }

    /**
     * Runs {@code callers} threads, each calling as fast as it is answered: a warm-up of a third of the duration (and
     * at least one call each, however slow the first), then, all callers together, the timed part, whose latencies
     * are kept.
     */
    private Measurement measure(CallerFactory factory) throws InterruptedException {
        int n = options.callers();
        long warmupNanos = (long) (options.seconds() * 1e9 / 3);
        long timedNanos = (long) (options.seconds() * 1e9);
        long[][] latencies = new long[n][];
        int[] counts = new int[n];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] timedEnd = new long[1];
        long[] processCpuFrom = new long[1];
        long[] callerCpu = new long[n];
        // the last caller to finish warming up starts the clock; the barrier publishes the end to every caller
        CyclicBarrier warm = new CyclicBarrier(n, () -> {
            processCpuFrom[0] = PROCESS.getProcessCpuTime();
            timedEnd[0] = System.nanoTime() + timedNanos;
        });
        List<Thread> threads = new ArrayList<>(n);
        long warmupEnd = System.nanoTime() + warmupNanos;
        for (int t = 0; t < n; t++) {
            int caller = t;
            threads.add(Thread.ofPlatform().name("serve-bench-" + t).start(() -> {
                long[] mine = new long[1 << 12];
                int count = 0;
                // each caller starts at its own place in the pin list, so callers do not ask the same pin at once
                int i = caller * 7919;
                try {
                    Call call = factory.open(caller);
                    do {
                        call.run(i++);
                    } while (System.nanoTime() < warmupEnd);
                    warm.await();
                    long end = timedEnd[0];
                    long cpuFrom = THREADS.getCurrentThreadCpuTime();
                    for (long now = System.nanoTime(); now < end; i++) {
                        call.run(i);
                        long done = System.nanoTime();
                        if (count == mine.length) {
                            mine = Arrays.copyOf(mine, Math.multiplyExact(mine.length, 2));
                        }
                        mine[count++] = done - now;
                        now = done;
                    }
                    callerCpu[caller] = THREADS.getCurrentThreadCpuTime() - cpuFrom;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    warm.reset(); // callers waiting for this one give up too
                }
                latencies[caller] = mine;
                counts[caller] = count;
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long processCpu = PROCESS.getProcessCpuTime() - processCpuFrom[0];
        if (failure.get() != null) {
            Throwable first = failure.get();
            throw new IllegalStateException("a caller failed: " + first, first);
        }
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        long callersCpu = 0;
        for (long c : callerCpu) {
            callersCpu += c;
        }
        if (total == 0) {
            throw new IllegalStateException("no query finished within " + options.seconds() + " s: measure longer");
        }
        long[] all = new long[Math.toIntExact(total)];
        int at = 0;
        for (int t = 0; t < n; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        return new Measurement(total, timedNanos / 1e9, all[(int) (0.50 * (all.length - 1))] / 1e6,
                all[(int) (0.99 * (all.length - 1))] / 1e6, callersCpu, processCpu);
    }

    /** One keep-alive HTTP/1.1 connection asking GETs one at a time; a non-200 answer is an error. */
    private static final class HttpConnection {
        private final OutputStream request;
        private final InputStream response;
        private final String host;
        private byte[] body = new byte[1 << 12];

        HttpConnection(InetSocketAddress address) throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 10_000);
            socket.setSoTimeout(60_000);
            this.request = socket.getOutputStream();
            this.response = new BufferedInputStream(socket.getInputStream());
            this.host = address.getHostString() + ":" + address.getPort();
        }

        void get(String pathAndQuery) throws IOException {
            request.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.flush();
            String status = line();
            int length = -1;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(header.substring(15).trim());
                }
            }
            if (length < 0) {
                throw new IOException("answer without content-length to " + pathAndQuery + ": " + status);
            }
            if (length > body.length) {
                body = new byte[length];
            }
            if (response.readNBytes(body, 0, length) != length) {
                throw new IOException("connection closed within an answer to " + pathAndQuery);
            }
            if (!status.startsWith("HTTP/1.1 200 ")) {
                throw new IOException(pathAndQuery + ": " + status + " " + new String(body, 0, length, StandardCharsets.UTF_8));
            }
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            for (int b = response.read(); b != '\n'; b = response.read()) {
                if (b < 0) {
                    throw new IOException("connection closed by the server");
                }
                if (b != '\r') {
                    s.append((char) b);
                }
            }
            return s.toString();
        }
    }
}
