package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --samplers} with two {@code sampler} processes, one killed (SIGKILL) mid-epoch, then resumed from its
 * checkpoint with the survivor and a sampler inside the trainer: the run's losses and final model are the in-process
 * run's, bit for bit (CPU backend, same seed). The same on a pin–board store ({@code sampler store:DIR}), hard
 * negatives ranked on the sampler, and a sampler over another store refused. Loopback only; tiny data, seconds.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterTrainingProcessTest {

    private static final long SEED = 23;
    private static final Pattern LOSS = Pattern.compile("\"loss\":([^,]+),\"validation\":([^,]+),");

    @TempDir
    Path dir;

    /** 300 users in three groups of 40 items, 8 training items each: 236 batches of 8 pairs an epoch. */
    private Path dataset() throws IOException {
        return LightGcnFiles.write(dir, SEED, 300, 40, 8);
    }

    private static List<String> options(Path data) {
        return List.of("--dataset", "lightgcn:" + data, "--batch", "8", "--negatives", "20", "--dim", "8",
                "--walk-steps", "20", "--seed", Long.toString(SEED), "--threads", "1");
    }

    @Test
    void shouldTrainAsTheInProcessRunThoughASamplerIsKilledMidEpochAndResumeWithRemoteSamplers() throws Exception {
        Path data = dataset();
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "a secret of more than sixteen bytes\n");
        Path reference = dir.resolve("reference");
        List<Process> samplers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                samplers.add(start(args(List.of("sampler", "--work", dir.resolve("work-" + i).toString(), "--listen",
                        "127.0.0.1:0", "--secret-file", secret.toString()), options(data)), samplerLog(i), true));
            }
            // the in-process run while the samplers start
            CliRun local = CliRun.run(args(List.of("train", "--out", reference.toString(), "--epochs", "2", "--device",
                    "cpu"), options(data)));
            assertEquals(0, local.code(), local.err());
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                addresses.add(listening(samplers.get(i), samplerLog(i)));
            }
            Path model = dir.resolve("model");
            Path trainLog = dir.resolve("train.log");
            Process train = start(args(List.of("train", "--out", model.toString(), "--epochs", "1", "--device", "cpu",
                    "--samplers", String.join(",", addresses), "--secret-file", secret.toString()), options(data)),
                    trainLog, false);
            // The trainer connects at the epoch's start; once the first sampler has admitted it, it dies mid-epoch.
            Path doomedLog = samplerLog(0);
            while (!Files.readString(doomedLog).contains("admitted") && train.isAlive()) {
                Thread.sleep(5);
            }
            samplers.get(0).destroyForcibly().waitFor();
            assertTrue(train.waitFor(60, TimeUnit.SECONDS), "the trainer still runs after 60 s");
            String trained = Files.readString(trainLog);
            assertEquals(0, train.exitValue(), trained);
            assertTrue(trained.contains("warning: sampler " + addresses.get(0) + " lost"), trained);

            // Resumed for a second epoch: the killed sampler is skipped, the survivor and one in-process sampler serve.
            CliRun resumed = CliRun.run(args(List.of("train", "--out", model.toString(), "--epochs", "2", "--device", "cpu",
                    "--samplers", String.join(",", addresses), "--secret-file", secret.toString(), "--local-samplers", "1"),
                    options(data)));
            assertEquals(0, resumed.code(), resumed.err() + resumed.console());
            assertTrue(samplers.get(1).isAlive(), "the second sampler served both epochs");

            assertEquals(losses(reference), losses(model));
            assertArrayEquals(Files.readAllBytes(reference.resolve("model.bin")), Files.readAllBytes(model.resolve("model.bin")),
                    "the final model");
        } finally {
            for (Process p : samplers) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void shouldTrainOnAStoreAsTheInProcessRunWithARemoteSamplerAndRefuseOneOverAnotherStore() throws Exception {
        Path store = dir.resolve("store");
        Path other = dir.resolve("other");
        for (Path s : List.of(store, other)) {
            CliRun g = CliRun.run("generate", "--out", s.toString(), "--pins", "1500", "--boards", "150", "--edges",
                    "7500", "--seed", Long.toString(s == store ? SEED : SEED + 1));
            assertEquals(0, g.code(), g.err());
        }
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "a secret of more than sixteen bytes\n");
        List<String> options = List.of("--epochs", "2", "--threads", "1");
        List<Process> samplers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                samplers.add(start(args(List.of("sampler", "store:" + (i == 0 ? store : other), "--work",
                        dir.resolve("work-" + i).toString(), "--listen", "127.0.0.1:0", "--secret-file", secret.toString()),
                        options), samplerLog(i), true));
            }
            Path reference = dir.resolve("reference");
            CliRun local = CliRun.run(args(List.of("train", "--dataset", "store:" + store, "--out", reference.toString(),
                    "--device", "cpu"), options));
            assertEquals(0, local.code(), local.err());
            String same = listening(samplers.get(0), samplerLog(0));
            String foreign = listening(samplers.get(1), samplerLog(1));

            Path model = dir.resolve("model");
            CliRun remote = CliRun.run(args(List.of("train", "--dataset", "store:" + store, "--out", model.toString(),
                    "--device", "cpu", "--samplers", same, "--secret-file", secret.toString()), options));
            assertEquals(0, remote.code(), remote.err() + remote.console());
            assertTrue(Files.readString(samplerLog(0)).contains("admitted"), Files.readString(samplerLog(0)));
            assertEquals(losses(reference), losses(model));
            assertArrayEquals(Files.readAllBytes(reference.resolve("model.bin")), Files.readAllBytes(model.resolve("model.bin")),
                    "the final model");

            CliRun refused = CliRun.run(args(List.of("train", "--dataset", "store:" + store, "--out",
                    dir.resolve("refused").toString(), "--device", "cpu", "--samplers", foreign, "--secret-file",
                    secret.toString()), options));
            assertEquals(2, refused.code(), refused.err());
            assertTrue(refused.err().contains("serves another run: data (here "), refused.err());
        } finally {
            for (Process p : samplers) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private Path samplerLog(int i) {
        return dir.resolve("sampler-" + i + ".log");
    }

    private static String[] args(List<String> command, List<String> options) {
        List<String> all = new ArrayList<>(command);
        all.addAll(options);
        return all.toArray(String[]::new);
    }

    /** Each epoch's loss and validation score as the training log holds them. */
    private static List<String> losses(Path model) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(model.resolve("training-log.jsonl"))) {
            Matcher m = LOSS.matcher(line);
            assertTrue(m.find(), line);
            out.add(m.group(1) + " " + m.group(2));
        }
        return out;
    }

    /**
     * Starts the command line in a JVM of its own with this JVM's module flags, its stderr (and, unless
     * {@code pipeOut}, its stdout) into {@code log}.
     */
    private static Process start(String[] args, Path log, boolean pipeOut) throws IOException {
        List<String> command = CliProcess.command();
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectError(log.toFile());
        if (!pipeOut) {
            b.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        }
        return b.start();
    }

    /** The {@code HOST:PORT} of the {@code listening on} line a sampler prints once it listens. */
    private static String listening(Process p, Path log) throws IOException {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.startsWith("listening on ")) {
            throw new IOException("the sampler printed " + line + " instead of its address; its log:\n" + Files.readString(log));
        }
        return line.substring("listening on ".length());
    }
}
