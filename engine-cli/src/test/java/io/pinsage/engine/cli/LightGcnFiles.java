package io.pinsage.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Small LightGCN-format datasets for command tests: users in three groups, each liking items of its group. */
final class LightGcnFiles {

    private LightGcnFiles() {
    }

    /**
     * Writes {@code dir/data/train.txt} and {@code test.txt}: user u draws {@code trainPerUser + 2} items uniformly
     * from the {@code groupItems} items of group {@code u mod 3}, the last two for the test split.
     *
     * @return the dataset directory
     */
    static Path write(Path dir, long seed, int users, int groupItems, int trainPerUser) throws IOException {
        Random rnd = new Random(seed);
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        for (int u = 0; u < users; u++) {
            train.append(u);
            test.append(u);
            for (int k = 0; k < trainPerUser + 2; k++) {
                (k < trainPerUser ? train : test).append(' ').append((u % 3) * groupItems + rnd.nextInt(groupItems));
            }
            train.append('\n');
            test.append('\n');
        }
        Path d = Files.createDirectories(dir.resolve("data"));
        Files.writeString(d.resolve("train.txt"), train);
        Files.writeString(d.resolve("test.txt"), test);
        return d;
    }

    /** {@code dir/data}: 30 users with 3 of 7 items each, and one test pair: a run of a few batches. */
    static Path tiny(Path dir) throws IOException {
        Path d = Files.createDirectories(dir.resolve("data"));
        StringBuilder train = new StringBuilder();
        for (int u = 0; u < 30; u++) {
            train.append(u).append(' ').append(u % 7).append(' ').append((u + 3) % 7).append(' ').append((u + 5) % 7)
                    .append('\n');
        }
        Files.writeString(d.resolve("train.txt"), train);
        Files.writeString(d.resolve("test.txt"), "0 1\n");
        return d;
    }
}
