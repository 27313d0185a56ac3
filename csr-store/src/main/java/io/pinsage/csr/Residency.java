package io.pinsage.csr;

/**
 * Where {@link MappedCsrGraph} keeps the adjacency it reads: the trade between opening cost and memory on one side
 * and the cost of every random access on the other.
 */
public enum Residency {

    /**
     * Read the store's files through read-only memory mappings (advised to use transparent huge pages where the
     * file system caches in large folios). Opens in milliseconds at any size, shares the page cache with other
     * processes and needs no memory of its own; a side cut into several shards pays a shard lookup per edge read.
     */
    MAPPED,

    /**
     * Copy each side's offsets, neighbours and weights into one contiguous block of anonymous memory backed by
     * transparent huge pages. Opening reads the whole adjacency once (seconds per GiB from a cold disk) and holds
     * its size in memory outside the heap, so use it only when the graph fits in RAM; in return every access is a
     * single bounds-checked read with no shard lookup and far fewer TLB misses, the layout random walks want.
     */
    ANONYMOUS_HUGE_PAGES
}
