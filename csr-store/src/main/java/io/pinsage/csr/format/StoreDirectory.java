package io.pinsage.csr.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A store is a directory of store files published atomically as a generation. Layout:
 * <pre>
 *  root/
 *    CURRENT              names the published generation (see {@link ManifestFormat})
 *    LOCK                 held by the one process publishing into root
 *    gen-00000007/        the published generation: its files plus a MANIFEST listing them
 *      MANIFEST
 *      left.offsets ...
 *    gen-00000008/        a generation being written (or left by a crash): ignored by readers
 *    gen-00000008.scratch/  temporary files of that generation's build, never read
 * </pre>
 *
 * <p>Readers follow {@code CURRENT} and check the generation's manifest ({@link #openCurrent}). Writers
 * {@link #beginPublication begin a publication}, write files into its fresh generation directory, and
 * {@link Publication#commit commit}: fsync every file, write and fsync the manifest, fsync the directory,
 * write {@code CURRENT.tmp}, fsync it, rename it atomically over {@code CURRENT}, fsync the root, and only
 * then delete older generations. A crash before the rename leaves {@code CURRENT} naming the previous,
 * untouched generation; a crash after it leaves the new one complete. A new generation takes a number above every
 * directory present, so a half-written directory left by a crash never becomes current (an aborted publication
 * deletes its own directory, whose number the next one may then take; a number once current is never taken again).
 *
 * <p>Threading: any number of readers; one publisher per root at a time, enforced by a file lock. Readers of
 * a generation that is being replaced keep their mappings valid: Linux keeps deleted files alive while mapped.
 */
public final class StoreDirectory {

    static final String LOCK = "LOCK";
    static final String GENERATION_PREFIX = "gen-";
    static final String SCRATCH_SUFFIX = ".scratch";

    private StoreDirectory() {
    }

    /** Opens what a generation holds (a store's files); may throw as a damaged generation would. */
    @FunctionalInterface
    public interface GenerationOpener<T> {
        T open(StoreGeneration generation) throws IOException;
    }

    /** Times {@link #openCurrent(Path, GenerationOpener)} tries again when a publication replaced the generation. */
    private static final int REPLACED_RETRIES = 8;

    /**
     * {@link #openCurrent(Path)}, then {@code opener} on that generation; when either fails on a damaged or missing
     * file while {@code CURRENT} has meanwhile moved to another generation (a publication committed and deleted the
     * one being opened, e.g. a live graph's compaction), opens the new one instead, up to 8 times. A failure while
     * {@code CURRENT} stays put is the store's damage and is thrown as it is.
     *
     * @throws CorruptStoreException as {@link #openCurrent(Path)} or {@code opener}, naming the file
     */
    public static <T> T openCurrent(Path root, GenerationOpener<T> opener) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String before = Files.isDirectory(root) && Files.exists(root.resolve(ManifestFormat.CURRENT))
                    ? ManifestFormat.readCurrent(root.resolve(ManifestFormat.CURRENT)) : null;
            try {
                return opener.open(openCurrent(root));
            } catch (CorruptStoreException e) {
                String after;
                try {
                    after = ManifestFormat.readCurrent(root.resolve(ManifestFormat.CURRENT));
                } catch (IOException unreadable) {
                    e.addSuppressed(unreadable);
                    throw e;
                }
                if (attempt >= REPLACED_RETRIES || before == null || before.equals(after)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Finds and checks the published generation of {@code root}: {@code CURRENT}, then the manifest against
     * the directory's contents. Cost: two small reads and one directory listing.
     *
     * @throws CorruptStoreException if there is no published store, or a file is missing, foreign, or of the
     *                               wrong length; the message names the file
     */
    public static StoreGeneration openCurrent(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new CorruptStoreException(root, "no such store directory");
        }
        String gen = ManifestFormat.readCurrent(root.resolve(ManifestFormat.CURRENT));
        Path dir = root.resolve(gen);
        if (!Files.isDirectory(dir)) {
            throw new CorruptStoreException(dir, "CURRENT names generation " + gen + ", which does not exist");
        }
        Map<String, Long> listed = ManifestFormat.readManifest(dir.resolve(ManifestFormat.MANIFEST));
        Set<String> present = new TreeSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> present.add(p.getFileName().toString()));
        }
        present.remove(ManifestFormat.MANIFEST);
        for (String name : present) {
            if (!listed.containsKey(name)) {
                throw new CorruptStoreException(dir.resolve(name), "foreign file: not listed in the generation's MANIFEST");
            }
        }
        for (Map.Entry<String, Long> e : listed.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!present.contains(e.getKey())) {
                throw new CorruptStoreException(f, "missing file: listed in MANIFEST with " + e.getValue() + " bytes");
            }
            long size = Files.size(f);
            if (size != e.getValue()) {
                throw new CorruptStoreException(f, (size < e.getValue() ? "truncated: " : "too long: ") + size
                        + " bytes, MANIFEST lists " + e.getValue());
            }
        }
        return new StoreGeneration(root, gen, dir, Map.copyOf(listed));
    }

    /** Whether {@code root} holds a published store (a {@code CURRENT} file); does not check it. */
    public static boolean isPublished(Path root) {
        return Files.isRegularFile(root.resolve(ManifestFormat.CURRENT));
    }

    /**
     * Starts writing a new generation of {@code root} (created if absent): takes the root's lock, removes
     * generations left by earlier crashes, and creates the new generation's empty directory.
     *
     * @throws IllegalArgumentException if {@code root} exists and is not a directory
     * @throws FileSystemException naming {@code root/LOCK} if another publication into {@code root} is in progress
     */
    public static Publication beginPublication(Path root) throws IOException {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new IllegalArgumentException("root=" + root + ": exists and is not a directory");
        }
        boolean createdRoot = !Files.exists(root);
        Files.createDirectories(root);
        Path lockFile = root.resolve(LOCK);
        FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        java.nio.channels.FileLock held;
        try {
            held = lock.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            held = null; // this JVM holds it: the same conflict as another process holding it
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        if (held == null) {
            lock.close();
            throw new FileSystemException(lockFile.toString(), null, "held: another build is publishing a store into " + root);
        }
        try {
            String current = null;
            boolean currentReadable = true;
            if (StoreDirectory.isPublished(root)) {
                try {
                    current = ManifestFormat.readCurrent(root.resolve(ManifestFormat.CURRENT));
                } catch (CorruptStoreException e) {
                    // a damaged pointer must not stop a rebuild, but nothing is deleted until the rebuild commits
                    currentReadable = false;
                }
            }
            int next = 1;
            for (String g : generations(root)) {
                next = Math.max(next, Integer.parseInt(g.substring(GENERATION_PREFIX.length())) + 1);
                if (currentReadable && !g.equals(current)) {
                    deleteTree(root.resolve(g));
                }
            }
            for (String g : scratchDirectories(root)) {
                deleteTree(root.resolve(g));
            }
            Path dir = root.resolve(String.format("%s%08d", GENERATION_PREFIX, next));
            Files.createDirectory(dir);
            return new Publication(root, dir, lock, createdRoot);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    static List<String> generations(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> n.matches(GENERATION_PREFIX + "\\d{8}")).sorted().toList();
        }
    }

    private static List<String> scratchDirectories(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> n.matches(GENERATION_PREFIX + "\\d{8}" + java.util.regex.Pattern.quote(SCRATCH_SUFFIX))).toList();
        }
    }

    /** Lengths of the regular files in {@code dir}, by name; sub-directories are not allowed in a generation. */
    static Map<String, Long> listFiles(Path dir) throws IOException {
        Map<String, Long> files = new HashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isRegularFile(p)) {
                    throw new IllegalStateException("generation " + dir + " holds " + p + ", which is not a regular file");
                }
                files.put(p.getFileName().toString(), Files.size(p));
            }
        }
        return files;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }

    static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
