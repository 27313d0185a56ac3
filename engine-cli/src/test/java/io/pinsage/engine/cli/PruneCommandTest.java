package io.pinsage.engine.cli;

import io.pinsage.csr.GraphStore;
import io.pinsage.csr.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PruneCommandTest {

    @TempDir
    Path dir;

    private Path generate(String name, String... extra) {
        Path store = dir.resolve(name);
        String[] args = {"generate", "--out", store.toString(), "--pins", "2000", "--boards", "200", "--edges", "20000", "--seed", "3",
                "--diverse-boards", "0.2", "--threads", "2"};
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        CliRun r = CliRun.run(all);
        assertEquals(0, r.code(), r.err());
        return store;
    }

    @Test
    void shouldPruneIntoAStoreThatEveryCommandUsesLikeTheOriginal() throws Exception {
        Path source = generate("source");
        Path out = dir.resolve("pruned");
        CliRun r = CliRun.run("prune", source.toString(), "--out", out.toString(), "--entropy-quantile", "0.8", "--max-degree", "60");
        assertEquals(0, r.code(), r.err());
        for (String figure : new String[] {"entropy limit", "(the 0.800 quantile)", "boards dropped", "pin cap        60: hit by",
                "board cap      60: hit by", "edges          20,000 -> ", "carried over   engagement.pairs, left.features", "verified"}) {
            assertTrue(r.out().contains(figure), figure + " missing from:\n" + r.out());
        }
        try (GraphStore s = GraphStore.open(out)) {
            assertTrue(s.graph().edgeCount() < 20_000 && s.graph().maxDegree(Side.LEFT) <= 60 && s.graph().maxDegree(Side.RIGHT) <= 60);
            assertTrue(s.features(Side.LEFT).isPresent() && s.pairs().isPresent());
        }
        assertEquals(0, CliRun.run("verify", out.toString()).code());
        CliRun walk = CliRun.run("walk", out.toString(), "--query", "5", "--steps", "2000", "--top", "5");
        assertEquals(0, walk.code(), walk.err());
        assertTrue(walk.out().contains("rank  pin"), walk.out());
        CliRun hoods = CliRun.run("neighborhoods", out.toString(), "--top", "3", "--steps", "200", "--threads", "1", "--residency", "mapped");
        assertEquals(0, hoods.code(), hoods.err());
        assertTrue(hoods.out().contains("built 2,000 LEFT neighbourhoods"), hoods.out());
        CliRun train = CliRun.run("train", "--dataset", "synthetic:" + out, "--out", dir.resolve("model").toString(), "--device", "cpu");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("Pixie") && train.out().contains("PinSage"), train.out());
        assertTrue(train.console().contains("backend: cpu (--device cpu)\n"), train.console());
    }

    @Test
    void shouldNameTheNeighbourhoodStoreItLeavesBehind() {
        Path source = generate("source");
        assertEquals(0, CliRun.run("neighborhoods", source.toString(), "--top", "3", "--steps", "100", "--threads", "1").code());
        CliRun r = CliRun.run("prune", source.toString(), "--out", dir.resolve("p").toString(), "--max-degree", "100");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("neighborhoods.left describes the original graph"), r.out());
        assertTrue(Files.notExists(dir.resolve("p").resolve("neighborhoods.left")));
    }

    @Test
    void shouldReportBadInputInOneLineWithExitCode2() {
        Path source = generate("source");
        Path out = dir.resolve("out");
        String[][] cases = {
                {"--max-entropy", "0"}, {"--max-entropy=0.0: must lie in (0, 1]"},
                {"--max-entropy", "1.2"}, {"--max-entropy=1.2"},
                {"--entropy-quantile", "1"}, {"--entropy-quantile=1.0: must lie in (0, 1)"},
                {"--max-degree", "0"}, {"--max-degree=0: must be >= 1"},
                {"--max-pin-degree", "-3"}, {"--max-pin-degree=-3: must be >= 1"},
                {}, {"nothing to prune"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            String[] args = new String[4 + cases[i].length];
            args[0] = "prune";
            args[1] = source.toString();
            args[2] = "--out";
            args[3] = out.toString();
            System.arraycopy(cases[i], 0, args, 4, cases[i].length);
            CliRun r = CliRun.run(args);
            assertEquals(CliErrors.BAD_INPUT, r.code(), String.join(" ", args));
            assertTrue(r.err().contains(cases[i + 1][0]), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        CliRun both = CliRun.run("prune", source.toString(), "--out", out.toString(), "--max-entropy", "0.9", "--entropy-quantile", "0.5");
        assertEquals(CliErrors.BAD_INPUT, both.code());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        CliRun missing = CliRun.run("prune", dir.resolve("none").toString(), "--out", out.toString(), "--max-degree", "5");
        assertEquals(CliErrors.BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("none: no such store directory"), missing.err());
        CliRun same = CliRun.run("prune", source.toString(), "--out", source.toString(), "--max-degree", "5");
        assertEquals(CliErrors.BAD_INPUT, same.code());
        assertTrue(same.err().contains("must differ from the source store"), same.err());
        Path bare = generate("bare", "--feature-dim", "0");
        CliRun noFeatures = CliRun.run("prune", bare.toString(), "--out", out.toString(), "--entropy-quantile", "0.9");
        assertEquals(CliErrors.BAD_INPUT, noFeatures.code());
        assertTrue(noFeatures.err().contains("has no pin features (left.features)"), noFeatures.err());
        assertTrue(Files.notExists(out), "no rejected run leaves a store behind");
        CliRun capsOnly = CliRun.run("prune", bare.toString(), "--out", out.toString(), "--max-degree", "30");
        assertEquals(0, capsOnly.code(), "degree caps need no features: " + capsOnly.err());
    }
}
