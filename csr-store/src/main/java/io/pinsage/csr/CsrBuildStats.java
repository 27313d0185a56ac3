package io.pinsage.csr;

/**
 * What a {@link CsrBuilder#build} produced.
 *
 * @param edgesIn      edges received from all sinks
 * @param edgesOut     edges stored per direction, after the duplicate policy
 * @param leftCount    left nodes
 * @param rightCount   right nodes
 * @param leftShards   neighbour shards written for the left side
 * @param rightShards  neighbour shards written for the right side
 * @param spillBytes   bytes written to spill files
 */
public record CsrBuildStats(long edgesIn, long edgesOut, int leftCount, int rightCount, int leftShards, int rightShards,
                            long spillBytes) {
}
