package io.pinsage.csr.prune;

/**
 * What {@link GraphPruner} removes. A board's <em>diversity</em> is the entropy of its pins' mean topic distribution
 * divided by ln(dim) (see {@link GraphPruner}): 0 when every pin is about one topic, 1 when its pins spread evenly over
 * all of them. Immutable; the {@code with*} methods return modified copies.
 *
 * @param maxDiversity      boards of at least two pins whose diversity exceeds this lose every edge; in (0, 1], where
 *                          1 keeps every board
 * @param diversityQuantile the same with the threshold taken as this quantile of the diversities of the boards of at
 *                          least two pins (0.9 drops about the most diverse 10%); in (0, 1], where 1 keeps every board.
 *                          At most one of the two is below 1
 * @param maxPinDegree      edges a pin keeps at most, its most relevant ones ({@link #NO_CAP}: all)
 * @param maxBoardDegree    edges a board keeps at most, its most relevant ones ({@link #NO_CAP}: all)
 */
public record PruneSettings(double maxDiversity, double diversityQuantile, int maxPinDegree, int maxBoardDegree) {

    /** A degree cap that keeps every edge. */
    public static final int NO_CAP = Integer.MAX_VALUE;

    /** @throws IllegalArgumentException naming the first setting out of range, or both diversity limits set */
    public PruneSettings {
        if (!(maxDiversity > 0 && maxDiversity <= 1)) {
            throw new IllegalArgumentException("maxDiversity=" + maxDiversity + ": must lie in (0, 1]");
        }
        if (!(diversityQuantile > 0 && diversityQuantile <= 1)) {
            throw new IllegalArgumentException("diversityQuantile=" + diversityQuantile + ": must lie in (0, 1]");
        }
        if (maxDiversity < 1 && diversityQuantile < 1) {
            throw new IllegalArgumentException("maxDiversity=" + maxDiversity + " diversityQuantile=" + diversityQuantile
                    + ": give one diversity limit, not both");
        }
        if (maxPinDegree < 1 || maxBoardDegree < 1) {
            throw new IllegalArgumentException("maxPinDegree=" + maxPinDegree + " maxBoardDegree=" + maxBoardDegree + ": must be >= 1");
        }
    }

    /** Keeps every edge: the starting point of the {@code with*} methods. */
    public static PruneSettings none() {
        return new PruneSettings(1, 1, NO_CAP, NO_CAP);
    }

    public PruneSettings withMaxDiversity(double d) {
        return new PruneSettings(d, 1, maxPinDegree, maxBoardDegree);
    }

    public PruneSettings withDiversityQuantile(double q) {
        return new PruneSettings(1, q, maxPinDegree, maxBoardDegree);
    }

    public PruneSettings withMaxDegrees(int pins, int boards) {
        return new PruneSettings(maxDiversity, diversityQuantile, pins, boards);
    }

    /** Whether diverse boards are dropped, which needs the pins' content features. */
    public boolean dropsDiverseBoards() {
        return maxDiversity < 1 || diversityQuantile < 1;
    }

    /** Whether any pruning is asked for at all. */
    public boolean prunesAnything() {
        return dropsDiverseBoards() || maxPinDegree != NO_CAP || maxBoardDegree != NO_CAP;
    }
}
