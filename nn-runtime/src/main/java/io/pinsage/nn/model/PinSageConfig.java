package io.pinsage.nn.model;

import io.pinsage.nn.backend.Pooling;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a {@link PinSageModel}. Immutable; validated on construction ({@link IllegalArgumentException}
 * naming {@code field=value}).
 *
 * @param featureDim      content features per node (0 for data without them, such as Gowalla)
 * @param useLogDegree    whether {@code log(1 + degree)} joins the input
 * @param idEmbeddings    rows of the learnable id embedding table (0: none); ids index it
 * @param idEmbeddingDim  width of the id embeddings: equal to {@code inputDim}, they are added to {@code h⁰}
 *                        directly; narrower or wider, a learnt {@code idEmbeddingDim x inputDim} matrix projects
 *                        them first (a small table beside content features)
 * @param inputDim        width of {@code h⁰}
 * @param layers          number of CONVOLVE layers {@code K >= 0}; with 0 each node's {@code h⁰} goes straight to G1
 *                        (no neighbourhood is read: id embeddings trained as a matrix factorisation, with G1 and G2
 *                        as its head), and {@code hiddenDim} and {@code convolveDim} are unused
 * @param hiddenDim       width of the messages {@code ReLU(Q·h + q)} in every layer
 * @param convolveDim     output width of every CONVOLVE layer
 * @param denseDim        output width of G1
 * @param outputDim       output width of G2, the embedding size
 * @param pooling         neighbour pooling γ (importance pooling is {@link Pooling#MEAN})
 * @param normalizeOutput whether the final embeddings are L2-normalised (dot products become cosines)
 * @param seed            seed of the weight initialisation, and of the id hash
 * @param hashIds         whether the id table is a fixed number of rows shared by hashing ({@link #idRow}): any
 *                        id {@code >= 0} gets a row, so the table does not grow with the nodes and a node added
 *                        after training has one; otherwise id u is row u, one row per node
 * @param sharedIdFrom    {@code -1}, or the first id that has no row of its own: ids below it are their rows, and
 *                        every id from it on shares row {@code sharedIdFrom}, the table's last
 *                        ({@code idEmbeddings = sharedIdFrom + 1}). With one side's ids first, the other side is
 *                        described by its neighbours and one shared vector rather than by a row per node (users
 *                        by the items they pool over, which cannot memorise a user's own training pairs)
 */
public record PinSageConfig(int featureDim, boolean useLogDegree, int idEmbeddings, int idEmbeddingDim, int inputDim,
                            int layers, int hiddenDim, int convolveDim, int denseDim, int outputDim, Pooling pooling,
                            boolean normalizeOutput, long seed, boolean hashIds, int sharedIdFrom) {

    /**
     * The widest any width may be: 2<sup>14</sup>. A layer's weight is up to {@code width x 2·width} floats, 2 GiB
     * with its gradient and Adam state at this width, and its element count must stay below 2<sup>31</sup>.
     */
    public static final int MAX_DIM = 1 << 14;

    /** @throws IllegalArgumentException naming {@code field=value} and its range */
    public PinSageConfig {
        requireWidth("featureDim", featureDim, 0);
        requireAtLeast("idEmbeddings", idEmbeddings, 0);
        requireWidth("idEmbeddingDim", idEmbeddingDim, 1);
        requireWidth("inputDim", inputDim, 1);
        requireAtLeast("layers", layers, 0);
        requireWidth("hiddenDim", hiddenDim, 1);
        requireWidth("convolveDim", convolveDim, 1);
        requireWidth("denseDim", denseDim, 1);
        requireWidth("outputDim", outputDim, 1);
        if ((long) idEmbeddings * idEmbeddingDim > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("idEmbeddings=" + idEmbeddings + " idEmbeddingDim=" + idEmbeddingDim
                    + ": the table would hold " + (long) idEmbeddings * idEmbeddingDim + " floats, a tensor at most 2^31 - 64");
        }
        if (pooling == null) {
            throw new IllegalArgumentException("pooling=null");
        }
        if (featureDim == 0 && !useLogDegree && idEmbeddings == 0) {
            throw new IllegalArgumentException("featureDim=0 useLogDegree=false idEmbeddings=0: the model has no input");
        }
        if (hashIds && idEmbeddings == 0) {
            throw new IllegalArgumentException("hashIds=true idEmbeddings=0: hashing needs an id table of at least one row");
        }
        if (sharedIdFrom < -1 || (sharedIdFrom >= 0 && (hashIds || idEmbeddings != (long) sharedIdFrom + 1))) {
            throw new IllegalArgumentException("sharedIdFrom=" + sharedIdFrom + " idEmbeddings=" + idEmbeddings + " hashIds="
                    + hashIds + " (expected -1, or a table of sharedIdFrom + 1 rows without hashing)");
        }
    }

    /** A configuration without a shared row ({@code sharedIdFrom = -1}). */
    public PinSageConfig(int featureDim, boolean useLogDegree, int idEmbeddings, int idEmbeddingDim, int inputDim,
                         int layers, int hiddenDim, int convolveDim, int denseDim, int outputDim, Pooling pooling,
                         boolean normalizeOutput, long seed, boolean hashIds) {
        this(featureDim, useLogDegree, idEmbeddings, idEmbeddingDim, inputDim, layers, hiddenDim, convolveDim, denseDim,
                outputDim, pooling, normalizeOutput, seed, hashIds, -1);
    }

    /** Whether nodes may share id rows (a hashed table, or ids from {@link #sharedIdFrom} on), so the table need not have a row per node. */
    public boolean sharesIdRows() {
        return hashIds || sharedIdFrom >= 0;
    }

    /** A configuration whose id table, if any, has one row per node (id u is row u). */
    public PinSageConfig(int featureDim, boolean useLogDegree, int idEmbeddings, int idEmbeddingDim, int inputDim,
                         int layers, int hiddenDim, int convolveDim, int denseDim, int outputDim, Pooling pooling,
                         boolean normalizeOutput, long seed) {
        this(featureDim, useLogDegree, idEmbeddings, idEmbeddingDim, inputDim, layers, hiddenDim, convolveDim, denseDim,
                outputDim, pooling, normalizeOutput, seed, false);
    }

    /**
     * The id-table row of node id {@code id >= 0}: the id itself; with {@link #sharedIdFrom} set, that row for every
     * id from it on; with {@link #hashIds} a seeded 64-bit mix of it reduced modulo the table's rows (ids that collide
     * share a row). O(1); allocation-free.
     */
    public int idRow(int id) {
        if (sharedIdFrom >= 0) {
            return Math.min(id, sharedIdFrom);
        }
        if (!hashIds) {
            return id;
        }
        long z = (id + seed * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return (int) Long.remainderUnsigned(z ^ (z >>> 29), idEmbeddings);
    }

    /** Whether node id {@code id} has a row of the id table (always, for {@code id >= 0}, when rows are shared). */
    public boolean hasIdRow(int id) {
        return id >= 0 && (sharesIdRows() || id < idEmbeddings);
    }

    /** A configuration whose id embeddings (if any) are {@code inputDim} wide and added to {@code h⁰} directly. */
    public PinSageConfig(int featureDim, boolean useLogDegree, int idEmbeddings, int inputDim, int layers,
                         int hiddenDim, int convolveDim, int denseDim, int outputDim, Pooling pooling,
                         boolean normalizeOutput, long seed) {
        this(featureDim, useLogDegree, idEmbeddings, inputDim, inputDim, layers, hiddenDim, convolveDim, denseDim,
                outputDim, pooling, normalizeOutput, seed);
    }

    /** Whether the id embeddings pass through a learnt projection (their width differs from {@code inputDim}). */
    public boolean projectsIdEmbeddings() {
        return idEmbeddings > 0 && idEmbeddingDim != inputDim;
    }

    /**
     * The defaults: K = 2, widths 256 (input, messages, CONVOLVE, G1) and 128 (embedding), importance
     * pooling, log-degree on, normalised output, for the given features and id table.
     */
    public static PinSageConfig defaults(int featureDim, int idEmbeddings) {
        return new PinSageConfig(featureDim, true, idEmbeddings, 256, 2, 256, 256, 256, 128, Pooling.MEAN, true, 42L);
    }

    /** Columns of the input matrix: features plus one for log-degree when used. */
    public int inputWidth() {
        return featureDim + (useLogDegree ? 1 : 0);
    }

    /** Every field as {@code name → value} text, the form model files store. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("featureDim", Integer.toString(featureDim));
        m.put("useLogDegree", Boolean.toString(useLogDegree));
        m.put("idEmbeddings", Integer.toString(idEmbeddings));
        m.put("idEmbeddingDim", Integer.toString(idEmbeddingDim));
        m.put("inputDim", Integer.toString(inputDim));
        m.put("layers", Integer.toString(layers));
        m.put("hiddenDim", Integer.toString(hiddenDim));
        m.put("convolveDim", Integer.toString(convolveDim));
        m.put("denseDim", Integer.toString(denseDim));
        m.put("outputDim", Integer.toString(outputDim));
        m.put("pooling", pooling.name());
        m.put("normalizeOutput", Boolean.toString(normalizeOutput));
        m.put("seed", Long.toString(seed));
        if (hashIds) {
            // only when set, so files of per-node tables read as before, by older readers too
            m.put("hashIds", "true");
        }
        if (sharedIdFrom >= 0) {
            m.put("sharedIdFrom", Integer.toString(sharedIdFrom));
        }
        return m;
    }

    /**
     * Reads the form of {@link #toMap()}.
     *
     * @throws IllegalArgumentException naming a missing or malformed field
     */
    public static PinSageConfig fromMap(Map<String, String> m) {
        // Files from before projected id embeddings existed had them inputDim wide.
        int idEmbeddingDim = m.containsKey("idEmbeddingDim") ? intField(m, "idEmbeddingDim") : intField(m, "inputDim");
        return new PinSageConfig(intField(m, "featureDim"), boolField(m, "useLogDegree"), intField(m, "idEmbeddings"),
                idEmbeddingDim, intField(m, "inputDim"), intField(m, "layers"), intField(m, "hiddenDim"), intField(m, "convolveDim"),
                intField(m, "denseDim"), intField(m, "outputDim"), Pooling.valueOf(field(m, "pooling")),
                boolField(m, "normalizeOutput"), Long.parseLong(field(m, "seed")),
                // files from before hashed id tables had a row per node
                m.containsKey("hashIds") && boolField(m, "hashIds"),
                // and none shared a row
                m.containsKey("sharedIdFrom") ? intField(m, "sharedIdFrom") : -1);
    }

    private static String field(Map<String, String> m, String name) {
        String v = m.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is missing from the model configuration");
        }
        return v;
    }

    private static int intField(Map<String, String> m, String name) {
        try {
            return Integer.parseInt(field(m, name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + m.get(name) + " (expected an integer)", e);
        }
    }

    private static boolean boolField(Map<String, String> m, String name) {
        String v = field(m, name);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(name + "=" + v + " (expected true or false)");
        }
        return Boolean.parseBoolean(v);
    }

    private static void requireWidth(String name, int value, int min) {
        if (value < min || value > MAX_DIM) {
            throw new IllegalArgumentException(name + "=" + value + " (expected " + min + " to " + MAX_DIM + ")");
        }
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + "=" + value + " (expected >= " + min + ")");
        }
    }
}
