package io.pinsage.engine.bench;

import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.ScoredPin;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The nearest-neighbour index against the exact scan it approximates, in one run on one thread: recall@k of
 * {@link PinSageEngine#related} against {@link PinSageEngine#relatedExact} over seeded query pins, each side's
 * queries/s and p50/p99, and the ratio of the queries/s. Both sides answer the same pins after a warm-up of a tenth
 * of them.
 *
 * <p>Threading: {@link #run()} on the calling thread. Prints to the stream it is given.
 */
public final class IndexBench {

    /**
     * @param queries query pins, drawn uniformly (seeded)
     * @param k       neighbours per query
     * @param seed    seeds the query pins
     */
    public record Options(int queries, int k, long seed) {

        /** @throws IllegalArgumentException naming the field out of its range */
        public Options {
            if (queries < 1 || queries > 1_000_000) {
                throw new IllegalArgumentException("queries=" + queries + ": must lie in [1, 1000000]");
            }
            if (k < 1 || k > 1000) {
                throw new IllegalArgumentException("k=" + k + ": must lie in [1, 1000]");
            }
        }
    }

    private final PinSageEngine engine;
    private final Options options;
    private final PrintStream out;

    /** @throws IllegalArgumentException the engine's store has no index to measure */
    public IndexBench(PinSageEngine engine, Options options, PrintStream out) {
        if (!engine.hasIndex()) {
            throw new IllegalArgumentException("the store has no nearest-neighbour index: run ./pinsage embed, then ./pinsage index");
        }
        this.engine = engine;
        this.options = options;
        this.out = out;
    }

    /** One side's answers and the time each took. */
    private record Side(List<List<ScoredPin>> answers, long[] nanos) {
        double perSecond() {
            return nanos.length / (Arrays.stream(nanos).sum() / 1e9);
        }

        double percentileMillis(double p) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return sorted[(int) (p * (sorted.length - 1))] / 1e6;
        }
    }

    private interface Search {
        List<ScoredPin> of(String pin);
    }

    public void run() {
        SplittableRandom random = new SplittableRandom(options.seed());
        String[] pins = new String[options.queries()];
        for (int i = 0; i < pins.length; i++) {
            pins[i] = engine.externalPin(random.nextInt(engine.pinCount()));
        }
        int k = options.k();
        Side exact = time(pins, pin -> engine.relatedExact(pin, k, null));
        Side index = time(pins, pin -> engine.related(pin, k));
        long found = 0;
        long wanted = 0;
        for (int q = 0; q < pins.length; q++) {
            Set<String> truth = new HashSet<>();
            exact.answers().get(q).forEach(p -> truth.add(p.id()));
            wanted += truth.size();
            found += index.answers().get(q).stream().filter(p -> truth.contains(p.id())).count();
        }
        out.printf(Locale.ROOT, "index          %,d pins of %d floats; recall@%d %.3f over %,d seeded query pins%n",
                engine.pinCount(), engine.embeddingDim(), k, found / (double) Math.max(1, wanted), pins.length);
        out.printf(Locale.ROOT, "index          %,.0f q/s, p50 %.3f ms, p99 %.3f ms; exact scan %,.0f q/s, p50 %.3f ms, p99 %.3f ms;"
                        + " index/exact %.1fx (one thread)%n", index.perSecond(), index.percentileMillis(0.5),
                index.percentileMillis(0.99), exact.perSecond(), exact.percentileMillis(0.5), exact.percentileMillis(0.99),
                index.perSecond() / exact.perSecond());
    }

    private static Side time(String[] pins, Search search) {
        for (int q = 0; q < Math.max(1, pins.length / 10); q++) {
            search.of(pins[q]);
        }
        List<List<ScoredPin>> answers = new ArrayList<>(pins.length);
        long[] nanos = new long[pins.length];
        for (int q = 0; q < pins.length; q++) {
            long t0 = System.nanoTime();
            answers.add(search.of(pins[q]));
            nanos[q] = System.nanoTime() - t0;
        }
        return new Side(answers, nanos);
    }
}
