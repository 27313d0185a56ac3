package io.pinsage.csr;

/**
 * Degree distribution of one side of a graph: exact percentiles from a counting histogram. Computing it costs
 * one pass over the side's offsets and {@code 4 * (maxDegree + 1)} bytes of heap.
 *
 * @param isolated nodes of degree 0
 */
public record DegreeStats(Side side, int nodes, double mean, int p50, int p90, int p99, int max, long isolated) {

    public static DegreeStats of(BipartiteGraph g, Side side) {
        int n = g.nodeCount(side);
        int[] histogram = new int[g.maxDegree(side) + 1];
        for (int u = 0; u < n; u++) {
            histogram[g.degree(side, u)]++;
        }
        int[] q = new int[3];
        double[] at = {0.5, 0.9, 0.99};
        long seen = 0;
        int qi = 0;
        for (int d = 0; d < histogram.length && qi < at.length; d++) {
            seen += histogram[d];
            while (qi < at.length && seen >= Math.ceil(at[qi] * n)) {
                q[qi++] = d;
            }
        }
        return new DegreeStats(side, n, n == 0 ? 0 : g.edgeCount() / (double) n, q[0], q[1], q[2], g.maxDegree(side),
                histogram.length == 0 ? 0 : histogram[0]);
    }
}
