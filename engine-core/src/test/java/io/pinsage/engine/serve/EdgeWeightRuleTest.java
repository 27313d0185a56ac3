package io.pinsage.engine.serve;

import io.pinsage.csr.BadInputException;
import io.pinsage.csr.CsrBuildOptions;
import io.pinsage.csr.EdgeListIngest;
import io.pinsage.csr.IdKind;
import io.pinsage.csr.IngestOptions;
import io.pinsage.csr.InputFormat;
import io.pinsage.csr.Residency;
import io.pinsage.csr.live.BadEdgeException;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.LogSync;
import io.pinsage.engine.api.EngineOptions;
import io.pinsage.engine.api.PinSageEngine;
import io.pinsage.engine.api.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static io.pinsage.engine.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One rule for an edge's weight on every path an edge takes: an edge file {@code ingest} reads, a file
 * {@code serve --follow} follows, the body of {@code POST /v1/edges} and a batch a host gives the facade. Each refuses
 * the same weights with the same message, naming the line or the field.
 */
class EdgeWeightRuleTest {

    /** Weights no path may take, as an edge file and a JSON body write them alike. */
    private static final List<String> BAD = List.of("0", "-1", "-0.5", "NaN", "Infinity", "-Infinity");
    private static final String RULE = " must be positive and finite";

    @TempDir
    Path dir;

    @Test
    void everyPathShouldRefuseTheSameWeightsWithOneMessage() throws Exception {
        int n = 0;
        for (String w : BAD) {
            Path tsv = dir.resolve("ingest-" + n + ".tsv");
            Files.writeString(tsv, "1\t2\n3\t4\t" + w + "\n");
            Path store = dir.resolve("store-" + n);
            BadInputException ingest = assertThrows(BadInputException.class, () -> EdgeListIngest.ingest(List.of(tsv),
                    store, new IngestOptions(InputFormat.TSV, IdKind.LONG, true, false),
                    CsrBuildOptions.defaults().withThreads(1)), w);
            assertTrue(ingest.getMessage().contains(tsv + ":2") && ingest.getMessage().contains("weight " + w + RULE),
                    ingest.getMessage());

            byte[] body = ("{\"edges\": [{\"pin\": \"p\", \"board\": \"b\"}, {\"pin\": \"p\", \"board\": \"b\", \"weight\": " + w
                    + "}]}").getBytes(StandardCharsets.UTF_8);
            BadRequestException post = assertThrows(BadRequestException.class, () -> EdgeRequest.parse(body), w);
            assertEquals("edges[1].weight", post.parameter());
            assertTrue(post.getMessage().startsWith("edges[1].weight ") && post.getMessage().endsWith(RULE), post.getMessage());
            n++;
        }
        assertEquals(1, EdgeRequest.parse("{\"edges\": [{\"pin\": 1, \"board\": 2, \"weight\": 0.5}]}".getBytes(
                StandardCharsets.UTF_8)).size());

        Path followed = dir.resolve("followed.tsv");
        try (PinSageEngine engine = PinSageEngine.open(TestStores.pinsAndBoards(dir, 20), EngineOptions.builder()
                .residency(Residency.MAPPED).threads(1).liveEdges(null, LogSync.eachBatch()).build());
             EdgeFileFollower f = EdgeFileFollower.start(engine, followed, dir.resolve("followed.pos"), Duration.ofMillis(2),
                     Thread.ofPlatform().daemon().factory())) {
            long edges = engine.edgeCount();
            for (int i = 0; i < BAD.size(); i++) {
                String w = BAD.get(i);
                Files.writeString(followed, "pin-1\tboard-2\t" + w + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                int line = i + 1;
                await(() -> f.position().line() == line + 1, "line " + line); // the position names the next line
                assertEquals(followed + ":" + line + ": 'pin-1\tboard-2\t" + w + "': weight " + w + RULE + "; skipped",
                        f.lastSkipped().orElseThrow());

                BadEdgeException facade = assertThrows(BadEdgeException.class, () -> engine.addEdges(new EdgeBatch()
                        .add("pin-1", "board-2").add("pin-1", "board-2", Float.parseFloat(w))), w);
                assertEquals(1, facade.edge());
                assertTrue(facade.getMessage().endsWith(RULE), facade.getMessage());
            }
            assertEquals(edges, engine.edgeCount(), "nothing of a refused weight was added");
        }
    }
}
