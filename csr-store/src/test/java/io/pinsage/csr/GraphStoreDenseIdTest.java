package io.pinsage.csr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link GraphStore#denseId} and {@link GraphStore#parseDenseId} over stores with long, string and dense ids. */
class GraphStoreDenseIdTest {

    @TempDir
    Path dir;

    private GraphStore store(InputFormat format, IdKind ids, String edges) throws IOException {
        Path input = Files.writeString(dir.resolve("edges"), edges);
        EdgeListIngest.ingest(List.of(input), dir.resolve("store"), new IngestOptions(format, ids, false, false),
                CsrBuildOptions.defaults().withThreads(1));
        return GraphStore.open(dir.resolve("store"));
    }

    private static void assertUnknown(GraphStore s, Side side, String text, String id, String problem) {
        UnknownIdException e = assertThrows(UnknownIdException.class, () -> s.denseId(side, text));
        assertEquals(side, e.side());
        assertEquals(id, e.id());
        assertEquals(problem, e.problem());
        assertEquals(side + " id " + id + ": " + problem, e.getMessage());
    }

    @Test
    void shouldLookUpLongIdsThroughTheIdMap() throws IOException {
        try (GraphStore s = store(InputFormat.TSV, IdKind.LONG, "9000000000\t7\n42\t7\n42\t8\n")) {
            assertEquals(0, s.denseId(Side.LEFT, "9000000000"));
            assertEquals(1, s.denseId(Side.LEFT, " 42 "));
            assertEquals(1, s.denseId(Side.RIGHT, "8"));
            assertUnknown(s, Side.LEFT, "43", "43", "not in the store's id map");
            assertUnknown(s, Side.RIGHT, " x ", "x", "expected an integer id");
            assertEquals(1, s.parseDenseId(Side.LEFT, "1"));
        }
    }

    @Test
    void shouldLookUpStringIdsThroughTheIdMap() throws IOException {
        try (GraphStore s = store(InputFormat.CSV, IdKind.STRING, "pin-a,board-x\npin-ü,board-x\n")) {
            assertEquals(1, s.denseId(Side.LEFT, "pin-ü"));
            assertEquals(0, s.denseId(Side.RIGHT, "board-x"));
            assertUnknown(s, Side.LEFT, "pin-b", "pin-b", "not in the store's id map");
            assertUnknown(s, Side.LEFT, "0", "0", "not in the store's id map");
        }
    }

    @Test
    void shouldReadDenseIdsWithinTheSideWhenThereIsNoIdMap() throws IOException {
        try (GraphStore s = store(InputFormat.LIGHTGCN, IdKind.DENSE, "0 0 1 2\n1 2\n")) {
            assertEquals(2, s.denseId(Side.LEFT, "2"));
            assertEquals(1, s.denseId(Side.RIGHT, "1"));
            assertUnknown(s, Side.LEFT, "3", "3", "expected a dense id in [0, 3)");
            assertUnknown(s, Side.RIGHT, "-1", "-1", "expected a dense id in [0, 2)");
            assertUnknown(s, Side.LEFT, "pin", "pin", "expected a dense id in [0, 3)");
            assertThrows(UnknownIdException.class, () -> s.parseDenseId(Side.LEFT, "99999999999"));
        }
    }
}
