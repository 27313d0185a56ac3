package io.pinsage.engine.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The server's Prometheus metrics, in a registry of its own (two servers in one JVM count apart):
 * {@code pinsage_http_requests_total{endpoint,status}} and the latency histogram
 * {@code pinsage_http_request_duration_seconds{endpoint}} from the request's arrival to its answer being handed to
 * the network, and {@code pinsage_http_slow_readers_total{action}} ({@link SlowReaders}). Thread-safe; recording
 * costs a few atomic adds.
 */
final class ServerMetrics {

    /** Latency buckets from 100 µs to 2.5 s: the walks' p99 is milliseconds, overload shows in the top buckets. */
    private static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests = Counter.builder().name("pinsage_http_requests")
            .help("HTTP requests answered, by endpoint and status").labelNames("endpoint", "status").register(registry);
    private final Histogram latency = Histogram.builder().name("pinsage_http_request_duration_seconds")
            .help("Time from a request's arrival to its answer, by endpoint").labelNames("endpoint")
            .classicOnly().classicUpperBounds(BUCKETS).register(registry);

    private final Counter slowReaders = Counter.builder().name("pinsage_http_slow_readers")
            .help("Connections whose client left answers unread: reading paused, or the connection closed")
            .labelNames("action").register(registry);

    /** Counts a connection whose unread answers made the server pause reading it or close it ({@code action}). */
    void slowReader(String action) {
        slowReaders.labelValues(action).inc();
    }

    /** Counts one answer of {@code endpoint} with {@code status}, {@code nanos} after the request arrived. */
    void record(String endpoint, int status, long nanos) {
        requests.labelValues(endpoint, Integer.toString(status)).inc();
        latency.labelValues(endpoint).observe(nanos / 1e9);
    }

    /** The Prometheus text format's content type. */
    String contentType() {
        return writer.getContentType();
    }

    /** Every metric in the Prometheus text format. */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }
}
