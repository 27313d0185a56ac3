package io.pinsage.engine.api;

import io.pinsage.csr.FeatureMatrix;
import io.pinsage.csr.Side;
import io.pinsage.csr.live.LiveGraph;
import io.pinsage.csr.live.LiveView;
import io.pinsage.engine.pipeline.NewPinEmbedder;
import io.pinsage.walk.ImportanceNeighborhoods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Embeds the pins of a live graph that the store's embeddings lack (pins that live edges brought, or that a
 * compaction wrote after the embedded ones) with the inductive model, and holds them in {@link NewPins}, so that
 * {@link PinSageEngine#related} answers include them and takes them as query pins. A pin is embedded from its edges
 * in the live graph as of the embedding (its boards, base and recent, weighted; the walk from them runs over the same
 * view) and its content features: a pin that came by edges has none, so its features are zeros (the model's "no
 * content" input, as a compaction writes for it), and only a pin the store holds features for uses its row. A pin
 * offered again (more edges arrived) is embedded again and its embedding replaced.
 *
 * <p>Why beside the index and not in it: jvector's on-disk graph takes no inserts, and the pins that arrive between
 * two runs of {@code embed} and {@code index} are few enough ({@value NewPins#MAX} at most) for an exact scan per
 * query, which also keeps answers exact for them.
 *
 * <p>Threading: {@link #offer} from any thread returns at once; one daemon thread of its own embeds, a pin at a time,
 * sharing the model with {@link PinSageEngine#embedNewPin} by locking it. {@link #close()} waits for the pin being
 * embedded. Cost per pin: one model embedding (the walk and forward of {@link NewPinEmbedder#embed}). Memory: the
 * pending pins' ids (at most the live graph's new-node limit) and their edges while one is embedded.
 */
final class FreshPins implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FreshPins.class);

    private final LiveGraph live;
    private final NewPinEmbedder model;
    private final NewPins added;
    private final FeatureMatrix features;
    /** Pins below this have rows in the store's embeddings. */
    private final int embeddedPins;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("pinsage-fresh-pins").factory());
    /** The worker's own view and walks over it; confined to {@link #thread}. */
    private final LiveView view;
    private final ImportanceNeighborhoods walks;
    private final LinkedHashSet<Integer> pending = new LinkedHashSet<>();
    private long offered;
    private long finished;
    private boolean draining;
    private boolean closed;
    private boolean fullReported;

    FreshPins(LiveGraph live, NewPinEmbedder model, NewPins added, FeatureMatrix features, int embeddedPins) {
        this.live = live;
        this.model = model;
        this.added = added;
        this.features = features;
        this.embeddedPins = embeddedPins;
        this.view = live.view();
        try {
            this.walks = model.walksOver(view);
        } finally {
            view.release();
        }
    }

    /** Queues pin {@code pin} (dense) for embedding unless the store's embeddings hold it. */
    synchronized void offer(int pin) {
        if (pin < embeddedPins || closed || !pending.add(pin)) {
            return;
        }
        offered++;
        if (!draining) {
            draining = true;
            thread.execute(this::drain);
        }
    }

    /**
     * Waits until every pin offered before the call is embedded, or {@code nanos} pass.
     *
     * @return whether they all are
     */
    synchronized boolean await(long nanos) throws InterruptedException {
        long target = offered;
        long deadline = System.nanoTime() + nanos;
        while (finished < target && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return finished >= target;
    }

    private void drain() {
        while (true) {
            int pin;
            synchronized (this) {
                if (pending.isEmpty() || closed) {
                    draining = false;
                    return;
                }
                var first = pending.iterator();
                pin = first.next();
                first.remove();
            }
            try {
                embed(pin);
            } catch (RuntimeException e) {
                LOG.warn("pin {} of the live graph could not be embedded; related pins will not include it", pin, e);
            }
            synchronized (this) {
                finished++;
                notifyAll();
            }
        }
    }

    private void embed(int pin) {
        int[] boards;
        float[] weights;
        int n = 0;
        float[] embedding;
        view.refresh();
        try {
            int degree = view.degree(Side.LEFT, pin);
            long first = view.firstEdge(Side.LEFT, pin);
            boards = new int[degree];
            weights = new float[degree];
            for (int i = 0; i < degree; i++) {
                float w = view.hasWeights() ? view.weightAt(Side.LEFT, first + i) : 1f;
                if (w > 0) { // a save of weight 0 adds no walk
                    boards[n] = view.neighborAt(Side.LEFT, first + i);
                    weights[n++] = w;
                }
            }
            if (n == 0) {
                return;
            }
            float[] content = new float[model.featureDim()];
            if (features != null && pin < features.rows()) {
                features.copyRow(pin, content, 0);
            }
            synchronized (model) {
                embedding = model.embed(walks, content, boards, weights, n);
            }
        } finally {
            view.release();
        }
        try {
            added.put(live.externalId(Side.LEFT, pin), embedding);
        } catch (IllegalStateException full) {
            synchronized (this) {
                if (!fullReported) {
                    fullReported = true;
                    LOG.warn("{}: later pins of live edges stay out of related answers", full.getMessage());
                }
            }
        }
    }

    /** Drops the pins not yet embedded and waits for the one being embedded, so the model and graph may close. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            pending.clear();
            notifyAll();
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("a pin of the live graph was still being embedded a minute after close began");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
