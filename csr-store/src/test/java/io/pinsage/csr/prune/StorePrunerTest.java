package io.pinsage.csr.prune;

import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.CsrLayout;
import io.pinsage.csr.EdgeListIngest;
import io.pinsage.csr.GeneratorConfig;
import io.pinsage.csr.GraphStore;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.IngestOptions;
import io.pinsage.csr.InputFormat;
import io.pinsage.csr.PinBoardGenerator;
import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.StoreDirectory;
import io.pinsage.csr.format.StoreFileFormat;
import io.pinsage.csr.format.StoreGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorePrunerTest {

    @TempDir
    Path dir;

    private static final CsrBuildOptions BUILD = CsrBuildOptions.defaults().withThreads(2).withEdgesPerShard(5_000).withBucketNodes(700);

    private Path generated() throws IOException {
        Path source = dir.resolve("source");
        new PinBoardGenerator(GeneratorConfig.of(3_000, 300, 30_000, 7).withFeatureDim(8).withHeldOutPairs(100))
                .writeStore(source, BUILD);
        return source;
    }

    @Test
    void shouldWriteAVerifiedStoreHoldingThePlannedGraphAndTheSourcesSideFiles() throws IOException {
        Path source = generated();
        Path out = dir.resolve("pruned");
        PruneSettings settings = PruneSettings.none().withDiversityQuantile(0.8).withMaxDegrees(20, 150);
        StorePruner.Result r = StorePruner.prune(source, out, settings, BUILD);
        assertEquals(List.of(CsrLayout.PAIRS, CsrLayout.features(Side.LEFT)), r.carried());
        assertTrue(r.stats().boardsDropped() > 0 && r.stats().pinsCapped() > 0 && r.stats().boardsCapped() > 0, r.stats().toString());
        try (GraphStore original = GraphStore.open(source); GraphStore pruned = GraphStore.open(out)) {
            pruned.verify();
            HeapBipartiteGraph expected = GraphPruner.plan(original.graph(), original.features(Side.LEFT).orElseThrow(), settings).toHeapGraph();
            assertEquals(expected.edgeCount(), pruned.graph().edgeCount());
            assertEquals(r.stats().edgesKept(), pruned.graph().edgeCount());
            for (Side side : Side.values()) {
                assertEquals(original.graph().nodeCount(side), pruned.graph().nodeCount(side), "node ids are kept");
                int[] a = new int[expected.maxDegree(side)];
                int[] b = new int[Math.max(a.length, pruned.graph().maxDegree(side))];
                for (int u = 0; u < expected.nodeCount(side); u++) {
                    int n = expected.copyNeighbors(side, u, a, 0);
                    assertEquals(n, pruned.graph().copyNeighbors(side, u, b, 0), side + " node " + u);
                    assertArrayEquals(Arrays.copyOf(a, n), Arrays.copyOf(b, n), side + " node " + u);
                }
            }
            for (String carried : r.carried()) {
                assertArrayEquals(Files.readAllBytes(original.generation().file(carried)), Files.readAllBytes(pruned.generation().file(carried)), carried);
            }
            assertEquals(original.pairs().orElseThrow().count(), pruned.pairs().orElseThrow().count());
        }
    }

    @Test
    void shouldCarryIdMapsAndWeightsOver() throws IOException {
        Path tsv = dir.resolve("edges.tsv");
        StringBuilder text = new StringBuilder();
        for (int pin = 0; pin < 40; pin++) {
            for (int k = 0; k <= pin % 7; k++) {
                text.append(1_000_000 + pin).append('\t').append(50 + (pin * 3 + k * 5) % 11).append('\t').append(1 + k).append('\n');
            }
        }
        Files.writeString(tsv, text);
        Path source = dir.resolve("ids");
        EdgeListIngest.ingest(List.of(tsv), source, new IngestOptions(InputFormat.TSV, IdKind.LONG, true, false), BUILD);
        Path out = dir.resolve("ids-pruned");
        StorePruner.Result r = StorePruner.prune(source, out, PruneSettings.none().withMaxDegrees(3, 8), BUILD);
        assertTrue(r.carried().containsAll(List.of(CsrLayout.idList(Side.LEFT), CsrLayout.idMap(Side.LEFT),
                CsrLayout.idList(Side.RIGHT), CsrLayout.idMap(Side.RIGHT))), r.carried().toString());
        try (GraphStore original = GraphStore.open(source); GraphStore pruned = GraphStore.open(out)) {
            pruned.verify();
            assertTrue(pruned.graph().hasWeights());
            assertTrue(pruned.graph().maxDegree(Side.LEFT) <= 3 && pruned.graph().maxDegree(Side.RIGHT) <= 8);
            IdMap before = original.ids(Side.LEFT).orElseThrow();
            IdMap after = pruned.ids(Side.LEFT).orElseThrow();
            for (int pin = 0; pin < 40; pin++) {
                assertEquals(before.dense(1_000_000L + pin), after.dense(1_000_000L + pin));
            }
            for (int pin = 0; pin < before.size(); pin++) {
                // A pin of degree <= 3 keeps each edge: its heaviest edges and their weights come through unchanged.
                if (original.graph().degree(Side.LEFT, pin) <= 3 && pruned.graph().degree(Side.LEFT, pin) == original.graph().degree(Side.LEFT, pin)) {
                    long e = original.graph().firstEdge(Side.LEFT, pin);
                    assertEquals(original.graph().weightAt(Side.LEFT, e), pruned.graph().weightAt(Side.LEFT, pruned.graph().firstEdge(Side.LEFT, pin)));
                }
            }
        }
    }

    @Test
    void shouldReplaceAPreviousStoreAtTheDestinationAndBeIdempotent() throws IOException {
        Path source = generated();
        Path out = dir.resolve("pruned");
        PruneSettings settings = PruneSettings.none().withMaxDiversity(0.999).withMaxDegrees(15, 100);
        StorePruner.Result once = StorePruner.prune(source, out, settings, BUILD);
        Path twice = dir.resolve("twice");
        StorePruner.Result again = StorePruner.prune(out, twice, settings, BUILD);
        assertEquals(0, again.stats().edgesDropped(), "a pruned store already satisfies the settings: " + again.stats());
        StoreGeneration replaced = StorePruner.prune(source, out, PruneSettings.none().withMaxDegrees(5, 100), BUILD).generation();
        assertTrue(replaced.name().compareTo(once.generation().name()) > 0);
        try (GraphStore s = GraphStore.open(out)) {
            assertTrue(s.graph().maxDegree(Side.LEFT) <= 5);
        }
    }

    @Test
    void shouldRejectBadInputWithoutTouchingTheDestination() throws IOException {
        Path missing = dir.resolve("nothing-here");
        CorruptStoreException e = assertThrows(CorruptStoreException.class,
                () -> StorePruner.prune(missing, dir.resolve("out"), PruneSettings.none().withMaxDegrees(3, 3), BUILD));
        assertTrue(e.getMessage().contains("nothing-here"), e.getMessage());
        Path source = generated();
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> StorePruner.prune(source, source, PruneSettings.none().withMaxDegrees(3, 3), BUILD));
        assertTrue(same.getMessage().contains("must differ"), same.getMessage());
        Path bare = dir.resolve("bare");
        new PinBoardGenerator(GeneratorConfig.of(500, 50, 2_000, 3).withFeatureDim(0).withHeldOutPairs(0)).writeStore(bare, BUILD);
        Path out = dir.resolve("bare-out");
        IllegalArgumentException noFeatures = assertThrows(IllegalArgumentException.class,
                () -> StorePruner.prune(bare, out, PruneSettings.none().withDiversityQuantile(0.9), BUILD));
        assertTrue(noFeatures.getMessage().contains("no pin features"), noFeatures.getMessage());
        assertTrue(!Files.exists(out), "nothing is written for a rejected run");
    }

    @Test
    void shouldRefuseToPruneAStoreWhoseChecksumsFail() throws IOException {
        Path source = generated();
        Path shard;
        try (GraphStore store = GraphStore.open(source)) {
            shard = store.generation().file(CsrLayout.neighbors(Side.RIGHT, 0));
        }
        // A neighbour id changed within range: only the checksum can tell, and a plan would read it as an edge.
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer id = ByteBuffer.allocate(4).order(StoreFileFormat.BYTE_ORDER);
            ch.read(id, StoreFileFormat.HEADER_LENGTH);
            ch.write(id.putInt(0, (id.getInt(0) + 1) % 3_000).rewind(), StoreFileFormat.HEADER_LENGTH);
        }
        Path out = dir.resolve("pruned");
        CorruptStoreException e = assertThrows(CorruptStoreException.class,
                () -> StorePruner.prune(source, out, PruneSettings.none().withMaxDegrees(1, 3), BUILD));
        assertEquals(shard, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        assertFalse(StoreDirectory.isPublished(out), "a pruned store was published from a damaged source");
    }
}
