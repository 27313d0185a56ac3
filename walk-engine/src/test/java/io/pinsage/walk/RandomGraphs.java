package io.pinsage.walk;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.Side;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random graphs of particular shapes (the plain connected ones are csr-store's {@code TestGraphs}) and the
 * exact walk statistics the tests compare against.
 */
final class RandomGraphs {

    private RandomGraphs() {
    }

    /**
     * {@code shape}'s edges with skewed weights, 0.01 + 20·U⁴ (most edges light, a few up to 2,000 times heavier), so
     * that weighted and uniform walks visit nodes very differently.
     */
    static HeapBipartiteGraph skewedWeights(BipartiteGraph shape, Random rnd) {
        int pins = shape.nodeCount(Side.LEFT);
        int edges = (int) shape.edgeCount();
        int[] left = new int[edges];
        int[] right = new int[edges];
        float[] weight = new float[edges];
        for (int pin = 0, e = 0; pin < pins; pin++) {
            long first = shape.firstEdge(Side.LEFT, pin);
            for (int i = 0; i < shape.degree(Side.LEFT, pin); i++, e++) {
                left[e] = pin;
                right[e] = shape.neighborAt(Side.LEFT, first + i);
                weight[e] = (float) (0.01 + 20 * Math.pow(rnd.nextDouble(), 4));
            }
        }
        return HeapBipartiteGraph.of(pins, shape.nodeCount(Side.RIGHT), left, right, weight);
    }

    /**
     * Transition probabilities of one edge step out of every node of {@code side} ({@code [node][neighbour]}),
     * proportional to edge weights when {@code weighted}, else uniform over edges.
     */
    /**
     * Pins of every degree from 1 to 700 (one each: many runs narrower than a bucket), 100 pins of degree 1,000 (a
     * run of 100,000 slots, wider than the widest bucket, so buckets lie inside it) and 40 of degree 1,001 (40,040
     * slots, so a later run can start past the middle of a 2<sup>16</sup>-slot bucket), then isolated pins; each
     * edge to one of 40 boards at random.
     */
    static HeapBipartiteGraph wideRuns(Random rnd) {
        int[] degree = new int[900];
        for (int u = 0; u < degree.length; u++) {
            degree[u] = u < 700 ? u + 1 : u < 800 ? 1000 : u < 840 ? 1001 : 0;
        }
        return withPinDegrees(rnd, degree, 40);
    }

    /** Pin u gets {@code degree[u]} edges, each to one of {@code boards} boards at random (parallel edges allowed). */
    static HeapBipartiteGraph withPinDegrees(Random rnd, int[] degree, int boards) {
        int edges = 0;
        for (int d : degree) {
            edges += d;
        }
        int[] src = new int[edges];
        int[] dst = new int[edges];
        for (int u = 0, e = 0; u < degree.length; u++) {
            for (int k = 0; k < degree[u]; k++, e++) {
                src[e] = u;
                dst[e] = rnd.nextInt(boards);
            }
        }
        return HeapBipartiteGraph.of(degree.length, boards, src, dst, null);
    }

    static double[][] transitions(BipartiteGraph g, Side side, boolean weighted) {
        int n = g.nodeCount(side);
        double[][] p = new double[n][g.nodeCount(side.opposite())];
        for (int u = 0; u < n; u++) {
            long first = g.firstEdge(side, u);
            int d = g.degree(side, u);
            double total = 0;
            for (int i = 0; i < d; i++) {
                total += weighted ? g.weightAt(side, first + i) : 1;
            }
            for (int i = 0; i < d; i++) {
                p[u][g.neighborAt(side, first + i)] += (weighted ? g.weightAt(side, first + i) : 1) / total;
            }
        }
        return p;
    }

    /**
     * The exact expected visit distribution of walks from {@code source} on the two-hop LEFT graph with restart
     * probability {@code alpha}: personalised PageRank r = alpha·e + (1 − alpha)·Mᵀr by power iteration, minus its
     * zero-step term alpha·e, normalised to sum 1.
     */
    static double[] expectedVisits(BipartiteGraph g, int source, double alpha, boolean weighted) {
        double[][] down = transitions(g, Side.LEFT, weighted);
        double[][] up = transitions(g, Side.RIGHT, weighted);
        int n = g.nodeCount(Side.LEFT);
        int m = g.nodeCount(Side.RIGHT);
        double[] r = new double[n];
        r[source] = 1;
        for (int iter = 0; iter < 500; iter++) {
            double[] mid = new double[m];
            for (int u = 0; u < n; u++) {
                for (int b = 0; b < m; b++) {
                    mid[b] += r[u] * down[u][b];
                }
            }
            double[] next = new double[n];
            for (int b = 0; b < m; b++) {
                for (int v = 0; v < n; v++) {
                    next[v] += (1 - alpha) * mid[b] * up[b][v];
                }
            }
            next[source] += alpha;
            r = next;
        }
        r[source] -= alpha;
        double sum = 0;
        for (double x : r) {
            sum += x;
        }
        for (int i = 0; i < n; i++) {
            r[i] /= sum;
        }
        return r;
    }

    /** Half the L1 distance between a visit map (normalised) and a distribution. */
    static double totalVariation(VisitMap visits, double[] expected) {
        double total = 0;
        for (int i = 0; i < visits.size(); i++) {
            total += visits.valueAt(i);
        }
        double d = 0;
        for (int v = 0; v < expected.length; v++) {
            d += Math.abs(visits.get(v) / total - expected[v]);
        }
        return d / 2;
    }

    /**
     * Checks a walk that was asked to stop once 4 nodes had 25 visits: it stopped before its million steps,
     * exactly 4 nodes reached the threshold and the last step brought one of them to exactly 25.
     */
    static void assertStoppedAtFourNodesOf25Visits(VisitMap visits, long taken, long seed) {
        int atThreshold = 0;
        int reached = 0;
        for (int i = 0; i < visits.size(); i++) {
            reached += visits.valueAt(i) >= 25 ? 1 : 0;
            atThreshold += visits.valueAt(i) == 25 ? 1 : 0;
        }
        String msg = "seed=" + seed + " taken=" + taken;
        assertTrue(taken < 1_000_000, msg);
        assertEquals(4, reached, msg);
        assertTrue(atThreshold >= 1,
                msg + ": the last step must have brought a node to exactly the threshold");
    }
}
