package io.pinsage.engine.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The neighbourhood table file ({@code neighbourhoods.bin}) of a model directory, in the {@link BinaryFile}
 * envelope. (The model itself is nn-runtime's model file, written by {@code PinSageModel.save}.)
 *
 * <pre>
 * neighbourhoods.bin, codec "PSHOODS1", version 1:
 *   nodeCount, width int32; ids int32 n + n int32; alpha int32 n + n float32; counts int32 n + n int32
 * </pre>
 *
 * Readers verify magic, version, checksum and every length and id; failures are
 * {@link CorruptCheckpointException}s naming the file. Stateless and thread-safe.
 */
public final class NeighbourhoodFile {

    static final String HOODS_MAGIC = "PSHOODS1";
    static final int VERSION = 1;

    private NeighbourhoodFile() {
    }

    /** Writes a neighbourhood table atomically. */
    public static void save(Path file, Neighbourhoods hood) throws IOException {
        BinaryFile.write(file, HOODS_MAGIC, VERSION, out -> {
            out.writeInt(hood.nodeCount());
            out.writeInt(hood.width());
            BinaryFile.writeInts(out, hood.idsCopy());
            BinaryFile.writeFloats(out, hood.alphaCopy());
            BinaryFile.writeInts(out, hood.countCopy());
        });
    }

    /** Reads a table written by {@link #save}, checking every id. */
    public static Neighbourhoods load(Path file) throws IOException {
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
