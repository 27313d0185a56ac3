package io.pinsage.engine.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The trained-model file ({@code model.bin}) and the neighbourhood table file ({@code neighbourhoods.bin}) of a
 * model directory, in the {@link BinaryFile} envelope.
 *
 * <pre>
 * model.bin, codec "PSMODEL1", version 1:
 *   shape      nodeCount, embedDim, featureDim, logDegree (0/1), inputDim, K, convDims[K], g1Dim, outDim,
 *              width, normalizeOutput (0/1)                       int32 each
 *   dense      int32 n, n float32                                 weights and biases, {@link ModelParams} layout
 *   embedding  int32 n, n float32                                 id embeddings, nodeCount × embedDim
 * neighbourhoods.bin, codec "PSHOODS1", version 1:
 *   nodeCount, width int32; ids int32 n + n int32; alpha int32 n + n float32; counts int32 n + n int32
 * </pre>
 *
 * Readers verify magic, version, checksum and every length against the shape; failures are
 * {@link CorruptCheckpointException}s naming the file.
 */
public final class ModelFile {

    static final String MODEL_MAGIC = "PSMODEL1";
    static final String HOODS_MAGIC = "PSHOODS1";
    static final int VERSION = 1;

    private ModelFile() {
    }

    /** Writes {@code params} to {@code file} atomically. */
    public static void save(Path file, ModelParams params) throws IOException {
        BinaryFile.write(file, MODEL_MAGIC, VERSION, out -> {
            writeShape(out, params.shape);
            BinaryFile.writeFloats(out, params.dense);
            BinaryFile.writeFloats(out, params.embedding);
        });
    }

    /** Reads a model written by {@link #save}. */
    public static ModelParams load(Path file) throws IOException {
        return BinaryFile.read(file, MODEL_MAGIC, VERSION, in -> {
            ModelShape shape = readShape(in);
            ModelParams sized = ModelParams.wrap(shape, null, null);
            float[] dense = BinaryFile.readFloats(in, sized.dense.length, "dense weights");
            float[] emb = BinaryFile.readFloats(in, sized.embedding.length, "id embeddings");
            return ModelParams.wrap(shape, dense, emb);
        });
    }

    static void writeShape(DataOutputStream out, ModelShape s) throws IOException {
        out.writeInt(s.nodeCount());
        out.writeInt(s.embedDim());
        out.writeInt(s.featureDim());
        out.writeInt(s.logDegree() ? 1 : 0);
        out.writeInt(s.inputDim());
        out.writeInt(s.layers());
        for (int d : s.convDims()) {
            out.writeInt(d);
        }
        out.writeInt(s.g1Dim());
        out.writeInt(s.outDim());
        out.writeInt(s.width());
        out.writeInt(s.normalizeOutput() ? 1 : 0);
    }

    static ModelShape readShape(DataInputStream in) throws IOException {
        int nodeCount = in.readInt();
        int embedDim = in.readInt();
        int featureDim = in.readInt();
        boolean logDegree = in.readInt() != 0;
        int inputDim = in.readInt();
        int k = in.readInt();
        if (k < 1 || k > 16) {
            throw new IllegalArgumentException("layer count " + k + " out of range");
        }
        int[] conv = new int[k];
        for (int i = 0; i < k; i++) {
            conv[i] = in.readInt();
        }
        int g1 = in.readInt();
        int out = in.readInt();
        int width = in.readInt();
        boolean norm = in.readInt() != 0;
        return new ModelShape(nodeCount, embedDim, featureDim, logDegree, inputDim, conv, g1, out, width, norm);
    }

    /** Writes a neighbourhood table atomically. */
    public static void saveNeighbourhoods(Path file, Neighbourhoods hood) throws IOException {
        BinaryFile.write(file, HOODS_MAGIC, VERSION, out -> {
            out.writeInt(hood.nodeCount());
            out.writeInt(hood.width());
            BinaryFile.writeInts(out, hood.idsCopy());
            BinaryFile.writeFloats(out, hood.alphaCopy());
            BinaryFile.writeInts(out, hood.countCopy());
        });
    }

    /** Reads a table written by {@link #saveNeighbourhoods}, checking every id. */
    public static Neighbourhoods loadNeighbourhoods(Path file) throws IOException {
        return BinaryFile.read(file, HOODS_MAGIC, VERSION, in -> {
            int n = in.readInt();
            int w = in.readInt();
            if (n < 0 || w < 1) {
                throw new IllegalArgumentException("nodeCount=" + n + " width=" + w);
            }
            int[] ids = BinaryFile.readInts(in, n * w, "neighbour ids");
            float[] alpha = BinaryFile.readFloats(in, n * w, "neighbour weights");
            int[] count = BinaryFile.readInts(in, n, "neighbour counts");
            return Neighbourhoods.fromRows(n, w, ids, alpha, count);
        });
    }
}
