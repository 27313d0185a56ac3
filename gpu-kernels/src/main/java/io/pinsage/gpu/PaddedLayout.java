package io.pinsage.gpu;

/**
 * A CSR neighbourhood ({@code offsets}, {@code neighbours}) recast into the fixed-width layout the gather kernels
 * read: {@code targets x t} slots with {@code t} the largest degree; slot {@code j} of target {@code u} holds edge
 * {@code offsets[u] + j} when {@code j < degree(u)}, else -1 (skipped by the kernels). Two device arrays of that
 * shape: the neighbour row of each slot ({@link #slotNeighbours}) and its edge number ({@link #slotEdges}, used
 * to gather the per-edge weights into slots).
 *
 * <p>Built on the host from the index buffers' mirrors and cached by {@link CudaBackend} per pair of buffers and
 * content versions, so a forward pass and its backward pass lay out once. Immutable once built; its device
 * arrays belong to the backend's pool.
 */
final class PaddedLayout {

    final DeviceStorage offsetsStorage;
    final long offsetsVersion;
    final int offsetsOffset;
    final DeviceStorage neighboursStorage;
    final long neighboursVersion;
    final int neighboursOffset;
    final int neighboursLength;
    final int targets;
    final int t;
    /** Largest neighbour row referenced, -1 when there are no edges; checked against the source's rows per call. */
    final int maxNeighbour;
    /** The CSR offsets (targets + 1 values) relative to the neighbours view. */
    final int[] rowStart;
    final long slotNeighbours;
    final long slotEdges;
    final long slotBytes;

    PaddedLayout(CudaIndexBuffer offsets, CudaIndexBuffer neighbours, int t, int maxNeighbour, int[] rowStart,
                 long slotNeighbours, long slotEdges, long slotBytes) {
        this.offsetsStorage = offsets.storage;
        this.offsetsVersion = offsets.storage.version;
        this.offsetsOffset = offsets.offset;
        this.neighboursStorage = neighbours.storage;
        this.neighboursVersion = neighbours.storage.version;
        this.neighboursOffset = neighbours.offset;
        this.neighboursLength = neighbours.length();
        this.targets = offsets.length() - 1;
        this.t = t;
        this.maxNeighbour = maxNeighbour;
        this.rowStart = rowStart;
        this.slotNeighbours = slotNeighbours;
        this.slotEdges = slotEdges;
        this.slotBytes = slotBytes;
    }

    /** Whether this layout was built from exactly these buffers with their current contents. */
    boolean matches(CudaIndexBuffer offsets, CudaIndexBuffer neighbours) {
        return offsets.storage == offsetsStorage && offsets.storage.version == offsetsVersion
                && offsets.offset == offsetsOffset && offsets.length() - 1 == targets
                && neighbours.storage == neighboursStorage && neighbours.storage.version == neighboursVersion
                && neighbours.offset == neighboursOffset && neighbours.length() == neighboursLength;
    }

    /** The edge number of slot {@code slot} of {@code target} (-1 for -1). */
    int edgeOf(int target, int slot) {
        return slot < 0 ? -1 : rowStart[target] + slot;
    }

    /** The slot of edge {@code edge} of {@code target} (-1 for -1); the edge must belong to the target. */
    int slotOf(int target, int edge) {
        if (edge < 0) {
            return -1;
        }
        if (edge < rowStart[target] || edge >= rowStart[target + 1]) {
            throw new IllegalArgumentException("argMax holds edge " + edge + " for target " + target
                    + ", whose edges are [" + rowStart[target] + ", " + rowStart[target + 1] + ")");
        }
        return edge - rowStart[target];
    }
}
