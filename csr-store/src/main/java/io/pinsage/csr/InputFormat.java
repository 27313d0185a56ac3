package io.pinsage.csr;

/** Text formats of edge lists that {@link EdgeListIngest} reads. */
public enum InputFormat {
    /** {@code left<TAB>right[<TAB>weight][<TAB>timestamp]} per line. */
    TSV,
    /** {@code left,right[,weight][,timestamp]} per line. */
    CSV,
    /** {@code user item item ...} per line (separated by spaces or tabs); users are RIGHT nodes, items LEFT nodes. */
    LIGHTGCN
}
