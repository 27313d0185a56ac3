package io.pinsage.nn.backend;

import static io.pinsage.nn.backend.Tensor.describe;

/**
 * The argument checks of every {@link Backend} operation, shared so that all backends reject the same calls
 * with the same messages. Each method throws {@link IllegalArgumentException} naming the shapes involved
 * ({@code name[rows x cols]}); cost O(1), no allocation unless it throws.
 */
public final class BackendChecks {

    private BackendChecks() {
    }

    /** Checks that {@code a} and {@code b} have the same shape. */
    public static void sameShape(String op, Tensor a, Tensor b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(op + ": shapes differ: " + describe(a) + " vs " + describe(b));
        }
    }

    /** Checks that a host array of {@code length} holds {@code count} elements from {@code offset}. */
    public static void hostRange(String op, String what, int length, int offset, long count) {
        if (offset < 0 || offset + count > length) {
            throw new IllegalArgumentException(op + ": " + what + " of length " + length + " has no " + count
                    + " elements from offset " + offset);
        }
    }

    /** Checks a GEMM call: {@code op(A)} is {@code M x K}, {@code op(B)} is {@code K x N}, {@code C} is {@code M x N}. */
    public static void gemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c) {
        int m = transA ? a.cols() : a.rows();
        int ka = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (ka != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm: op(A)=" + m + "x" + ka + " op(B)=" + kb + "x" + n
                    + " C=" + c.rows() + "x" + c.cols() + " do not multiply: A=" + describe(a) + (transA ? "ᵀ" : "")
                    + " B=" + describe(b) + (transB ? "ᵀ" : "") + " C=" + describe(c));
        }
        if (c == a || c == b) {
            throw new IllegalArgumentException("gemm: C=" + describe(c) + " aliases an input");
        }
    }

    /** Checks that {@code bias} is {@code 1 x x.cols()}. */
    public static void bias(String op, Tensor x, Tensor bias) {
        if (bias.rows() != 1 || bias.cols() != x.cols()) {
            throw new IllegalArgumentException(op + ": bias " + describe(bias) + " must be 1x" + x.cols()
                    + " for " + describe(x));
        }
    }

    /** Checks an aggregate call's shapes (forward or backward: {@code out} is the target-side tensor). */
    public static void aggregate(String op, Pooling pooling, Tensor src, IndexBuffer offsets, IndexBuffer neighbours,
                                 Tensor weights, Tensor out, IndexBuffer argMax) {
        if (offsets.length() != out.rows() + 1) {
            throw new IllegalArgumentException(op + ": offsets " + IndexBuffer.describe(offsets) + " must have "
                    + (out.rows() + 1) + " entries for targets " + describe(out));
        }
        if (src.cols() != out.cols()) {
            throw new IllegalArgumentException(op + ": source " + describe(src) + " and targets " + describe(out)
                    + " differ in columns");
        }
        if (weights.size() != neighbours.length()) {
            throw new IllegalArgumentException(op + ": weights " + describe(weights) + " must hold one value per"
                    + " neighbour of " + IndexBuffer.describe(neighbours));
        }
        if (pooling == Pooling.MAX && (argMax == null || argMax.length() != out.size())) {
            throw new IllegalArgumentException(op + ": MAX pooling needs argMax of " + out.size() + " ints for "
                    + describe(out) + ", got " + IndexBuffer.describe(argMax));
        }
    }

    /** Checks that {@code norms} is {@code x.rows() x 1} and {@code out} matches {@code x}. */
    public static void l2Normalize(String op, Tensor x, Tensor out, Tensor norms) {
        sameShape(op, x, out);
        if (norms.rows() != x.rows() || norms.cols() != 1) {
            throw new IllegalArgumentException(op + ": norms " + describe(norms) + " must be " + x.rows() + "x1 for "
                    + describe(x));
        }
    }

    /** Checks a {@link Backend#rankingLossRows} call. */
    public static void rankingLossRows(RankingLossKind kind, float temperature, int shared, IndexBuffer hardRows,
                                       int hardPerQuery, Tensor scores, Tensor rowLoss) {
        String op = "rankingLossRows";
        if (kind == RankingLossKind.SOFTMAX && !(temperature > 0 && Float.isFinite(temperature))) {
            throw new IllegalArgumentException(op + ": temperature=" + temperature + " (expected a finite value > 0)");
        }
        int b = scores.rows();
        if (shared < 0 || hardPerQuery < 0 || (long) b + shared + (long) b * hardPerQuery != scores.cols()) {
            throw new IllegalArgumentException(op + ": " + describe(scores) + " with sharedNegatives=" + shared
                    + " hardPerQuery=" + hardPerQuery + " (expected B + S + B·H columns)");
        }
        if (rowLoss.rows() != b || rowLoss.cols() != 1) {
            throw new IllegalArgumentException(op + ": rowLoss " + describe(rowLoss) + " must be " + b + "x1 for scores "
                    + describe(scores));
        }
        long hard = (long) b * hardPerQuery;
        if (hard > 0 ? hardRows == null || hardRows.length() != hard : hardRows != null && hardRows.length() != 0) {
            throw new IllegalArgumentException(op + ": hardRows " + (hardRows == null ? "null"
                    : IndexBuffer.describe(hardRows)) + " (expected " + hard + " entries for " + b + " queries x "
                    + hardPerQuery + ")");
        }
    }

    /** Checks a row gather/scatter: {@code rows.length() == dense.rows()} and equal column counts. */
    public static void rows(String op, Tensor table, IndexBuffer rows, Tensor dense) {
        if (rows.length() != dense.rows() || table.cols() != dense.cols()) {
            throw new IllegalArgumentException(op + ": table " + describe(table) + ", rows "
                    + IndexBuffer.describe(rows) + " and dense " + describe(dense) + " disagree");
        }
    }

    /** Checks an Adam step's shapes and step number. */
    public static void adam(long step, Tensor param, Tensor grad, Tensor m, Tensor v) {
        if (step < 1) {
            throw new IllegalArgumentException("adam: step=" + step + " (expected >= 1)");
        }
        sameShape("adam", param, grad);
        sameShape("adam", param, m);
        sameShape("adam", param, v);
    }

    /** Checks a sparse Adam step's shapes and step number. */
    public static void sparseAdam(long step, Tensor table, IndexBuffer rows, Tensor gradRows, Tensor m, Tensor v) {
        if (step < 1) {
            throw new IllegalArgumentException("sparseAdam: step=" + step + " (expected >= 1)");
        }
        rows("sparseAdam", table, rows, gradRows);
        sameShape("sparseAdam", table, m);
        sameShape("sparseAdam", table, v);
    }
}
