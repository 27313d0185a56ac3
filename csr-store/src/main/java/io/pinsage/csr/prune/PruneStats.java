package io.pinsage.csr.prune;

/**
 * What {@link GraphPruner} removed. Every removed edge is counted once, under the step that removed it: boards
 * dropped as too diverse (before or after the degree caps), then pins' caps, then boards' caps.
 *
 * @param diversityThreshold   boards above this diversity were dropped (1 when none could be)
 * @param multiPinBoards       boards of at least two pins in the input, the ones a diversity limit applies to
 * @param boardsDropped        boards that lost every edge for being too diverse
 * @param edgesOfDroppedBoards the edges they held when dropped
 * @param pinsCapped           pins that had more edges than their cap (to surviving boards)
 * @param edgesCutAtPins       edges those pins lost
 * @param boardsCapped         boards that still had more edges than their cap after the pins' caps
 * @param edgesCutAtBoards     edges those boards lost
 * @param edgesBefore          edges of the input
 * @param edgesKept            edges of the result
 */
public record PruneStats(double diversityThreshold, int multiPinBoards, int boardsDropped, long edgesOfDroppedBoards,
                         int pinsCapped, long edgesCutAtPins, int boardsCapped, long edgesCutAtBoards, long edgesBefore,
                         long edgesKept) {

    /** Edges removed in all. */
    public long edgesDropped() {
        return edgesBefore - edgesKept;
    }
}
