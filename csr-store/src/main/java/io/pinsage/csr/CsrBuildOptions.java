package io.pinsage.csr;

/**
 * How a {@link CsrBuilder} builds: memory budget, parallelism, partitioning and policies. Immutable; the
 * {@code with*} methods return modified copies.
 *
 * @param threads       worker threads for the sort and write passes (default: available processors), at most
 *                      {@link ResourceLimits#MAX_THREADS}
 * @param edgesPerShard most edges sorted in memory at once by one worker, which also bounds a shard's size;
 *                      heap use is about {@code threads * edgesPerShard * 4} bytes (8 when weighted)
 * @param bucketNodes   left nodes per spill bucket; edges are spilled to one file per bucket and producer
 * @param duplicates    what to do with parallel edges
 * @param weighted      whether the input carries edge weights
 */
public record CsrBuildOptions(int threads, int edgesPerShard, int bucketNodes, DuplicatePolicy duplicates, boolean weighted) {

    public CsrBuildOptions {
        ResourceLimits.requireThreads("threads", threads);
        if (edgesPerShard < 1 || edgesPerShard > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("edgesPerShard=" + edgesPerShard + ": must be in [1, 2^31 - 64)");
        }
        if (bucketNodes < 1) {
            throw new IllegalArgumentException("bucketNodes=" + bucketNodes + ": must be >= 1");
        }
        java.util.Objects.requireNonNull(duplicates, "duplicates");
    }

    /** Defaults: all processors, 2^27 edges per shard, 2^18 nodes per bucket, keep duplicates, unweighted. */
    public static CsrBuildOptions defaults() {
        return new CsrBuildOptions(Runtime.getRuntime().availableProcessors(), 1 << 27, 1 << 18, DuplicatePolicy.KEEP, false);
    }

    public CsrBuildOptions withThreads(int t) {
        return new CsrBuildOptions(t, edgesPerShard, bucketNodes, duplicates, weighted);
    }

    public CsrBuildOptions withEdgesPerShard(int e) {
        return new CsrBuildOptions(threads, e, bucketNodes, duplicates, weighted);
    }

    public CsrBuildOptions withBucketNodes(int b) {
        return new CsrBuildOptions(threads, edgesPerShard, b, duplicates, weighted);
    }

    public CsrBuildOptions withDuplicates(DuplicatePolicy d) {
        return new CsrBuildOptions(threads, edgesPerShard, bucketNodes, d, weighted);
    }

    public CsrBuildOptions withWeighted(boolean w) {
        return new CsrBuildOptions(threads, edgesPerShard, bucketNodes, duplicates, w);
    }

    /** Whether the built graph carries weights: weighted input, or summed duplicates. */
    public boolean weightedOutput() {
        return weighted || duplicates == DuplicatePolicy.SUM;
    }
}
