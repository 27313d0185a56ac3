package io.pinsage.walk;

/**
 * The {@code k} best (id, score) pairs offered so far: a binary min-heap whose root is the weakest kept pair.
 * A pair ranks above another by higher score, then by lower id, so among equal scores the lower id is kept and
 * ranked first; with distinct ids this is a total order, and the result is the first {@code k} of a full sort by
 * that order whatever the order of the offers. Scores must not be NaN (a NaN never displaces a kept pair, and its
 * rank among the kept is unspecified). Ids are not checked for uniqueness: offer each at most once per round.
 *
 * <p>Reuse: {@link #reset(int)} starts a round; storage grows to the largest {@code k} asked for and is kept,
 * so a reused heap allocates nothing. Cost: {@link #admits} O(1); {@link #offer} O(1) when refused, O(log k)
 * when kept; {@link #drainBestFirst} O(size · log size). Not thread-safe: one instance per thread.
 */
public final class TopKHeap {

    private int[] ids;
    private float[] scores;
    private int k;
    private int size;

    /** An empty heap with room for {@code capacity} pairs before its first growth; call {@link #reset} before use. */
    public TopKHeap(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity=" + capacity + ": must be >= 0");
        }
        ids = new int[capacity];
        scores = new float[capacity];
    }

    /**
     * Empties the heap and bounds it to {@code k} pairs, growing its storage to {@code k} if it is smaller (the
     * only allocation). A {@code k} of 0 keeps nothing.
     *
     * @throws IllegalArgumentException if {@code k < 0}
     */
    public void reset(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k=" + k + ": must be >= 0");
        }
        if (ids.length < k) {
            ids = new int[k];
            scores = new float[k];
        }
        this.k = k;
        size = 0;
    }

    /** Pairs kept now, at most {@code k}. */
    public int size() {
        return size;
    }

    /** The weakest kept score, the bar a new pair must reach once the heap is full; only when {@code size() > 0}. */
    public float weakestScore() {
        assert size > 0;
        return scores[0];
    }

    /** Whether {@link #offer} would keep (id, score): the heap has room, or the pair ranks above the weakest. */
    public boolean admits(int id, float score) {
        return size < k || (size > 0 && ranksAbove(id, score, ids[0], scores[0]));
    }

    /** Keeps (id, score) if {@link #admits} says so, dropping the weakest pair when the heap is full. */
    public void offer(int id, float score) {
        if (size < k) {
            int i = size++;
            ids[i] = id;
            scores[i] = score;
            siftUp(i);
        } else if (size > 0 && ranksAbove(id, score, ids[0], scores[0])) {
            ids[0] = id;
            scores[0] = score;
            siftDown(0);
        }
    }

    /**
     * Writes the kept pairs best first into {@code outIds} and, unless it is null, {@code outScores}, and returns
     * how many; the heap is empty afterwards.
     *
     * @throws IllegalArgumentException if an output is shorter than {@link #size()}
     */
    public int drainBestFirst(int[] outIds, float[] outScores) {
        int count = size;
        if (outIds.length < count || (outScores != null && outScores.length < count)) {
            throw new IllegalArgumentException("size=" + count + " outIds.length=" + outIds.length
                    + (outScores == null ? "" : " outScores.length=" + outScores.length) + ": outputs must hold size() pairs");
        }
        // Popping the weakest each time fills the outputs from the back.
        for (int out = count - 1; out >= 0; out--) {
            outIds[out] = ids[0];
            if (outScores != null) {
                outScores[out] = scores[0];
            }
            size--;
            ids[0] = ids[size];
            scores[0] = scores[size];
            siftDown(0);
        }
        return count;
    }

    /** Whether (a, sa) ranks above (b, sb): higher score, then lower id. */
    private static boolean ranksAbove(int a, float sa, int b, float sb) {
        return sa > sb || (sa == sb && a < b);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!ranksAbove(ids[parent], scores[parent], ids[i], scores[i])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int r = l + 1;
            int weaker = r < size && ranksAbove(ids[l], scores[l], ids[r], scores[r]) ? r : l;
            if (!ranksAbove(ids[i], scores[i], ids[weaker], scores[weaker])) {
                return;
            }
            swap(i, weaker);
            i = weaker;
        }
    }

    private void swap(int a, int b) {
        int id = ids[a];
        ids[a] = ids[b];
        ids[b] = id;
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
    }
}
