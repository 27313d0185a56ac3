package io.pinsage.csr.embedding;

import io.pinsage.csr.Side;
import io.pinsage.csr.format.CorruptStoreException;
import io.pinsage.csr.format.FileWrites;
import io.pinsage.csr.format.ManifestFormat;
import io.pinsage.csr.format.StoreDirectory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keeps the pins' and the boards' embedding stores beside a graph store ({@link EmbeddingStore#defaultRoot}) of one
 * run. The two stores are published one after the other, so a run that fails between the two publications would
 * leave pins of the new run and boards of the old one current. The run therefore records, last and atomically, the
 * pair it published in {@code graphRoot/}{@value #FILE_NAME}: one line
 * <pre>
 *  pinsage.embeddings.pair 1 FINGERPRINT LEFT_GENERATION RIGHT_GENERATION
 * </pre>
 * (a side without a store is {@code -}). {@link #open} refuses a side whose current generation is not the one the
 * record names, or whose other side is not, naming both stores' files and saying to run {@code embed} again. Stores
 * written before the record existed have none; then the two sides must carry the same model fingerprint.
 *
 * <p>Threading: stateless; {@link #record} belongs to the one process publishing both stores (it holds neither
 * store's lock, so it must run after both writers closed). Cost of {@link #open}: the store's open plus two small
 * reads and, without a record, the other side's open.
 */
public final class EmbeddingPair {

    /** Name of the record in the graph store's root. */
    public static final String FILE_NAME = "embeddings.pair";

    private static final String TAG = "pinsage.embeddings.pair";
    private static final String VERSION = "1";
    private static final String NONE = "-";

    private EmbeddingPair() {
    }

    /**
     * Records, atomically and durably, that the stores now current beside {@code graphRoot} ({@code null} for a side
     * without one) are one run's, written by the model of {@code fingerprint}.
     */
    public static void record(Path graphRoot, String fingerprint, String leftGeneration, String rightGeneration)
            throws IOException {
        EmbeddingFormat.fingerprintCounts(fingerprint);
        Path file = graphRoot.resolve(FILE_NAME);
        Path tmp = graphRoot.resolve(FILE_NAME + ".tmp");
        FileWrites.writeString(tmp, String.join(" ", TAG, VERSION, fingerprint.toLowerCase(Locale.ROOT), orNone(leftGeneration),
                orNone(rightGeneration)) + "\n");
        force(tmp, StandardOpenOption.WRITE);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        force(graphRoot, StandardOpenOption.READ);
    }

    /**
     * Before a run publishes its stores over stores written without a record: records the pair now current, if both
     * sides carry one model's fingerprint, so that a failure between the run's two publications is seen. Does nothing
     * where a record exists (a record of a pair no longer current must not be renewed: it is what reveals the mix).
     */
    public static void recordLegacy(Path graphRoot) throws IOException {
        if (Files.exists(graphRoot.resolve(FILE_NAME))) {
            return;
        }
        List<String> prints = new ArrayList<>();
        String[] generations = new String[Side.values().length];
        for (Side side : Side.values()) {
            Path root = EmbeddingStore.defaultRoot(graphRoot, side);
            if (StoreDirectory.isPublished(root)) {
                try (EmbeddingStore s = EmbeddingStore.open(root, false)) {
                    prints.add(s.modelFingerprint());
                    generations[side.ordinal()] = s.generation();
                }
            }
        }
        if (!prints.isEmpty() && prints.stream().distinct().count() == 1) {
            record(graphRoot, prints.getFirst(), generations[Side.LEFT.ordinal()], generations[Side.RIGHT.ordinal()]);
        }
    }

    /**
     * Opens the published embedding store of {@code side} beside {@code graphRoot}, after checking that it and the
     * other side's store (if any) are of one run.
     *
     * @param verify also recompute the store's body checksum
     * @throws NotOneRunException   naming both stores' files if they are not of one run
     * @throws CorruptStoreException naming the record if
     *                               it is damaged; as {@link EmbeddingStore#open} for a damaged store
     */
    public static EmbeddingStore open(Path graphRoot, Side side, boolean verify) throws IOException {
        EmbeddingStore store = EmbeddingStore.open(EmbeddingStore.defaultRoot(graphRoot, side), verify);
        try {
            check(graphRoot, store);
            return store;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static void check(Path graphRoot, EmbeddingStore store) throws IOException {
        Side other = store.side() == Side.LEFT ? Side.RIGHT : Side.LEFT;
        Path otherRoot = EmbeddingStore.defaultRoot(graphRoot, other);
        boolean otherPublished = StoreDirectory.isPublished(otherRoot);
        Path file = graphRoot.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            if (otherPublished) {
                try (EmbeddingStore o = EmbeddingStore.open(otherRoot, false)) {
                    if (!o.modelFingerprint().equals(store.modelFingerprint())) {
                        throw mixed(store, o.path(), "model " + store.modelFingerprint() + " against model "
                                + o.modelFingerprint());
                    }
                }
            }
            return;
        }
        String[] f = read(file);
        String mine = f[3 + store.side().ordinal()];
        String theirs = f[3 + other.ordinal()];
        String otherCurrent = otherPublished ? ManifestFormat.readCurrent(otherRoot.resolve(ManifestFormat.CURRENT)) : NONE;
        if (!mine.equals(store.generation()) || !theirs.equals(otherCurrent) || !f[2].equals(store.modelFingerprint())) {
            Path otherFile = otherPublished ? otherRoot.resolve(otherCurrent).resolve(EmbeddingFormat.FILE_NAME) : otherRoot;
            throw mixed(store, otherFile, file + " records " + side(Side.LEFT, f) + " and " + side(Side.RIGHT, f)
                    + " of model " + f[2] + ", but " + store.generation() + " (model " + store.modelFingerprint()
                    + ") and " + otherCurrent + " are current");
        }
    }

    private static CorruptStoreException mixed(EmbeddingStore store, Path otherFile, String why) {
        return new NotOneRunException(store.path(), "not of the same embed run as " + otherFile + " (" + why
                + "): a run failed between publishing the two; run embed over the store again");
    }

    /**
     * The two sides' stores are each intact but not of one run: {@code embed} repairs it, checking the files does not.
     * {@link #file()} is the store opened; the message names the other side's file too.
     */
    public static final class NotOneRunException extends CorruptStoreException {

        NotOneRunException(Path file, String reason) {
            super(file, reason);
        }
    }

    private static String side(Side side, String[] f) {
        return EmbeddingStore.defaultRoot(Path.of(""), side) + " " + f[3 + side.ordinal()];
    }

    private static String[] read(Path file) throws IOException {
        String text = Files.readString(file);
        String[] f = text.strip().split(" ");
        if (!text.endsWith("\n") || text.strip().contains("\n") || f.length != 5 || !f[0].equals(TAG)
                || !f[1].equals(VERSION) || !isGeneration(f[3]) || !isGeneration(f[4])) {
            throw new CorruptStoreException(file, "expected one line '" + TAG + " " + VERSION
                    + " FINGERPRINT LEFT_GENERATION RIGHT_GENERATION', got '" + text.strip() + "'");
        }
        try {
            EmbeddingFormat.fingerprintCounts(f[2]);
        } catch (IllegalArgumentException e) {
            throw new CorruptStoreException(file, e.getMessage(), e);
        }
        return f;
    }

    private static boolean isGeneration(String g) {
        return g.equals(NONE) || g.matches("gen-\\d{8}");
    }

    private static String orNone(String generation) {
        return generation == null ? NONE : generation;
    }

    private static void force(Path p, StandardOpenOption mode) throws IOException {
        try (FileChannel ch = FileChannel.open(p, mode)) {
            ch.force(true);
        }
    }
}
