package io.pinsage.csr;

import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.Publication;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * More than 2^31 edges per side, end to end through the mapped graph, with sparse files: only headers, footers,
 * offsets and a few marked neighbour ids take disk blocks; the rest reads as neighbour 0.
 */
class HugeGraphTest {

    private static final long G = 1L << 30;

    @TempDir
    Path root;

    /** Writes a framed file whose body is all zeros except {@code marks} (body offset, int value) pairs. */
    private static void sparse(Path file, FileHeader header, long bodyBytes, long... marks) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(StoreFileFormat.encodeHeader(header), 0);
            for (int i = 0; i < marks.length; i += 2) {
                ByteBuffer b = ByteBuffer.allocate(4).order(StoreFileFormat.BYTE_ORDER).putInt(0, (int) marks[i + 1]);
                ch.write(b, StoreFileFormat.HEADER_LENGTH + marks[i]);
            }
            ch.write(StoreFileFormat.encodeFooter(0), StoreFileFormat.HEADER_LENGTH + bodyBytes);
        }
    }

    private static void offsets(Path file, Side side, long[] offsets, int maxDegree) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long edges = offsets[offsets.length - 1];
            ch.write(StoreFileFormat.encodeHeader(new FileHeader(OffsetsFormat.CODEC, OffsetsFormat.VERSION_CURRENT,
                    offsets.length - 1, edges, maxDegree, side.ordinal())), 0);
            ByteBuffer b = ByteBuffer.allocate(8 * offsets.length).order(StoreFileFormat.BYTE_ORDER);
            for (long o : offsets) {
                b.putLong(o);
            }
            ch.write(b.flip(), StoreFileFormat.HEADER_LENGTH);
            ch.write(StoreFileFormat.encodeFooter(0), StoreFileFormat.HEADER_LENGTH + 8L * offsets.length);
        }
    }

    @Test
    void shouldAddressMoreThan2To31EdgesPerSide() throws IOException {
        // left: 3 nodes of 2^30 edges in two shards ([0,2) and [2,3)); right: 2 nodes of 1.5 * 2^30 edges in one shard
        long m = 3 * G;
        try (Publication p = StoreDirectory.beginPublication(root)) {
            Path d = p.directory();
            offsets(d.resolve(CsrLayout.offsets(Side.LEFT)), Side.LEFT, new long[] {0, G, 2 * G, 3 * G}, (int) G);
            offsets(d.resolve(CsrLayout.offsets(Side.RIGHT)), Side.RIGHT, new long[] {0, 3 * G / 2, 3 * G}, (int) (3 * G / 2));
            String nbr = NeighborShardFormat.NEIGHBORS.codec();
            sparse(d.resolve(CsrLayout.neighbors(Side.LEFT, 0)), new FileHeader(nbr, 1, 0, 2, 0, 2 * G, 0), 8 * G,
                    4 * (2 * G - 1), 1);
            sparse(d.resolve(CsrLayout.neighbors(Side.LEFT, 1)), new FileHeader(nbr, 1, 2, 1, 2 * G, G, 0), 4 * G,
                    0, 1, 4 * (G - 1), 1);
            sparse(d.resolve(CsrLayout.neighbors(Side.RIGHT, 0)), new FileHeader(nbr, 1, 0, 2, 0, m, 1), 4 * m,
                    4 * (m - 1), 2);
            p.commit();
        }
        try (MappedCsrGraph g = MappedCsrGraph.open(root)) {
            assertEquals(m, g.edgeCount());
            assertEquals(2, g.shardCount(Side.LEFT));
            assertEquals(2 * G, g.firstEdge(Side.LEFT, 2));
            assertEquals((int) G, g.degree(Side.LEFT, 2));
            assertEquals(1, g.neighborAt(Side.LEFT, 2 * G - 1), "last edge of shard 0");
            assertEquals(1, g.neighborAt(Side.LEFT, 2 * G), "first edge past 2^31, in shard 1");
            assertEquals(1, g.neighbor(Side.LEFT, 2, (int) G - 1), "last edge, past 3 * 2^30");
            assertEquals(0, g.neighborAt(Side.LEFT, 2 * G + 1));
            assertEquals(3 * G / 2, g.firstEdge(Side.RIGHT, 1));
            assertEquals(2, g.neighborAt(Side.RIGHT, m - 1), "right edge at byte offset 12 GiB - 4 of its shard");
            assertEquals(1f, g.weightAt(Side.RIGHT, m - 1));
        }
    }
}
