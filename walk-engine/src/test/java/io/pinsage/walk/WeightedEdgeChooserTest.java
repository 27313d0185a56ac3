package io.pinsage.walk;

import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;
import io.pinsage.csr.TestGraphs;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightedEdgeChooserTest {

    /**
     * Each edge of a node is followed in proportion to its weight: skewed weights over many degrees, including a
     * dominant edge, near-zero ones and parallel edges, against the exact shares.
     */
    @Test
    void shouldFollowEachEdgeInProportionToItsWeight() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int degree : new int[] {1, 2, 3, 7, 64, 1000}) {
            int[] left = new int[degree];
            int[] right = new int[degree];
            float[] weight = new float[degree];
            for (int i = 0; i < degree; i++) {
                right[i] = rnd.nextInt(Math.max(1, degree / 2)); // parallel edges when the degree is over one
                weight[i] = switch (rnd.nextInt(4)) {
                    case 0 -> 1e-4f;
                    case 1 -> 50f;
                    default -> (float) (0.1 + rnd.nextDouble() * 5);
                };
            }
            HeapBipartiteGraph g = HeapBipartiteGraph.of(1, Math.max(1, degree / 2), left, right, weight);
            WeightedEdgeChooser chooser = new WeightedEdgeChooser(g);
            long first = g.firstEdge(Side.LEFT, 0);
            double sum = 0;
            for (int i = 0; i < degree; i++) {
                sum += g.weightAt(Side.LEFT, first + i);
            }
            int draws = 2_000_000;
            long[] count = new long[degree];
            WalkRandom walkRandom = new WalkRandom(seed);
            for (int k = 0; k < draws; k++) {
                long e = chooser.choose(Side.LEFT, 0, first, degree, walkRandom);
                assertTrue(e >= first && e < first + degree, "seed=" + seed + " edge " + e + " outside the node");
                count[(int) (e - first)]++;
            }
            for (int i = 0; i < degree; i++) {
                // Counts, with six standard deviations and three draws of slack (Poisson-like for the rarest edges):
                // over about 1,100 comparisons a run, a false alarm is under one in 100,000 runs.
                double expected = draws * g.weightAt(Side.LEFT, first + i) / sum;
                double sigma = Math.sqrt(Math.max(0, expected * (1 - expected / draws)));
                assertEquals(expected, count[i], 6 * sigma + 3,
                        "seed=" + seed + " degree=" + degree + " edge " + i + " weight " + g.weightAt(Side.LEFT, first + i));
            }
        }
    }

    @Test
    void shouldStayInsideEachNodesRangeOnBothSides() {
        long seed = new Random().nextLong();
        HeapBipartiteGraph g = TestGraphs.connected(new Random(seed), 40, 12, 200, true);
        WeightedEdgeChooser chooser = new WeightedEdgeChooser(g);
        WalkRandom rnd = new WalkRandom(seed);
        for (Side side : Side.values()) {
            for (int u = 0; u < g.nodeCount(side); u++) {
                long first = g.firstEdge(side, u);
                int d = g.degree(side, u);
                for (int k = 0; k < 50 && d > 0; k++) {
                    long e = chooser.choose(side, u, first, d, rnd);
                    assertTrue(e >= first && e < first + d, "seed=" + seed + " side=" + side + " node=" + u + " edge=" + e);
                }
            }
        }
    }

    /** The batched choice makes the same draws, in lane order, as one {@code choose} per lane, on both sides. */
    @Test
    void shouldChooseForManyLanesExactlyAsOneAtATime() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        int pins = 300;
        int boards = 200;
        int edges = 5000;
        int[] left = new int[edges];
        int[] right = new int[edges];
        float[] weight = new float[edges];
        for (int e = 0; e < edges; e++) {
            left[e] = rnd.nextInt(pins);
            right[e] = rnd.nextInt(boards);
            weight[e] = (float) (0.01 + rnd.nextDouble() * 10);
        }
        HeapBipartiteGraph g = HeapBipartiteGraph.of(pins, boards, left, right, weight);
        WeightedEdgeChooser chooser = new WeightedEdgeChooser(g);
        for (Side side : Side.values()) {
            int[] from = new int[257];
            for (int w = 0; w < from.length; w++) {
                do {
                    from[w] = rnd.nextInt(g.nodeCount(side));
                } while (g.degree(side, from[w]) == 0);
            }
            long[] batched = new long[from.length];
            chooser.chooseAll(g, side, from, from.length, new WalkRandom(seed), batched, new long[from.length]);
            WalkRandom one = new WalkRandom(seed);
            for (int w = 0; w < from.length; w++) {
                int u = from[w];
                assertEquals(chooser.choose(side, u, g.firstEdge(side, u), g.degree(side, u), one), batched[w],
                        "seed=" + seed + " " + side + " lane " + w);
            }
        }
    }
}
