package io.pinsage.csr.live;

import java.util.Arrays;

/**
 * The log of recent edges in arrival order: position p holds (left, right, weight), in segments of
 * {@value #SEGMENT_EDGES} edges allocated as they fill, so memory follows the edges added, never the base's size.
 *
 * <p>Threading: one writer ({@link #put}); readers read positions below a count the writer published afterwards
 * (a volatile write), which orders the entries' plain writes before their reads.
 */
final class RecentEdges {

    static final int SEGMENT_SHIFT = 16;
    static final int SEGMENT_EDGES = 1 << SEGMENT_SHIFT;
    private static final int MASK = SEGMENT_EDGES - 1;

    /** One segment: parallel arrays of {@value #SEGMENT_EDGES} edges. */
    private record Segment(int[] left, int[] right, float[] weight) {
        Segment() {
            this(new int[SEGMENT_EDGES], new int[SEGMENT_EDGES], new float[SEGMENT_EDGES]);
        }
    }

    /** Replaced (copied, one more segment) when full; a reader's older array still holds every segment it needs. */
    private volatile Segment[] segments = new Segment[0];

    /** Writer only: stores the edge at {@code position}, the next one after those stored. */
    void put(int position, int left, int right, float weight) {
        Segment[] s = segments;
        int index = position >>> SEGMENT_SHIFT;
        if (index == s.length) {
            s = Arrays.copyOf(s, index + 1);
            s[index] = new Segment();
            segments = s;
        }
        Segment seg = s[index];
        int i = position & MASK;
        seg.left[i] = left;
        seg.right[i] = right;
        seg.weight[i] = weight;
    }

    /** The pin of the edge at {@code position}. */
    int left(int position) {
        return segments[position >>> SEGMENT_SHIFT].left[position & MASK];
    }

    /** The board of the edge at {@code position}. */
    int right(int position) {
        return segments[position >>> SEGMENT_SHIFT].right[position & MASK];
    }

    /** The weight of the edge at {@code position}. */
    float weight(int position) {
        return segments[position >>> SEGMENT_SHIFT].weight[position & MASK];
    }

    /** Bytes held: about 12 per edge, rounded up to whole segments. */
    long bytes() {
        return (long) segments.length * SEGMENT_EDGES * 12;
    }
}
