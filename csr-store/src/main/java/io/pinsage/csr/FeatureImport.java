package io.pinsage.csr;

import io.pinsage.csr.format.StoreFileWriter;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports a side's content features into a {@link FeatureMatrixFormat} file, from either
 * <ul>
 *   <li>a NumPy {@code .npy} file: 2-D, C order, little-endian float32 ({@code <f4}) or float64 ({@code <f8}),
 *       one row per dense node id, streamed row by row; or</li>
 *   <li>a TSV file: {@code id<TAB>v1<TAB>...<TAB>vd} per line, the id as in the edge list (mapped through the
 *       id map), in any order; nodes without a line get zeros. Held on the heap while read ({@code 4 * n * d}
 *       bytes).</li>
 * </ul>
 * Errors: a shape, dtype, id or value that does not fit throws {@link BadInputException} naming the file (and
 * line). Stateless.
 */
public final class FeatureImport {

    /** Widest feature row imported: far beyond any model's input, and a row buffer stays small. */
    static final int MAX_DIM = 1 << 16;
    /** Longest .npy header read; numpy writes a few hundred bytes. */
    private static final int MAX_NPY_HEADER = 1 << 20;
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|]?)(f[48])'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+),?\\s*\\)");

    private FeatureImport() {
    }

    /**
     * @param rowOf maps an id's text to its dense row, or -1 if the graph has no such node (TSV only)
     */
    public static void importFeatures(Path input, Path out, Side side, int nodeCount, ToIntFunction<String> rowOf) throws IOException {
        if (input.getFileName().toString().endsWith(".npy")) {
            importNpy(input, out, side, nodeCount);
        } else {
            importTsv(input, out, side, nodeCount, rowOf);
        }
    }

    private static void importNpy(Path input, Path out, Side side, int nodeCount) throws IOException {
        try (InputStream raw = Files.newInputStream(input); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 20))) {
            byte[] magic = new byte[6];
            in.readFully(magic);
            if (magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
                throw new BadInputException(input, 0, "not a .npy file (no \\x93NUMPY magic)");
            }
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            int headerLen = major == 1 ? Short.toUnsignedInt(Short.reverseBytes(in.readShort())) : Integer.reverseBytes(in.readInt());
            if (headerLen < 0 || headerLen > MAX_NPY_HEADER) {
                // a real header is a short dict; a damaged length must not size an allocation
                throw new BadInputException(input, 0, "header length " + Integer.toUnsignedString(headerLen) + ": expected at most "
                        + MAX_NPY_HEADER + " bytes (a damaged .npy file?)");
            }
            byte[] h = new byte[headerLen];
            in.readFully(h);
            String header = new String(h, StandardCharsets.US_ASCII);
            Matcher d = DESCR.matcher(header), s = SHAPE.matcher(header);
            if (!d.find() || d.group(1).equals(">") || header.contains("'fortran_order': True") || !s.find()) {
                throw new BadInputException(input, 0, "header " + header.strip() + ": expected a 2-D C-order little-endian float32 or float64 array");
            }
            long rows;
            long dim;
            try {
                rows = Long.parseLong(s.group(1));
                dim = Long.parseLong(s.group(2));
            } catch (NumberFormatException e) {
                throw new BadInputException(input, 0, "shape (" + s.group(1) + ", " + s.group(2) + "): too large");
            }
            if (rows != nodeCount || dim < 1 || dim > MAX_DIM) {
                throw new BadInputException(input, 0, "shape (" + rows + ", " + dim + "): expected (" + nodeCount + ", d) with 1 <= d <= "
                        + MAX_DIM + ", one row per " + side + " node");
            }
            boolean f8 = d.group(2).equals("f8");
            int width = f8 ? 8 : 4;
            byte[] rowBytes = new byte[(int) dim * width];
            ByteBuffer rb = ByteBuffer.wrap(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
            float[] row = new float[(int) dim];
            try (StoreFileWriter w = new StoreFileWriter(out, FeatureMatrixFormat.INSTANCE, 1 << 22)) {
                for (long r = 0; r < rows; r++) {
                    try {
                        in.readFully(rowBytes);
                    } catch (java.io.EOFException e) {
                        throw new BadInputException(input, 0, "truncated: ends in row " + r + " of " + rows);
                    }
                    for (int i = 0; i < dim; i++) {
                        row[i] = f8 ? (float) rb.getDouble(i * 8) : rb.getFloat(i * 4);
                        if (!Float.isFinite(row[i])) {
                            throw new BadInputException(input, 0, "row " + r + " column " + i + " = " + row[i] + ": features must be finite");
                        }
                    }
                    w.putFloats(row, 0, row.length);
                }
                w.finish(rows, row.length, side.ordinal());
            }
        }
    }

    private static void importTsv(Path input, Path out, Side side, int nodeCount, ToIntFunction<String> rowOf) throws IOException {
        float[] data = null;
        int dim = -1;
        try (BufferedReader r = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            long lineNo = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                if (line.isBlank() || line.charAt(0) == '#') {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (dim < 0) {
                    dim = f.length - 1;
                    if (dim < 1) {
                        throw new BadInputException(input, lineNo, "'" + line + "': expected id TAB v1 TAB ... vd with d >= 1");
                    }
                    if ((long) dim * nodeCount > Integer.MAX_VALUE - 16 || 4L * dim * nodeCount > ResourceLimits.maxHeap() / 2) {
                        throw new BadInputException(input, lineNo, "dim " + dim + " x " + nodeCount + " nodes is too large for a TSV import"
                                + " (it is held in memory, " + ResourceLimits.formatBytes(4L * dim * nodeCount) + "); use .npy");
                    }
                    data = new float[dim * nodeCount];
                }
                if (f.length != dim + 1) {
                    throw new BadInputException(input, lineNo, "found " + (f.length - 1) + " values, expected " + dim + " like the first line");
                }
                int row = rowOf.applyAsInt(f[0].strip());
                if (row < 0 || row >= nodeCount) {
                    throw new BadInputException(input, lineNo, "id '" + f[0] + "' is not a " + side + " node of the graph");
                }
                for (int i = 0; i < dim; i++) {
                    float v;
                    try {
                        v = Float.parseFloat(f[i + 1].strip());
                    } catch (NumberFormatException e) {
                        v = Float.NaN;
                    }
                    if (!Float.isFinite(v)) {
                        throw new BadInputException(input, lineNo, "value " + (i + 1) + " '" + f[i + 1] + "': expected a finite number");
                    }
                    data[row * dim + i] = v;
                }
            }
        }
        if (dim < 0) {
            throw new BadInputException(input, 0, "empty feature file");
        }
        try (StoreFileWriter w = new StoreFileWriter(out, FeatureMatrixFormat.INSTANCE, 1 << 22)) {
            w.putFloats(data, 0, data.length);
            w.finish(nodeCount, dim, side.ordinal());
        }
    }
}
