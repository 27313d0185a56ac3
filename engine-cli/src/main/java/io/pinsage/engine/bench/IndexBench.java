package io.pinsage.engine.bench;

import io.pinsage.csr.embedding.EmbeddingStore;
import io.pinsage.engine.ann.AnnIndex;
import io.pinsage.engine.ann.ExactSearch;
import io.pinsage.engine.ann.Neighbors;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.ScoredPin;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * The nearest-neighbour index against the exact scan it approximates, in one run on one thread: recall@k of the
 * index's answers against the exact ones over seeded query pins, each side's queries/s and p50/p99, and the ratio of
 * the queries/s. Both sides answer the same pins after a warm-up of a tenth of them; each query leaves its own pin
 * out. {@link #run()} measures a store through the facade ({@link PinSageEngine#related} against
 * {@link PinSageEngine#relatedExact}); {@link #runOnRows} measures an index over any embedding store directly
 * ({@link AnnIndex#search} against {@link ExactSearch}), with the search beam it is given.
 *
 * <p>Threading: on the calling thread. Prints to the stream it is given.
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
    private record Side(List<List<?>> answers, long[] nanos) {
        double perSecond() {
            return nanos.length / (Arrays.stream(nanos).sum() / 1e9);
        }

        double percentileMillis(double p) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return sorted[(int) (p * (sorted.length - 1))] / 1e6;
        }
    }

    public void run() {
        int k = options.k();
        String[] pins = new String[options.queries()];
        int[] rows = queryRows(engine.pinCount(), options);
        for (int i = 0; i < pins.length; i++) {
            pins[i] = engine.externalPin(rows[i]);
        }
        Side exact = time(pins.length, q -> ids(engine.relatedExact(pins[q], k, null)));
        Side index = time(pins.length, q -> ids(engine.related(pins[q], k)));
        report(out, engine.pinCount(), engine.embeddingDim(), options, exact, index);
    }

    /**
     * Measures {@code index} over {@code embeddings}, the rows it was built from, once per search beam of
     * {@code searchBeams} (candidates kept while searching), each against the same exact answers: the query of pin
     * {@code p} is its own row.
     */
    public static void runOnRows(EmbeddingStore embeddings, AnnIndex index, int[] searchBeams, Options options, PrintStream out) {
        int k = options.k();
        int[] rows = queryRows(embeddings.nodeCount(), options);
        float[][] queries = new float[rows.length][embeddings.dim()];
        for (int q = 0; q < rows.length; q++) {
            embeddings.read(rows[q], queries[q], 0);
        }
        ExactSearch scan = new ExactSearch(embeddings);
        Side exact = time(rows.length, q -> ids(scan.search(queries[q], k, r -> r != rows[q])));
        for (int beam : searchBeams) {
            Side approximate = time(rows.length, q -> ids(index.search(queries[q], k, beam, r -> r != rows[q])));
            out.printf(Locale.ROOT, "search         beam %d%n", beam);
            report(out, embeddings.nodeCount(), embeddings.dim(), options, exact, approximate);
        }
    }

    private static int[] queryRows(int count, Options options) {
        SplittableRandom random = new SplittableRandom(options.seed());
        int[] rows = new int[options.queries()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random.nextInt(count);
        }
        return rows;
    }

    private static List<?> ids(List<ScoredPin> pins) {
        return pins.stream().map(ScoredPin::id).toList();
    }

    private static List<?> ids(Neighbors n) {
        return Arrays.stream(n.rows()).boxed().toList();
    }

    private static void report(PrintStream out, int pins, int dim, Options options, Side exact, Side index) {
        long found = 0;
        long wanted = 0;
        for (int q = 0; q < exact.answers().size(); q++) {
            Set<Object> truth = new HashSet<>(exact.answers().get(q));
            wanted += truth.size();
            found += index.answers().get(q).stream().filter(truth::contains).count();
        }
        out.printf(Locale.ROOT, "index          %,d pins of %d floats; recall@%d %.3f over %,d seeded query pins%n",
                pins, dim, options.k(), found / (double) Math.max(1, wanted), options.queries());
        // A recall means little where every query gets the same few answers (rows of a few large norms dominate every
        // dot product): how many distinct pins the exact answers hold tells that case apart.
        Map<Object, Integer> seen = new HashMap<>();
        for (List<?> answer : exact.answers()) {
            for (Object pin : answer) {
                seen.merge(pin, 1, Integer::sum);
            }
        }
        out.printf(Locale.ROOT, "exact answers  %,d distinct pins in %,d places; the most frequent is in %,d of the %,d answers%n",
                seen.size(), wanted, seen.values().stream().mapToInt(Integer::intValue).max().orElse(0), exact.answers().size());
        out.printf(Locale.ROOT, "index          %,.0f q/s, p50 %.3f ms, p99 %.3f ms; exact scan %,.0f q/s, p50 %.3f ms, p99 %.3f ms;"
                        + " index/exact %.1fx (one thread)%n", index.perSecond(), index.percentileMillis(0.5),
                index.percentileMillis(0.99), exact.perSecond(), exact.percentileMillis(0.5), exact.percentileMillis(0.99),
                index.perSecond() / exact.perSecond());
    }

    private static Side time(int queries, IntFunction<List<?>> search) {
        for (int q = 0; q < Math.max(1, queries / 10); q++) {
            search.apply(q);
        }
        List<List<?>> answers = new ArrayList<>(queries);
        long[] nanos = new long[queries];
        for (int q = 0; q < queries; q++) {
            long t0 = System.nanoTime();
            answers.add(search.apply(q));
            nanos[q] = System.nanoTime() - t0;
        }
        return new Side(answers, nanos);
    }
}
