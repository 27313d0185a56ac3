package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.ComputationGraph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The body of a {@link FrameDescriptor.Type#BATCH} frame: a {@link MiniBatch} with its computation graph, preceded by
 * the sender's backlog. Little-endian ints and IEEE floats, field by field:
 *
 * <pre>
 *   int backlog, epoch, index, layers K, featureDim, pairs P, negatives N, hardPerQuery H
 *   int nodeCounts[K + 1]
 *   int edges[K]                          neighbours of layers 1..K
 *   int nodeIds[n0]   float logDegrees[n0]   float features[n0 × featureDim]
 *   for k = 1..K:  int offsets[nodeCounts[k] + 1]   int neighbours[edges[k]]   float weights[edges[k]]
 *   int queryRows[P]   int positiveRows[P]   int negativeRows[N]   int hardRows[P × H]
 * </pre>
 *
 * Encoding writes each array once, by bulk copy, into one direct buffer of the exact size: the bytes the socket
 * sends, with no intermediate Java array. Decoding checks that the counts fit the body exactly before it allocates
 * anything, then copies into the arrays a {@link MiniBatch} is made of (its types require Java arrays) and lets the
 * graph and batch constructors check every index.
 *
 * <p>Stateless; thread-safe. Cost: O(batch bytes) either way.
 */
public final class MiniBatchCodec {

    private static final int FIXED_INTS = 8;

    private MiniBatchCodec() {
    }

    /** Bytes of {@code batch}'s body. */
    public static long bodyLength(MiniBatch batch) {
        ComputationGraph g = batch.graph();
        int layers = g.layers();
        long ints = FIXED_INTS + (layers + 1L) + layers;
        long n0 = g.nodeCount(0);
        ints += n0 + n0 + n0 * g.featureDim();
        for (int k = 1; k <= layers; k++) {
            ints += g.offsets(k).length + 2L * g.neighbours(k).length;
        }
        ints += 2L * batch.size() + batch.negativeRows().length + batch.hardRows().length;
        return 4 * ints;
    }

    /**
     * Encodes {@code batch} into a new direct buffer owned by the caller.
     *
     * @param maxBodyBytes the largest body the receiver accepts
     * @throws IllegalArgumentException when the body would exceed {@code maxBodyBytes}, naming both sizes
     */
    public static ByteBuf encode(ByteBufAllocator alloc, MiniBatch batch, int backlog, int maxBodyBytes) {
        long length = bodyLength(batch);
        if (length > maxBodyBytes) {
            throw new IllegalArgumentException("batch " + batch.index() + " of epoch " + batch.epoch() + " encodes to "
                    + length + " bytes; maxFrameBytes allows a body of " + maxBodyBytes);
        }
        ComputationGraph g = batch.graph();
        int layers = g.layers();
        ByteBuf out = alloc.directBuffer((int) length, (int) length);
        try {
            out.writeIntLE(backlog).writeIntLE(batch.epoch()).writeIntLE(batch.index()).writeIntLE(layers)
                    .writeIntLE(g.featureDim()).writeIntLE(batch.size()).writeIntLE(batch.negativeRows().length)
                    .writeIntLE(batch.hardPerQuery());
            for (int k = 0; k <= layers; k++) {
                out.writeIntLE(g.nodeCount(k));
            }
            for (int k = 1; k <= layers; k++) {
                out.writeIntLE(g.neighbours(k).length);
            }
            put(out, g.nodeIds());
            put(out, g.logDegrees());
            put(out, g.features());
            for (int k = 1; k <= layers; k++) {
                put(out, g.offsets(k));
                put(out, g.neighbours(k));
                put(out, g.weights(k));
            }
            put(out, batch.queryRows());
            put(out, batch.positiveRows());
            put(out, batch.negativeRows());
            put(out, batch.hardRows());
            assert !out.isWritable() : out.writableBytes() + " bytes left unwritten";
            return out;
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    /** The backlog field of a batch body, without decoding the rest. */
    public static int backlog(ByteBuf body) {
        return body.getIntLE(body.readerIndex());
    }

    /**
     * Decodes a body written by {@link #encode}; reads {@code body} without moving its indices or releasing it.
     *
     * @throws CorruptFrameException naming the field when the counts do not fit the body or an index is out of range
     */
    public static MiniBatch decode(ByteBuf body) {
        Reader r = new Reader(body);
        r.need(FIXED_INTS, "header");
        r.nextInt();
        int epoch = r.nextInt();
        int index = r.nextInt();
        int layers = r.nextInt();
        int featureDim = r.nextInt();
        int pairs = r.nextInt();
        int negatives = r.nextInt();
        int hardPerQuery = r.nextInt();
        r.check(layers >= 1, "layers", layers);
        r.check(featureDim >= 0, "featureDim", featureDim);
        r.check(pairs >= 1, "pairs", pairs);
        r.check(negatives >= 0, "negatives", negatives);
        r.check(hardPerQuery >= 0, "hardPerQuery", hardPerQuery);
        r.need(2L * layers + 1, "nodeCounts and edges");
        int[] nodeCounts = new int[layers + 1];
        long[] edges = new long[layers + 1];
        for (int k = 0; k <= layers; k++) {
            nodeCounts[k] = r.nextInt();
            r.check(nodeCounts[k] >= 0, "nodeCounts[" + k + "]", nodeCounts[k]);
        }
        for (int k = 1; k <= layers; k++) {
            edges[k] = r.nextInt();
            r.check(edges[k] >= 0, "edges[" + k + "]", edges[k]);
        }
        long n0 = nodeCounts[0];
        long rest = 2 * n0 + n0 * featureDim + 2L * pairs + negatives + (long) pairs * hardPerQuery;
        for (int k = 1; k <= layers; k++) {
            rest += nodeCounts[k] + 1L + 2 * edges[k];
        }
        if (rest * 4 != r.remaining()) {
            throw new CorruptFrameException("batch body: the counts describe " + rest * 4 + " more bytes, the frame holds "
                    + r.remaining());
        }
        int[] nodeIds = r.ints(nodeCounts[0]);
        float[] logDegrees = r.floats(nodeCounts[0]);
        float[] features = r.floats((int) (n0 * featureDim));
        int[][] offsets = new int[layers + 1][];
        int[][] neighbours = new int[layers + 1][];
        float[][] weights = new float[layers + 1][];
        for (int k = 1; k <= layers; k++) {
            offsets[k] = r.ints(nodeCounts[k] + 1);
            neighbours[k] = r.ints((int) edges[k]);
            weights[k] = r.floats((int) edges[k]);
        }
        int[] queryRows = r.ints(pairs);
        int[] positiveRows = r.ints(pairs);
        int[] negativeRows = r.ints(negatives);
        int[] hardRows = r.ints(pairs * hardPerQuery);
        try {
            ComputationGraph graph = new ComputationGraph(nodeCounts, nodeIds, offsets, neighbours, weights, features,
                    featureDim, logDegrees);
            return new MiniBatch(graph, queryRows, positiveRows, negativeRows, hardPerQuery, hardRows, epoch, index);
        } catch (IllegalArgumentException e) {
            throw new CorruptFrameException("batch body: " + e.getMessage());
        }
    }

    private static void put(ByteBuf out, int[] values) {
        int bytes = values.length * 4;
        out.nioBuffer(out.writerIndex(), bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(values);
        out.writerIndex(out.writerIndex() + bytes);
    }

    private static void put(ByteBuf out, float[] values) {
        int bytes = values.length * 4;
        out.nioBuffer(out.writerIndex(), bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        out.writerIndex(out.writerIndex() + bytes);
    }

    /** Reads the body from its reader index on, without moving the buffer's own indices. */
    private static final class Reader {
        private final ByteBuf body;
        private int at;
        private final int end;

        Reader(ByteBuf body) {
            this.body = body;
            this.at = body.readerIndex();
            this.end = body.writerIndex();
        }

        long remaining() {
            return end - at;
        }

        void need(long ints, String what) {
            if (ints * 4 > remaining()) {
                throw new CorruptFrameException("batch body: " + remaining() + " bytes left, too few for the " + what);
            }
        }

        void check(boolean ok, String field, long value) {
            if (!ok) {
                throw new CorruptFrameException("batch body: " + field + "=" + value + " out of range");
            }
        }

        int nextInt() {
            int v = body.getIntLE(at);
            at += 4;
            return v;
        }

        int[] ints(int n) {
            int[] a = new int[n];
            view(n).asIntBuffer().get(a);
            return a;
        }

        float[] floats(int n) {
            float[] a = new float[n];
            view(n).asFloatBuffer().get(a);
            return a;
        }

        private ByteBuffer view(int n) {
            ByteBuffer v = body.nioBuffer(at, n * 4).order(ByteOrder.LITTLE_ENDIAN);
            at += n * 4;
            return v;
        }
    }
}
