package io.pinsage.csr;

/**
 * How {@link EdgeListIngest} reads its input. Immutable.
 *
 * @param format       the text format
 * @param ids          how nodes are named: dense ints (no map), 64-bit integers, or strings
 * @param weighted     use the weight column of TSV/CSV (a line without one gets weight 1); otherwise it is ignored
 * @param skipBadLines count and skip malformed lines instead of failing on the first
 */
public record IngestOptions(InputFormat format, IdKind ids, boolean weighted, boolean skipBadLines) {

    public IngestOptions {
        java.util.Objects.requireNonNull(format, "format");
        java.util.Objects.requireNonNull(ids, "ids");
        if (weighted && format == InputFormat.LIGHTGCN) {
            throw new IllegalArgumentException("weighted=true format=LIGHTGCN: the LightGCN format has no weights");
        }
    }
}
