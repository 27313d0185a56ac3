package io.pinsage.csr;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PowerLawGraphTest {

    @Test
    void shouldKeepGeneratingTheSameGraphForASeed() {
        // Pinned checksums: benchmark figures are comparable across versions only while the graph stays the same.
        assertEquals(5544668456516156845L, checksum(PowerLawGraph.generate(1_000, 500, 20_000, 2.0, 1)));
        // Odd and even counts, a skew that is not an integer, weights.
        assertEquals(-2175218282811917681L, checksum(PowerLawGraph.generate(999, 250, 7_777, 1.3, 42, true)));
        // 117 pins: the first stride candidate shares a factor with 117, so the search's odd-only step matters.
        assertEquals(-1769432603079282531L, checksum(PowerLawGraph.generate(117, 64, 3_000, 1.7, 5)));
        // One pin, one board: the scatter of a side of one node.
        assertEquals(-2808535640973367235L, checksum(PowerLawGraph.generate(1, 1, 5, 1.0, 7)));
    }

    /** An FNV-style hash of every edge (both sides, in CSR order) and its weight bits. */
    private static long checksum(HeapBipartiteGraph g) {
        long h = 0xCBF29CE484222325L;
        for (Side side : Side.values()) {
            for (int v = 0; v < g.nodeCount(side); v++) {
                long first = g.firstEdge(side, v);
                h = fnv(h, g.degree(side, v));
                for (int i = 0; i < g.degree(side, v); i++) {
                    h = fnv(h, g.neighborAt(side, first + i));
                    if (g.hasWeights()) {
                        h = fnv(h, Float.floatToRawIntBits(g.weightAt(side, first + i)));
                    }
                }
            }
        }
        return h;
    }

    private static long fnv(long h, int v) {
        return (h ^ v) * 0x100000001B3L;
    }
}
