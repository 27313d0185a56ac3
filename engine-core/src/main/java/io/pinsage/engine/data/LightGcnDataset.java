package io.pinsage.engine.data;

import io.pinsage.csr.BipartiteGraph;
import io.pinsage.csr.HeapBipartiteGraph;
import io.pinsage.csr.ResourceLimits;
import io.pinsage.csr.Side;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A user–item dataset in the LightGCN text format: a directory with {@code train.txt} and {@code test.txt},
 * one line per user, {@code user item item ...}, ids dense non-negative integers separated by spaces or tabs.
 *
 * <p>Users live on {@link Side#RIGHT}, items on {@link Side#LEFT} of {@link #graph()}, which holds the training
 * interactions only (duplicates removed). User and item counts are one more than the largest id seen in
 * either file, so test-only ids still index valid (untrained) rows. Immutable and thread-safe once loaded.
 *
 * <p>Errors: a missing file is an {@link IOException} naming it; a malformed line is a
 * {@link CorruptDatasetException} naming {@code file:line} and the offending token, and so is an id so large that
 * the id-indexed arrays could not fit the heap (checked before they are allocated).
 */
public final class LightGcnDataset {

    /** Name of the training file inside the dataset directory. */
    public static final String TRAIN_FILE = "train.txt";
    /** Name of the test file inside the dataset directory. */
    public static final String TEST_FILE = "test.txt";

    private final Path dir;
    private final int userCount;
    private final int itemCount;
    private final InteractionLists train;
    private final InteractionLists test;
    private final HeapBipartiteGraph graph;

    private LightGcnDataset(Path dir, int userCount, int itemCount, InteractionLists train, InteractionLists test) {
        this.dir = dir;
        this.userCount = userCount;
        this.itemCount = itemCount;
        this.train = train;
        this.test = test;
        int[] users = new int[train.size()];
        int[] items = new int[train.size()];
        for (int u = 0, p = 0; u < userCount; u++) {
            for (int i = 0; i < train.count(u); i++, p++) {
                users[p] = u;
                items[p] = train.item(p);
            }
        }
        this.graph = HeapBipartiteGraph.of(itemCount, userCount, items, users, null);
    }

    /**
     * Reads {@code dir/train.txt} and {@code dir/test.txt}. O(file size); single-threaded.
     *
     * @throws IOException             if a file is missing or unreadable
     * @throws CorruptDatasetException naming {@code file:line} for a token that is not a non-negative int
     */
    public static LightGcnDataset load(Path dir) throws IOException {
        Pairs trainPairs = readPairs(dir.resolve(TRAIN_FILE));
        Pairs testPairs = readPairs(dir.resolve(TEST_FILE));
        if (trainPairs.count == 0) {
            throw new CorruptDatasetException(dir.resolve(TRAIN_FILE).toString(), 0, "no interactions: expected lines 'user item item ...'");
        }
        int users = Math.max(trainPairs.maxUser, testPairs.maxUser) + 1;
        int items = Math.max(trainPairs.maxItem, testPairs.maxItem) + 1;
        requireHeap(dir, trainPairs, testPairs, users, items);
        return new LightGcnDataset(dir, users, items,
                InteractionLists.of(users, trainPairs.users, trainPairs.items, trainPairs.count),
                InteractionLists.of(users, testPairs.users, testPairs.items, testPairs.count));
    }

    /**
     * Refuses ids that would size the arrays beyond the heap (ids are dense, so one id of two billion means two billion
     * rows), naming the line that holds the largest id, before any id-sized array is allocated.
     */
    private static void requireHeap(Path dir, Pairs train, Pairs test, int users, int items) throws CorruptDatasetException {
        // offsets of both interaction lists and of the graph's two sides, each pair in the lists, the graph and its inputs
        long bytes = ResourceLimits.plus(ResourceLimits.plus(ResourceLimits.bytes(users, 32), ResourceLimits.bytes(items, 16)),
                ResourceLimits.bytes((long) train.count + test.count, 32));
        try {
            ResourceLimits.requireHeap("users=" + users + " items=" + items, bytes,
                    "ids must be dense (0..n-1): renumber them, or give the JVM a larger heap");
        } catch (IllegalArgumentException e) {
            boolean itemId = Math.max(train.maxItem, test.maxItem) >= Math.max(train.maxUser, test.maxUser);
            Pairs at = itemId ? (train.maxItem >= test.maxItem ? train : test) : (train.maxUser >= test.maxUser ? train : test);
            String file = dir.resolve(at == train ? TRAIN_FILE : TEST_FILE).toString();
            long line = itemId ? at.maxItemLine : at.maxUserLine;
            throw new CorruptDatasetException(file, line, (itemId ? "item id " + at.maxItem : "user id " + at.maxUser)
                    + " makes " + e.getMessage());
        }
    }

    /** The directory this dataset was read from. */
    public Path dir() {
        return dir;
    }

    /** Number of users (right side). */
    public int userCount() {
        return userCount;
    }

    /** Number of items (left side). */
    public int itemCount() {
        return itemCount;
    }

    /** Training interactions per user, sorted and deduplicated. */
    public InteractionLists train() {
        return train;
    }

    /** Held-out interactions per user, sorted and deduplicated. */
    public InteractionLists test() {
        return test;
    }

    /** The training interactions as a bipartite graph: items on {@link Side#LEFT}, users on {@link Side#RIGHT}. */
    public BipartiteGraph graph() {
        return graph;
    }

    /** Growable parallel arrays of (user, item) with the largest ids seen. */
    private static final class Pairs {
        int[] users = new int[1 << 16];
        int[] items = new int[1 << 16];
        int count;
        int maxUser = -1;
        int maxItem = -1;
        long maxUserLine;
        long maxItemLine;

        void user(int user, long line) {
            if (user > maxUser) {
                maxUser = user;
                maxUserLine = line;
            }
        }

        void add(int user, int item, long line) {
            if (count == users.length) {
                users = Arrays.copyOf(users, count * 2);
                items = Arrays.copyOf(items, count * 2);
            }
            users[count] = user;
            items[count] = item;
            count++;
            if (item > maxItem) {
                maxItem = item;
                maxItemLine = line;
            }
        }
    }

    /** Parses one file byte by byte: the files hold only ASCII digits and separators, and are large. */
    private static Pairs readPairs(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "LightGCN dataset file missing (expected train.txt and test.txt)");
        }
        Pairs pairs = new Pairs();
        String name = file.toString();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long line = 1;
            int user = -1;
            long value = -1;
            int b;
            do {
                b = in.read();
                if (b >= '0' && b <= '9') {
                    value = (value < 0 ? 0 : value * 10) + (b - '0');
                    if (value > Integer.MAX_VALUE) {
                        throw new CorruptDatasetException(name, line, "id exceeds " + Integer.MAX_VALUE);
                    }
                } else if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == -1) {
                    if (value >= 0) {
                        if (user < 0) {
                            user = (int) value;
                            pairs.user(user, line);
                        } else {
                            pairs.add(user, (int) value, line);
                        }
                        value = -1;
                    }
                    if (b == '\n') {
                        line++;
                        user = -1;
                    }
                } else {
                    throw new CorruptDatasetException(name, line, "unexpected character '" + printable(b)
                            + "': expected 'user item item ...' with non-negative integer ids");
                }
            } while (b != -1);
        }
        return pairs;
    }

    private static String printable(int b) {
        return b >= 32 && b < 127 ? Character.toString(b) : String.format("\\x%02x", b);
    }
}
