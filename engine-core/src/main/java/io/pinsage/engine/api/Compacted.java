package io.pinsage.engine.api;

/**
 * What one {@link PinSageEngine#compact()} did.
 *
 * @param generation  the store generation it published, {@code gen-NNNNNNNN}
 * @param edges       edges of that generation (recent edges of weight 0, which older logs may hold, are left out)
 * @param recentEdges recent edges it moved into the store
 * @param nanos       its duration, from the start to the switch and the log's cut
 */
public record Compacted(String generation, long edges, long recentEdges, long nanos) {
}
