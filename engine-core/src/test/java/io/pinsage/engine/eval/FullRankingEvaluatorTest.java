package io.pinsage.engine.eval;

import io.pinsage.engine.data.InteractionLists;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FullRankingEvaluatorTest {

    private static InteractionLists lists(int users, int[][] perUser) {
        int n = 0;
        for (int[] l : perUser) {
            n += l.length;
        }
        int[] u = new int[n];
        int[] i = new int[n];
        int p = 0;
        for (int user = 0; user < perUser.length; user++) {
            for (int item : perUser[user]) {
                u[p] = user;
                i[p++] = item;
            }
        }
        return InteractionLists.of(users, u, i, n);
    }

    @Test
    void shouldComputeRecallAndNdcgByHandWithTrainItemsMasked() {
        // Items scored 10, 5, 4, 3, 1 for every user; user 0 trained on item 0 (masked), tests {1, 3};
        // user 1 tests {4}; user 2 has no test items and is not averaged.
        float[] userEmb = {1f, 1f, 1f};
        float[] itemEmb = {10f, 5f, 4f, 3f, 1f};
        InteractionLists train = lists(3, new int[][] {{0}, {}, {1}});
        InteractionLists test = lists(3, new int[][] {{1, 3}, {4}, {}});
        RankingMetrics m = new FullRankingEvaluator(2, 1).evaluate(new EmbeddingItemScorer(userEmb, itemEmb, 1), train, test);
        // User 0: top-2 = [1, 2], one hit at rank 1 -> recall 1/2, ndcg 1 / (1 + 1/log2 3).
        // User 1: top-2 = [0, 1], no hit.
        double ndcg0 = 1.0 / (1.0 + 1.0 / (Math.log(3) / Math.log(2)));
        assertEquals(2, m.users());
        assertEquals(0.25, m.recall(), 1e-12);
        assertEquals(ndcg0 / 2, m.ndcg(), 1e-12);
        assertEquals("recall@2=0.2500 ndcg@2=0.3066", m.summaryLine());
    }

    @Test
    void shouldGivePerfectScoresWhenTestItemsRankFirst() {
        float[] userEmb = {1f};
        float[] itemEmb = {1f, 9f, 8f, 7f};
        InteractionLists train = lists(1, new int[][] {{}});
        InteractionLists test = lists(1, new int[][] {{1, 2, 3}});
        RankingMetrics m = new FullRankingEvaluator(20, 2).evaluate(new EmbeddingItemScorer(userEmb, itemEmb, 1), train, test);
        assertEquals(1.0, m.recall(), 1e-12);
        assertEquals(1.0, m.ndcg(), 1e-12);
    }

    @Test
    void shouldBreakTiesTowardsTheLowerItemId() {
        TopK top = new TopK(2);
        top.offer(1f, 5);
        top.offer(1f, 3);
        top.offer(1f, 4);
        top.offer(0.5f, 0);
        top.offer(Float.NEGATIVE_INFINITY, 1);
        assertArrayEquals(new int[] {3, 4}, top.sortedItems());
    }

    @Test
    void shouldNotDependOnTheThreadCount() {
        long seed = 42;
        Random rnd = new Random(seed);
        int users = 300;
        int items = 517;
        int dim = 13;
        float[] ue = new float[users * dim];
        float[] ie = new float[items * dim];
        for (int i = 0; i < ue.length; i++) {
            ue[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < ie.length; i++) {
            ie[i] = (float) rnd.nextGaussian();
        }
        int[][] tr = new int[users][];
        int[][] te = new int[users][];
        for (int u = 0; u < users; u++) {
            tr[u] = rnd.ints(rnd.nextInt(10), 0, items).toArray();
            te[u] = rnd.ints(rnd.nextInt(4), 0, items).toArray();
        }
        EmbeddingItemScorer scorer = new EmbeddingItemScorer(ue, ie, dim);
        RankingMetrics one = new FullRankingEvaluator(20, 1).evaluate(scorer, lists(users, tr), lists(users, te));
        RankingMetrics three = new FullRankingEvaluator(20, 3).evaluate(scorer, lists(users, tr), lists(users, te));
        assertEquals(one, three, "seed=" + seed);
        // a host's pool of two threads runs the evaluator's four tasks; the evaluator leaves the pool running
        Set<String> scoredOn = ConcurrentHashMap.newKeySet();
        ItemScorer watched = new ItemScorer() {
            @Override
            public int itemCount() {
                return scorer.itemCount();
            }

            @Override
            public int preferredItemChunk() {
                return scorer.preferredItemChunk();
            }

            @Override
            public void score(int[] ids, int userCount, int itemFrom, int itemTo, float[] out) {
                scoredOn.add(Thread.currentThread().getName());
                scorer.score(ids, userCount, itemFrom, itemTo, out);
            }
        };
        ExecutorService host = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("host-", 0).factory());
        try {
            RankingMetrics onHost = new FullRankingEvaluator(20, 4, host).evaluate(watched, lists(users, tr), lists(users, te));
            assertEquals(one, onHost, "seed=" + seed);
            assertFalse(scoredOn.isEmpty());
            assertTrue(scoredOn.stream().allMatch(name -> name.startsWith("host-")), scoredOn::toString);
            assertFalse(host.isShutdown());
        } finally {
            host.shutdownNow();
        }
    }

    @Test
    void shouldMatchNaiveDotProductsOnRaggedShapes() {
        long seed = 7;
        Random rnd = new Random(seed);
        int users = 7;
        int items = 101;
        int dim = 37;
        float[] ue = new float[users * dim];
        float[] ie = new float[items * dim];
        for (int i = 0; i < ue.length; i++) {
            ue[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < ie.length; i++) {
            ie[i] = (float) rnd.nextGaussian();
        }
        EmbeddingItemScorer scorer = new EmbeddingItemScorer(ue, ie, dim);
        int[] ids = {6, 0, 3, 2, 5, 1, 4};
        float[] out = new float[users * items];
        scorer.score(ids, users, 0, items, out);
        for (int r = 0; r < users; r++) {
            for (int i = 0; i < items; i++) {
                double dot = 0;
                for (int j = 0; j < dim; j++) {
                    dot += (double) ue[ids[r] * dim + j] * ie[i * dim + j];
                }
                assertEquals(dot, out[r * items + i], 1e-4, "seed=" + seed + " user=" + ids[r] + " item=" + i);
            }
        }
    }

    @Test
    void shouldRankPopularItemsFirstInThePopularityBaseline() {
        io.pinsage.csr.HeapBipartiteGraph g = io.pinsage.csr.HeapBipartiteGraph.of(3, 3,
                new int[] {2, 2, 2, 1, 1, 0}, new int[] {0, 1, 2, 0, 1, 0}, null);
        InteractionLists train = lists(3, new int[][] {{}, {}, {}});
        InteractionLists test = lists(3, new int[][] {{2}, {1}, {0}});
        RankingMetrics m = new FullRankingEvaluator(1, 1).evaluate(new PopularityItemScorer(g, io.pinsage.csr.Side.LEFT), train, test);
        assertEquals(1.0 / 3, m.recall(), 1e-12);
    }
}
