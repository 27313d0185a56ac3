package io.pinsage.engine.eval;

import io.pinsage.csr.ResourceLimits;
import io.pinsage.engine.data.InteractionLists;
import io.pinsage.engine.util.Workers;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The LightGCN evaluation protocol: for every user with at least one test item, score all items, mask the
 * user's training items, keep the top {@code k}, and average recall@k ({@code hits / |test|}) and NDCG@k
 * (binary relevance; the ideal DCG has {@code min(|test|, k)} hits) over those users.
 *
 * <p>Work is split into blocks of users handed to parallel workers, on threads of its own or on the executor
 * the caller hands over (see {@link Workers}: the calling thread waits, and the scorer is called from the
 * workers at once); each worker owns its score buffer and top-k heaps, so the scorer runs block × chunk at a time
 * without allocation. Per-user results are summed in user order, so the metrics do not depend on the thread count. Ties between equal scores go to the lower
 * item id. Cost: one {@link ItemScorer#score} pass over users × items plus O(users × items × log k) at worst
 * for the heaps (typically far less: most scores lose against the heap's minimum at once).
 */
public final class FullRankingEvaluator {

    private static final int USER_BLOCK = 64;

    private final int k;
    private final int workers;
    private final Executor executor;

    /**
     * An evaluator that starts {@code threads} threads of its own for each evaluation.
     *
     * @param k       the cut-off, at least 1
     * @param threads worker threads, in {@code [1, ResourceLimits.MAX_THREADS]}
     */
    public FullRankingEvaluator(int k, int threads) {
        this(k, threads, null);
    }

    /**
     * An evaluator whose {@code workers} tasks run on the caller's {@code executor} (a host's pool), or on threads
     * of its own when it is null.
     *
     * @param workers parallel tasks, in {@code [1, ResourceLimits.MAX_THREADS]}
     */
    public FullRankingEvaluator(int k, int workers, Executor executor) {
        if (k < 1) {
            throw new IllegalArgumentException("k=" + k + ": must be >= 1");
        }
        ResourceLimits.requireThreads("threads", workers);
        this.k = k;
        this.workers = workers;
        this.executor = executor;
    }

    /**
     * Evaluates {@code scorer} against {@code test}, masking {@code train}.
     *
     * @throws IllegalArgumentException if the two lists disagree on the user count or the scorer has fewer items
     *                                  than a test item id needs
     */
    public RankingMetrics evaluate(ItemScorer scorer, InteractionLists train, InteractionLists test) {
        if (train.userCount() != test.userCount()) {
            throw new IllegalArgumentException("train.userCount=" + train.userCount() + " test.userCount=" + test.userCount()
                    + ": must be equal");
        }
        int[] evalUsers = usersWithTestItems(test, scorer.itemCount());
        double[] recall = new double[evalUsers.length];
        double[] ndcg = new double[evalUsers.length];
        int blocks = (evalUsers.length + USER_BLOCK - 1) / USER_BLOCK;
        AtomicInteger next = new AtomicInteger();
        IntConsumer body = t -> {
            Worker w = new Worker(scorer, train, test);
            for (int b; (b = next.getAndIncrement()) < blocks; ) {
                w.run(evalUsers, b * USER_BLOCK, Math.min(evalUsers.length, (b + 1) * USER_BLOCK), recall, ndcg);
            }
        };
        if (executor == null) {
            Workers.run(workers, "eval", body);
        } else {
            Workers.run(executor, workers, "eval", body);
        }
        double r = 0;
        double n = 0;
        for (int i = 0; i < evalUsers.length; i++) {
            r += recall[i];
            n += ndcg[i];
        }
        int users = evalUsers.length;
        return new RankingMetrics(k, users == 0 ? 0 : r / users, users == 0 ? 0 : n / users, users);
    }

    private static int[] usersWithTestItems(InteractionLists test, int itemCount) {
        int count = 0;
        for (int u = 0; u < test.userCount(); u++) {
            if (test.count(u) > 0) {
                count++;
            }
        }
        int[] users = new int[count];
        for (int u = 0, i = 0; u < test.userCount(); u++) {
            if (test.count(u) > 0) {
                users[i++] = u;
                int last = test.item(test.start(u) + test.count(u) - 1);
                if (last >= itemCount) {
                    throw new IllegalArgumentException("test item " + last + " of user " + u + " is outside the scorer's itemCount="
                            + itemCount);
                }
            }
        }
        return users;
    }

    /** One evaluation thread's buffers: block scores, per-user top-k heaps and train-mask cursors. */
    private final class Worker {
        final ItemScorer scorer;
        final InteractionLists train;
        final InteractionLists test;
        final int chunk;
        final float[] scores;
        final int[] users = new int[USER_BLOCK];
        final TopK[] heaps = new TopK[USER_BLOCK];
        final int[] maskCursor = new int[USER_BLOCK];

        Worker(ItemScorer scorer, InteractionLists train, InteractionLists test) {
            this.scorer = scorer;
            this.train = train;
            this.test = test;
            this.chunk = Math.max(1, Math.min(scorer.preferredItemChunk(), scorer.itemCount()));
            this.scores = new float[USER_BLOCK * chunk];
            for (int i = 0; i < USER_BLOCK; i++) {
                heaps[i] = new TopK(k);
            }
        }

        void run(int[] evalUsers, int from, int to, double[] recall, double[] ndcg) {
            int n = to - from;
            System.arraycopy(evalUsers, from, users, 0, n);
            for (int r = 0; r < n; r++) {
                heaps[r].clear();
                maskCursor[r] = train.start(users[r]);
            }
            int itemCount = scorer.itemCount();
            for (int itemFrom = 0; itemFrom < itemCount; itemFrom += chunk) {
                int itemTo = Math.min(itemCount, itemFrom + chunk);
                int width = itemTo - itemFrom;
                scorer.score(users, n, itemFrom, itemTo, scores);
                for (int r = 0; r < n; r++) {
                    int base = r * width;
                    // Train items are sorted, so one forward cursor per user masks them chunk by chunk.
                    int end = train.start(users[r]) + train.count(users[r]);
                    int c = maskCursor[r];
                    while (c < end && train.item(c) < itemTo) {
                        int it = train.item(c++);
                        if (it >= itemFrom) {
                            scores[base + it - itemFrom] = Float.NEGATIVE_INFINITY;
                        }
                    }
                    maskCursor[r] = c;
                    TopK heap = heaps[r];
                    for (int i = 0; i < width; i++) {
                        heap.offer(scores[base + i], itemFrom + i);
                    }
                }
            }
            for (int r = 0; r < n; r++) {
                int u = users[r];
                int[] ranked = heaps[r].sortedItems();
                double dcg = 0;
                int hits = 0;
                for (int pos = 0; pos < ranked.length; pos++) {
                    if (test.contains(u, ranked[pos])) {
                        hits++;
                        dcg += 1.0 / log2(pos + 2);
                    }
                }
                int relevant = test.count(u);
                double idcg = 0;
                for (int pos = 0; pos < Math.min(relevant, k); pos++) {
                    idcg += 1.0 / log2(pos + 2);
                }
                recall[from + r] = (double) hits / relevant;
                ndcg[from + r] = dcg / idcg;
            }
        }
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
