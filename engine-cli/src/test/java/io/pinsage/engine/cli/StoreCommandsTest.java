package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreCommandsTest {

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void shouldGenerateDescribeAndVerifyAStore() {
        Path store = dir.resolve("s");
        CliRun gen = run("generate", "--out", store.toString(), "--pins", "3000", "--boards", "300", "--edges", "30000", "--seed", "5");
        assertEquals(0, gen.code(), gen.err());
        CliRun info = run("info", store.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("edges          30,000"), info.out());
        assertTrue(info.out().contains("bytes/edge"), info.out());
        CliRun verify = run("verify", store.toString());
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().startsWith("ok:"), verify.out());
    }

    @Test
    void shouldReportADamagedStoreInOneLineWithExitCode2() throws Exception {
        Path store = dir.resolve("s");
        assertEquals(0, run("generate", "--out", store.toString(), "--pins", "1000", "--boards", "100", "--edges", "5000").code());
        Path shard = store.resolve("gen-00000001").resolve("right.nbr.00000");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[200] ^= 1;
        Files.write(shard, bytes);
        CliRun verify = run("verify", store.toString());
        assertEquals(2, verify.code());
        assertTrue(verify.err().startsWith("error: " + shard), verify.err());
        assertTrue(verify.err().contains("checksum"), verify.err());
    }

    @Test
    void shouldRefuseGeneratorSizesBeyondTheHeapOrTheirBoundsBeforeWriting() {
        Path store = dir.resolve("s");
        CliRun r = run("generate", "--out", store.toString(), "--pins", "2000000000", "--boards", "100", "--edges", "1000",
                "--threads", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: leftCount=2000000000 rightCount=100 edges=1000 threads=1"), r.err());
        assertTrue(r.err().contains("of heap, more than the"), r.err());
        r = run("generate", "--out", store.toString(), "--pins", "1000", "--boards", "100", "--edges", "1000", "--pairs", "2000000000");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: heldOutPairs=2000000000: must be <= pins=1000"), r.err());
        r = run("generate", "--out", store.toString(), "--pins", "1000", "--boards", "100", "--edges", "1000", "--threads", "100000");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: threads=100000: must lie in [1, 1024]"), r.err());
        assertFalse(Files.exists(store), "nothing written");
    }

    @Test
    void shouldRefuseToGenerateMoreThanTheDiskHolds() throws Exception {
        Path store = dir.resolve("s");
        // 1.1 TiB at 12 bytes an edge; on a machine with that much free space this would generate for hours
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getFileStore(dir).getUsableSpace() < 100_000_000_000L * 12);
        CliRun r = run("generate", "--out", store.toString(), "--pins", "1000", "--boards", "1000000", "--edges", "100000000000",
                "--threads", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: edges=100000000000 pins=1000 boards=1000000: needs about 1.1 TiB of disk under "),
                r.err());
        assertFalse(Files.exists(store), "nothing written");
    }

    @Test
    void shouldBuildFromATsvAndNameTheBadLine() throws Exception {
        Path tsv = dir.resolve("e.tsv");
        Files.writeString(tsv, "1\t10\n2\t10\n2\t11\n");
        CliRun ok = run("build", "--input", tsv.toString(), "--format", "tsv", "--out", dir.resolve("s").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("edges          3"), ok.out());
        Files.writeString(tsv, "1\t10\n2\n");
        CliRun bad = run("build", "--input", tsv.toString(), "--format", "tsv", "--out", dir.resolve("s").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains(tsv + ":2"), bad.err());
    }

    @Test
    void shouldShowBuildProgressStripAByteOrderMarkAndWarnOnceOfAnIgnoredWeightColumn() throws Exception {
        Path tsv = dir.resolve("w.tsv");
        Files.writeString(tsv, "\uFEFF1\t10\t0.5\n2\t10\tNaN\n2\t11\n");
        CliRun r = run("build", "--input", tsv.toString(), "--format", "tsv", "--out", dir.resolve("s").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("edges          3"), r.out());
        String stderr = r.console();
        String warning = "warning: " + tsv + ":1: the weight column ('0.5') is ignored without --weighted; every edge gets weight 1";
        assertTrue(stderr.contains(warning), stderr);
        assertEquals(stderr.indexOf("warning:"), stderr.lastIndexOf("warning:"), "said once: " + stderr);
        long size = Files.size(tsv);
        assertTrue(stderr.contains("100% " + size + "/" + size + " bytes"), stderr);
        CliRun walk = run("walk", dir.resolve("s").toString(), "--query", "1", "--steps", "100");
        assertEquals(0, walk.code(), "the first id is 1, not a byte-order mark and 1: " + walk.err());
        CliRun unknown = run("walk", dir.resolve("s").toString(), "--query", "10", "--steps", "100");
        assertEquals(CliErrors.BAD_INPUT, unknown.code());
        assertTrue(unknown.err().contains("--query=10: not in the store's id map"), unknown.err());
    }

    @Test
    void shouldNameTheFileAndLineWhereATruncatedGzipEnds() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            lines.append(i).append('\t').append(i % 97).append('\n');
        }
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Path cut = dir.resolve("cut.tsv.gz");
        Files.write(cut, java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2));
        CliRun r = run("build", "--input", cut.toString(), "--format", "tsv", "--out", dir.resolve("s").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().matches("error: " + java.util.regex.Pattern.quote(cut.toString())
                + ":\\d+: the gzip data ends early, after \\d+ lines \\(Unexpected end of ZLIB input stream\\): the file is truncated, "
                + "copy or download it again\\s*"), r.err());
    }

    @Test
    void shouldReportEveryFigureOfABenchBuildAndDeleteTheStore() {
        CliRun r = run("bench", "build", "--dir", dir.toString(), "--pins", "2000", "--boards", "200", "--edges", "20000",
                "--disk-probe-mib", "4");
        assertEquals(0, r.code(), r.err());
        for (String figure : new String[] {"disk sequential write", "wall time", "edges/s", "peak RSS", "peak heap",
                "bytes/edge on disk", "of the disk's sequential rate"}) {
            assertTrue(r.out().contains(figure), figure + " missing from:\n" + r.out());
        }
        assertTrue(Files.notExists(dir.resolve("store")), "the bench store was not deleted");
    }

    @Test
    void shouldWalkAStoreCopiedIntoHugePagesAndNameTheChoicesOfABadResidency() {
        Path store = dir.resolve("s");
        assertEquals(0, run("generate", "--out", store.toString(), "--pins", "2000", "--boards", "200", "--edges", "20000").code());
        CliRun r = run("bench", "walks", "--store", store.toString(), "--residency", "anonymous-huge-pages", "--seconds", "0.02",
                "--pixie-steps", "1000", "--queries", "5", "--threads", "1", "--neighborhood-nodes", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("graph          2,000 pins, 200 boards, 20,000 edges"), r.out());
        assertTrue(r.out().contains("steps/s per core"), r.out());
        assertTrue(r.out().contains("of the random-read rate over the table's size"), r.out());
        CliRun tableOnly = run("bench", "walks", "--store", store.toString(), "--no-csr", "--seconds", "0.02",
                "--pixie-steps", "1000", "--queries", "5", "--threads", "1", "--neighborhood-nodes", "5");
        assertEquals(0, tableOnly.code(), tableOnly.err());
        assertTrue(tableOnly.out().contains("pixie table"), tableOnly.out());
        assertFalse(tableOnly.out().contains("pixie  "), tableOnly.out());
        assertTrue(tableOnly.out().contains("neighborhoods table"), tableOnly.out());
        assertFalse(tableOnly.out().contains("neighborhoods  "), tableOnly.out());
        CliRun nothing = run("bench", "walks", "--store", store.toString(), "--no-csr", "--no-walk-table");
        assertEquals(2, nothing.code(), nothing.out());
        assertTrue(nothing.err().contains("leaves nothing to measure"), nothing.err());
        CliRun bad = run("bench", "walks", "--store", store.toString(), "--residency", "swapped");
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.err().contains("residency=swapped: expected auto, mapped or anonymous-huge-pages"), bad.err());
    }

    @Test
    void shouldShowEachCommandsOwnGraphSizeDefaults() {
        CommandLine cli = PinSageCli.newCommandLine();
        CommandLine bench = cli.getSubcommands().get("bench");
        assertTrue(cli.getSubcommands().get("generate").getUsageMessage().contains("Pins (left nodes), default 100000."));
        assertTrue(cli.getSubcommands().get("quickstart").getUsageMessage().contains("Pins (left nodes), default 200000."));
        assertTrue(bench.getSubcommands().get("build").getUsageMessage().contains("Edges, default 1000000000."));
        assertTrue(bench.getSubcommands().get("prune-quality").getUsageMessage().contains("Boards (right nodes), default 10000."));
    }

    @Test
    void shouldRunQuickstartSteps() {
        CliRun r = run("quickstart", "--work", dir.toString(), "--pins", "2000", "--boards", "200", "--edges", "20000");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("step 4/4"), r.out());
        assertTrue(r.out().contains("all checksums and invariants hold"), r.out());
        assertTrue(r.out().contains("PinSage (walk neighbourhoods, curriculum)") && r.out().contains("Pixie"), r.out());
    }

    @Test
    void shouldNameTheFileAndTheReasonOfAFileSystemError() throws Exception {
        Path tsv = dir.resolve("e.tsv");
        Files.writeString(tsv, "1\t10\n");
        Path missing = dir.resolve("missing.npy");
        CliRun noFeatures = run("build", "--input", tsv.toString(), "--format", "tsv", "--out", dir.resolve("s").toString(),
                "--left-features", missing.toString());
        assertEquals(2, noFeatures.code());
        assertEquals("error: " + missing + ": no such file or directory", noFeatures.err().strip());
        CliRun outIsAFile = run("build", "--input", tsv.toString(), "--format", "tsv", "--out", tsv.toString());
        assertEquals(2, outIsAFile.code());
        assertTrue(outIsAFile.err().contains("exists and is not a directory"), outIsAFile.err());
        assertEquals(1, outIsAFile.err().strip().lines().count(), outIsAFile.err());
    }

    @Test
    void shouldAnswerHelpForEveryCommand() {
        List<String> checked = new ArrayList<>();
        helpOfEach(PinSageCli.newCommandLine(), new ArrayList<>(), checked);
        assertTrue(checked.containsAll(List.of("build", "info", "verify", "generate", "quickstart", "bench build")), checked.toString());
    }

    private void helpOfEach(CommandLine command, List<String> path, List<String> checked) {
        for (var sub : command.getSubcommands().entrySet()) {
            List<String> args = new ArrayList<>(path);
            args.add(sub.getKey());
            String name = String.join(" ", args);
            assertTrue(sub.getValue().getUsageMessage().contains("-h, --help"), name + " has no --help");
            args.add("--help");
            CliRun r = run(args.toArray(String[]::new));
            assertEquals(0, r.code(), name + ": " + r.err());
            checked.add(name);
            helpOfEach(sub.getValue(), args.subList(0, args.size() - 1), checked);
        }
    }
}
