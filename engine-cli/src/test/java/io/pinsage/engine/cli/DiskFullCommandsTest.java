package io.pinsage.engine.cli;

import io.pinsage.csr.format.FileWrites;
import io.pinsage.engine.pipeline.StoreEmbedder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Commands that write big files into a store, stopped mid-write as by a full disk: each runs in a child process
 * under a file-size limit ({@link CliProcess#underFileSizeLimit}) below the largest file it writes. The run must
 * end with exit code 2 and one {@code error:} line naming the file it was writing and the limit, no stack trace;
 * the store's published generation must stay current, byte for byte, with nothing half-written beside it, and the
 * same command without the limit must succeed afterwards. Fixed seeds and one thread, so the file that meets the
 * limit is always the same.
 */
class DiskFullCommandsTest {

    @TempDir
    Path dir;

    /** The child's output, beside the stores rather than in them. */
    @TempDir
    Path logs;

    private static final String LIMIT_WORDS = "the file reached the largest size this process may write (ulimit -f) "
            + "or the file system allows (File too large)";

    /** What a child wrote on stderr (progress, notes, the error line) and its exit code. */
    private record Child(int code, String err) {
    }

    private Child runUnderLimit(long kib, String... args) throws IOException, InterruptedException {
        List<String> command = CliProcess.underFileSizeLimit(kib);
        command.addAll(List.of(args));
        Path err = logs.resolve("err.log");
        Process p = new ProcessBuilder(command).redirectOutput(logs.resolve("out.log").toFile()).redirectError(err.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the command did not end within 120 s: " + Files.readString(err));
        }
        return new Child(p.exitValue(), Files.readString(err));
    }

    /** Exit code 2 and one error line that names {@code file} and the limit, without a trace. */
    private static void expectLimitError(Child c, Path file) {
        assertEquals(CliErrors.BAD_INPUT, c.code(), c.err());
        List<String> errors = c.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), c.err());
        assertTrue(errors.getFirst().startsWith("error: " + file + ": cannot write "), c.err());
        assertTrue(errors.getFirst().endsWith(LIMIT_WORDS), c.err());
        assertFalse(c.err().contains("\tat ") || c.err().contains("Exception"), c.err());
    }

    /** Every file under {@code root} (relative path) with the SHA-256 of its bytes. */
    private static Map<String, String> digest(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                files.put(root.relativize(f).toString(), HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(f))));
            }
        }
        return files;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> entries(Path root) throws IOException {
        try (Stream<Path> list = Files.list(root)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void expectVerified(Path store) {
        CliRun verify = CliRun.run("verify", store.toString());
        assertEquals(0, verify.code(), verify.err());
    }

    /**
     * Runs {@code args}, which publish a second generation into the graph store at {@code store}, under a limit of
     * {@code kib} KiB that {@code file} of that generation passes, then as {@link DiskFullCommandsTest} says.
     */
    private void expectSecondGenerationStopped(Path store, long kib, String[] args, String file) throws Exception {
        Map<String, String> before = digest(store);
        Child limited = runUnderLimit(kib, args);
        expectLimitError(limited, store.resolve("gen-00000002").resolve(file));
        assertEquals(before, digest(store), "the published generation changed, or a new file stayed beside it");
        expectVerified(store);

        CliRun again = CliRun.run(args);
        assertEquals(0, again.code(), again.err());
        assertEquals(List.of("CURRENT", "LOCK", "gen-00000002"), entries(store));
        expectVerified(store);
    }

    private static String[] generate(Path store, long seed) {
        return new String[] {"generate", "--out", store.toString(), "--pins", "2000", "--boards", "200", "--edges", "20000",
                "--seed", Long.toString(seed), "--threads", "1", "--bucket-nodes", "256"};
    }

    @Test
    void shouldKeepThePublishedStoreWhenGenerateMeetsAFullDisk() throws Exception {
        Path store = dir.resolve("store");
        assertEquals(0, CliRun.run(generate(store, 1)).code());
        // spill files of 256 pins stay under 100 KiB; the 128,096-byte pin features of the new generation do not
        expectSecondGenerationStopped(store, 100, generate(store, 2), "left.features");
    }

    /** {@code build} of {@code edges} lines {@code pinN<TAB>boardM} over {@code pins} pins and 500 boards. */
    private String[] build(Path store, int pins, int edges, long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < edges; i++) {
            sb.append("pin").append(random.nextInt(pins)).append("\tboard").append(random.nextInt(500)).append('\n');
        }
        Path input = Files.writeString(logs.resolve("edges-" + seed + ".tsv"), sb);
        return new String[] {"build", "--input", input.toString(), "--format", "tsv", "--ids", "string", "--out",
                store.toString(), "--threads", "1", "--bucket-nodes", "1024", "--edges-per-shard", "5000"};
    }

    @Test
    void shouldKeepThePublishedStoreWhenBuildMeetsAFullDisk() throws Exception {
        Path store = dir.resolve("store");
        CliRun first = CliRun.run(build(store, 5000, 20_000, 1));
        assertEquals(0, first.code(), first.err());
        // spill files and shards stay under 64 KiB; the strings of the 6,000 pins' ids (about 90 KB) do not
        expectSecondGenerationStopped(store, 64, build(store, 6000, 20_000, 2), "left.ids");
    }

    @Test
    void shouldKeepThePublishedEmbeddingsWhenEmbedMeetsAFullDisk() throws Exception {
        Path store = dir.resolve("store");
        Path model = dir.resolve("model");
        assertEquals(0, CliRun.run("generate", "--out", store.toString(), "--pins", "400", "--boards", "40", "--edges",
                "4000", "--seed", "1").code());
        EmbedCommandTest.trainQuickly(store, model);
        String[] embed = {"embed", store.toString(), "--model", model.toString(), "--memory-budget", "1", "--device", "cpu"};
        CliRun first = CliRun.run(embed);
        assertEquals(0, first.code(), first.err());
        List<String> entries = entries(store);
        Map<String, String> before = digest(store);

        // the pins' rows (12,896 bytes, resumed in the work directory) fit under 13 KiB; the first stage's
        // scratch rows of all 440 nodes (14,080 bytes) do not
        Child limited = runUnderLimit(13, embed);
        expectLimitError(limited, store.resolve(StoreEmbedder.WORK).resolve("h0"));
        Map<String, String> after = digest(store);
        after.keySet().removeIf(f -> f.startsWith(StoreEmbedder.WORK));
        assertEquals(before, after, "a published generation changed, or a new file stayed beside it");
        expectVerified(store);

        CliRun again = CliRun.run(embed);
        assertEquals(0, again.code(), again.err());
        assertEquals(entries, entries(store), "the work directory stayed after a finished run");
        assertEquals(List.of("CURRENT", "LOCK", "gen-00000002"), entries(store.resolve("embeddings.left")));
        expectVerified(store);
    }

    @Test
    void shouldSayWhatTheSystemsBareWordsMeanWhereNoWriterNamedTheFile() {
        assertEquals("the disk is full (No space left on device)", CliErrors.describe(new IOException("No space left on device")));
        assertEquals("/s/x: the disk quota is used up (Disk quota exceeded)",
                CliErrors.describe(new FileSystemException("/s/x", null, "Disk quota exceeded")));
        assertEquals("/s/x: cannot write 4 bytes at byte 0: " + LIMIT_WORDS, CliErrors.describe(
                FileWrites.failed(Path.of("/s/x"), 4, 0, new IOException("File too large"))));
        assertEquals("some other failure", CliErrors.describe(new IOException("some other failure")));
    }
}
