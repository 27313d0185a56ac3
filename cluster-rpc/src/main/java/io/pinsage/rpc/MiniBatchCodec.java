package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.model.ComputationGraph;
import io.pinsage.nn.model.ComputationGraphBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a {@link FrameDescriptor.Type#BATCH} frame: a {@link MiniBatch} with its computation graph's node ids and
 * structure but not its layer-0 inputs, preceded by the sender's backlog. Little-endian ints and IEEE floats, field by
 * field:
 *
 * <pre>
 *   int backlog, epoch, index, layers K (0: the graph lists the outputs alone), pairs P, negatives N, hardPerQuery H
 *   int nodeCounts[K + 1]
 *   int edges[K]                          neighbours of layers 1..K
 *   int nodeIds[n0]
 *   for k = 1..K:  int offsets[nodeCounts[k] + 1]   int neighbours[edges[k]]   float weights[edges[k]]
 *   int queryRows[P]   int positiveRows[P]   int negativeRows[N]   int hardRows[P × H]
 * </pre>
 *
 * The features and log-degrees of the layer-0 nodes do not travel: the trainer reads the same node inputs as its
 * samplers (the run's fingerprint, compared in the handshake, says so) and gathers them itself as it decodes
 * ({@link MiniBatch#withInputs}, the gather of the in-process path). They were most of a frame's bytes: n0 × (featureDim
 * + 1) floats, where the structure costs an int per node and per target and two per edge.
 *
 * <p>Encoding writes each array once, by bulk copy, into direct buffers of at most {@link #CHUNK_BYTES} from the
 * allocator's pool, joined as one composite buffer of the exact size: the bytes the socket sends (by a gathering
 * write), with no intermediate Java array. Chunks rather than one buffer of the frame's size because an allocator pools
 * only small buffers: a fresh direct buffer of tens of MB is zeroed and faulted in page by page at every batch, which
 * cost a sampler more than the copy itself. Decoding checks that the counts fit the body exactly before it allocates
 * anything, then copies into the arrays a {@link MiniBatch} is made of (its types require Java arrays), from however
 * many pieces the body arrived in, lets the graph and batch constructors check every index, and checks the node ids
 * against the trainer's node space before it gathers their inputs.
 *
 * <p>Stateless; thread-safe. Cost: O(body bytes) either way, plus the gather of n0 × featureDim floats when decoding.
 */
public final class MiniBatchCodec {

    private static final int FIXED_INTS = 7;

    /**
     * The largest piece of an encoded body: a multiple of 4, so no int or float is split between pieces, and within
     * what Netty's allocators pool (a quarter of a MiB even when the heap is small).
     */
    public static final int CHUNK_BYTES = 256 << 10;

    private MiniBatchCodec() {
    }

    /** Bytes of {@code batch}'s body, whether or not its graph holds its inputs (they are never sent). */
    public static long bodyLength(MiniBatch batch) {
        ComputationGraph g = batch.graph();
        int layers = g.layers();
        long ints = FIXED_INTS + (layers + 1L) + layers;
        ints += g.nodeCount(0);
        for (int k = 1; k <= layers; k++) {
            ints += g.offsets(k).length + 2L * g.neighbours(k).length;
        }
        ints += 2L * batch.size() + batch.negativeRows().length + batch.hardRows().length;
        return 4 * ints;
    }

    /**
     * Encodes {@code batch}, less its graph's layer-0 inputs if it holds them, into a new direct buffer owned by the
     * caller.
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
        Chunks out = new Chunks(alloc, (int) length);
        try {
            out.putInt(backlog);
            out.putInt(batch.epoch());
            out.putInt(batch.index());
            out.putInt(layers);
            out.putInt(batch.size());
            out.putInt(batch.negativeRows().length);
            out.putInt(batch.hardPerQuery());
            for (int k = 0; k <= layers; k++) {
                out.putInt(g.nodeCount(k));
            }
            for (int k = 1; k <= layers; k++) {
                out.putInt(g.neighbours(k).length);
            }
            out.put(g.nodeIds());
            for (int k = 1; k <= layers; k++) {
                out.put(g.offsets(k));
                out.put(g.neighbours(k));
                out.put(g.weights(k));
            }
            out.put(batch.queryRows());
            out.put(batch.positiveRows());
            out.put(batch.negativeRows());
            out.put(batch.hardRows());
            return out.finish();
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    /** The backlog field of a batch body, without decoding the rest. */
    public static int backlog(ByteBuf body) {
        return body.getIntLE(body.readerIndex());
    }

    /** The epoch field of a batch body, without decoding the rest; -1 when the body is too short to hold it. */
    public static int epoch(ByteBuf body) {
        return body.readableBytes() >= 8 ? body.getIntLE(body.readerIndex() + 4) : -1;
    }

    /** The index field of a batch body, without decoding the rest; -1 when the body is too short to hold it. */
    public static int index(ByteBuf body) {
        return body.readableBytes() >= 12 ? body.getIntLE(body.readerIndex() + 8) : -1;
    }

    /**
     * Decodes a body written by {@link #encode} into the batch the sampler built, its layer-0 inputs gathered from
     * {@code inputs}; reads {@code body} without moving its indices or releasing it.
     *
     * @param inputs the receiver's node inputs of the node space {@code [0, nodes)}: the sender's, by the run's
     *               fingerprint
     * @throws CorruptFrameException naming the field when the counts do not fit the body, an index is out of range,
     *                               or a node id lies outside {@code [0, nodes)}
     */
    public static MiniBatch decode(ByteBuf body, ComputationGraphBuilder.NodeInputs inputs, int nodes) {
        Reader r = new Reader(body);
        r.need(FIXED_INTS, "header");
        r.nextInt();
        int epoch = r.nextInt();
        int index = r.nextInt();
        int layers = r.nextInt();
        int pairs = r.nextInt();
        int negatives = r.nextInt();
        int hardPerQuery = r.nextInt();
        r.check(layers >= 0, "layers", layers);
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
        long rest = (long) nodeCounts[0] + 2L * pairs + negatives + (long) pairs * hardPerQuery;
        for (int k = 1; k <= layers; k++) {
            rest += nodeCounts[k] + 1L + 2 * edges[k];
        }
        if (rest * 4 != r.remaining()) {
            throw new CorruptFrameException("batch body: the counts describe " + rest * 4 + " more bytes, the frame holds "
                    + r.remaining());
        }
        int[] nodeIds = r.ints(nodeCounts[0]);
        for (int i = 0; i < nodeIds.length; i++) {
            if (nodeIds[i] < 0 || nodeIds[i] >= nodes) {
                throw new CorruptFrameException("batch body: nodeIds[" + i + "]=" + nodeIds[i] + " outside this end's "
                        + "node space [0, " + nodes + ")");
            }
        }
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
            ComputationGraph graph = new ComputationGraph(nodeCounts, nodeIds, offsets, neighbours, weights);
            return new MiniBatch(graph, queryRows, positiveRows, negativeRows, hardPerQuery, hardRows, epoch, index)
                    .withInputs(inputs);
        } catch (IllegalArgumentException e) {
            throw new CorruptFrameException("batch body: " + e.getMessage());
        }
    }

    /**
     * An encoded body being written: pooled direct chunks of {@link #CHUNK_BYTES} (the last one smaller), filled in
     * order. Since every field is 4 bytes and every chunk a multiple of 4, a value never straddles two chunks.
     */
    private static final class Chunks {
        private final ByteBufAllocator alloc;
        private final List<ByteBuf> chunks = new ArrayList<>();
        private int left;
        private ByteBuf chunk;

        Chunks(ByteBufAllocator alloc, int length) {
            this.alloc = alloc;
            this.left = length;
        }

        /** The current chunk, a new one when it is full. */
        private ByteBuf room() {
            if (chunk == null || !chunk.isWritable()) {
                int size = Math.min(CHUNK_BYTES, left);
                if (size == 0) {
                    throw new IllegalStateException("batch body: more bytes written than counted");
                }
                chunk = alloc.directBuffer(size, size);
                chunks.add(chunk);
                left -= size;
            }
            return chunk;
        }

        void putInt(int v) {
            room().writeIntLE(v);
        }

        void put(int[] values) {
            for (int at = 0; at < values.length; ) {
                int n = Math.min(values.length - at, room().writableBytes() / 4);
                view(n).asIntBuffer().put(values, at, n);
                at += n;
            }
        }

        void put(float[] values) {
            for (int at = 0; at < values.length; ) {
                int n = Math.min(values.length - at, room().writableBytes() / 4);
                view(n).asFloatBuffer().put(values, at, n);
                at += n;
            }
        }

        /** The next {@code n} values' bytes of the current chunk, counted as written. */
        private ByteBuffer view(int n) {
            ByteBuffer v = chunk.nioBuffer(chunk.writerIndex(), 4 * n).order(ByteOrder.LITTLE_ENDIAN);
            chunk.writerIndex(chunk.writerIndex() + 4 * n);
            return v;
        }

        /** The body: the one chunk, or all of them as one composite buffer that owns them. */
        ByteBuf finish() {
            if (left != 0 || chunk != null && chunk.isWritable()) {
                throw new IllegalStateException("batch body: " + (left + (chunk == null ? 0 : chunk.writableBytes()))
                        + " bytes counted but not written");
            }
            if (chunks.size() == 1) {
                return chunks.getFirst();
            }
            CompositeByteBuf body = alloc.compositeDirectBuffer(chunks.size());
            body.addComponents(true, chunks);
            return body;
        }

        void release() {
            for (ByteBuf c : chunks) {
                c.release();
            }
        }
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
            read(n, (part, from, count) -> part.asIntBuffer().get(a, from, count), (i, bits) -> a[i] = bits);
            return a;
        }

        float[] floats(int n) {
            float[] a = new float[n];
            read(n, (part, from, count) -> part.asFloatBuffer().get(a, from, count),
                    (i, bits) -> a[i] = Float.intBitsToFloat(bits));
            return a;
        }

        /**
         * Reads {@code n} little-endian 4-byte values from the pieces the body is made of (a composite of received
         * buffers, cut anywhere): each piece's whole values in bulk, a value split between pieces byte by byte.
         */
        private void read(int n, Bulk bulk, IntBinaryConsumer one) {
            int bytes = 4 * n;
            if (bytes == 0) {
                return;
            }
            int i = 0;
            int carry = 0;
            int carried = 0;
            for (ByteBuffer part : body.nioBuffers(at, bytes)) {
                part.order(ByteOrder.LITTLE_ENDIAN);
                while (carried > 0 && part.hasRemaining()) {
                    carry |= (part.get() & 0xFF) << 8 * carried;
                    if (++carried == 4) {
                        one.accept(i++, carry);
                        carry = 0;
                        carried = 0;
                    }
                }
                int whole = part.remaining() / 4;
                bulk.get(part, i, whole);
                i += whole;
                part.position(part.position() + 4 * whole);
                while (part.hasRemaining()) {
                    carry |= (part.get() & 0xFF) << 8 * carried++;
                }
            }
            at += bytes;
        }
    }

    /** Copies {@code count} values from a piece's position on into an array from {@code from}. */
    private interface Bulk {
        void get(ByteBuffer part, int from, int count);
    }

    /** Stores the value of bits {@code bits} at index {@code i}. */
    private interface IntBinaryConsumer {
        void accept(int i, int bits);
    }
}
