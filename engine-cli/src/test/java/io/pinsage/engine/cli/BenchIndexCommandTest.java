package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench index}: recall against the exact scan and both sides' rates, and its refusals. */
class BenchIndexCommandTest {

    @TempDir
    Path dir;

    @Test
    void shouldMeasureRecallAndRatesAgainstTheExactScan() throws Exception {
        Path store = dir.resolve("store");
        assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "300", "--boards", "30", "--edges", "2000").code());
        CliRun none = CliRun.run("bench", "index", store.toString());
        assertEquals(2, none.code(), none.out());
        assertTrue(none.err().startsWith("error: the store has no nearest-neighbour index"), none.err());

        IndexCommandTest.writeEmbeddings(store, 300, 8, 6);
        assertEquals(0, CliRun.run("index", store.toString(), "--max-degree", "8", "--beam", "32").code());
        CliRun r = CliRun.run("bench", "index", store.toString(), "--queries", "50");
        assertEquals(0, r.code(), r.err());
        Matcher recall = Pattern.compile("recall@10 ([\\d.]+) over 50 seeded query pins").matcher(r.out());
        assertTrue(recall.find(), r.out());
        // a graph of degree 8 over 300 rows searched with a beam of 100 finds nearly all of them
        assertTrue(Double.parseDouble(recall.group(1)) >= 0.9, r.out());
        assertTrue(Pattern.compile("index +[\\d,]+ q/s, p50 [\\d.]+ ms, p99 [\\d.]+ ms; exact scan [\\d,]+ q/s, p50 [\\d.]+ ms,"
                + " p99 [\\d.]+ ms; index/exact [\\d.]+x").matcher(r.out()).find(), r.out());
        Matcher distinct = Pattern.compile("exact answers  ([\\d,]+) distinct pins in 500 places; the most frequent is in "
                + "(\\d+) of the 50 answers").matcher(r.out());
        assertTrue(distinct.find(), r.out());
        // 50 queries of 300 random rows: their top tens spread over the rows, none in every answer
        assertTrue(Integer.parseInt(distinct.group(1).replace(",", "")) > 50 && Integer.parseInt(distinct.group(2)) < 50,
                r.out());
    }

    @Test
    void shouldMeasureAnIndexItBuildsOverRowsDrawnLikeTheStores() throws Exception {
        Path store = dir.resolve("store");
        assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "300", "--boards", "30", "--edges", "2000").code());
        IndexCommandTest.writeEmbeddings(store, 300, 8, 6);
        Path work = dir.resolve("work");
        CliRun r = CliRun.run("bench", "index", store.toString(), "--synthetic", "2000", "--topics", "6", "--max-degree", "8",
                "--beam", "32", "--search-beam", "10,50", "--queries", "50", "--work", work.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("synthetic      2,000 rows of 8 floats from 6 Gaussians fitted to the 300 trained rows"), r.out());
        assertTrue(Pattern.compile("build +degree 8, beam 32: [\\d.]+ s, [\\d,]+ bytes \\(\\d+ per vector").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("search         beam 10\nindex          2,000 pins of 8 floats; recall@10"), r.out());
        assertTrue(r.out().contains("search         beam 50\nindex          2,000 pins of 8 floats; recall@10"), r.out());
        Matcher recall = Pattern.compile("beam 50\nindex .*recall@10 ([\\d.]+) over 50 seeded query pins").matcher(r.out());
        assertTrue(recall.find(), r.out());
        assertTrue(Double.parseDouble(recall.group(1)) >= 0.9, r.out());
        assertTrue(java.nio.file.Files.isDirectory(work.resolve("index")), "kept in --work");
        CliRun prefix = CliRun.run("bench", "index", store.toString(), "--rows", "200", "--max-degree", "8", "--beam", "32",
                "--queries", "50");
        assertEquals(0, prefix.code(), prefix.err());
        assertTrue(prefix.out().contains("trained        the first 200 of the 300 pin rows of 8 floats of " + store), prefix.out());
        assertTrue(prefix.out().contains("index          200 pins of 8 floats; recall@10"), prefix.out());
        Matcher prefixRecall = Pattern.compile("recall@10 ([\\d.]+) over 50 seeded query pins").matcher(prefix.out());
        assertTrue(prefixRecall.find() && Double.parseDouble(prefixRecall.group(1)) >= 0.9, prefix.out());
        CliRun tooMany = CliRun.run("bench", "index", store.toString(), "--rows", "301");
        assertEquals(2, tooMany.code(), tooMany.out());
        assertEquals("error: --rows=301: the store holds 300 trained pin rows", tooMany.err().strip());
        CliRun both = CliRun.run("bench", "index", store.toString(), "--rows", "100", "--synthetic", "100");
        assertEquals(2, both.code(), both.out());
        assertEquals("error: --rows, --synthetic: give one (trained rows or drawn ones)", both.err().strip());
        CliRun many = CliRun.run("bench", "index", store.toString(), "--synthetic", "2000", "--topics", "100");
        assertEquals(2, many.code(), many.out());
        assertTrue(many.err().startsWith("error: --topics=100: expected 1 to 33"), many.err());
    }
}
