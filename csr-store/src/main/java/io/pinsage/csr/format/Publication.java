package io.pinsage.csr.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * A generation being written into a store directory (see {@link StoreDirectory}): write the store's files
 * into {@link #directory()}, then {@link #commit()}. Closing without committing deletes the generation and
 * leaves the published store as it was; a root that this publication created is removed again (with its lock
 * file), so a failed first build leaves no directory behind.
 *
 * <p>Not thread-safe as an object, but the files in {@link #directory()} may be written by many threads.
 * Holds the root's lock until closed.
 */
public final class Publication implements AutoCloseable {

    /** The steps of {@link #commit()}, in order; named so tests can fail the commit before each. */
    enum Step { FSYNC_FILES, WRITE_MANIFEST, FSYNC_GENERATION, WRITE_CURRENT_TMP, RENAME_CURRENT, DELETE_OLD }

    /** Called before each step; tests make it throw to simulate a crash there. */
    interface StepHook {
        void before(Step step) throws IOException;
    }

    private final Path root;
    private final Path directory;
    private final FileChannel lock;
    private final boolean createdRoot;
    private boolean committed;
    private boolean closed;

    Publication(Path root, Path directory, FileChannel lock, boolean createdRoot) {
        this.root = root;
        this.directory = directory;
        this.lock = lock;
        this.createdRoot = createdRoot;
    }

    /** The new generation's directory, empty at first; put only regular files here. */
    public Path directory() {
        return directory;
    }

    /**
     * A scratch directory beside the generation for temporary files of the build (spill files, sort runs),
     * created on first call and deleted when the publication commits or closes, or by the next publication
     * if the process dies.
     */
    public Path scratchDirectory() throws IOException {
        Path scratch = root.resolve(directory.getFileName() + StoreDirectory.SCRATCH_SUFFIX);
        Files.createDirectories(scratch);
        return scratch;
    }

    /** The store root. */
    public Path root() {
        return root;
    }

    /**
     * The files written into {@link #directory()} so far, as a generation a reader can open (for instance to verify
     * a store before publishing it). Nothing is published: readers of the root still see the previous generation.
     *
     * @throws IllegalStateException if this publication was committed or closed, or the directory holds a manifest
     *                               or a sub-directory
     */
    public StoreGeneration pendingGeneration() throws IOException {
        if (committed || closed) {
            throw new IllegalStateException("publication of " + directory + " already " + (committed ? "committed" : "closed"));
        }
        Map<String, Long> files = StoreDirectory.listFiles(directory);
        if (files.containsKey(ManifestFormat.MANIFEST)) {
            throw new IllegalStateException(directory + " must not hold a file named " + ManifestFormat.MANIFEST);
        }
        return new StoreGeneration(root, directory.getFileName().toString(), directory, Map.copyOf(files));
    }

    /**
     * Publishes the generation atomically and deletes older ones.
     *
     * @return the generation as a reader now sees it
     * @throws IOException if a step fails; the previously published generation then stays current
     */
    public StoreGeneration commit() throws IOException {
        return commit(step -> { });
    }

    StoreGeneration commit(StepHook hook) throws IOException {
        if (committed || closed) {
            throw new IllegalStateException("publication of " + directory + " already " + (committed ? "committed" : "closed"));
        }
        StoreDirectory.deleteTree(root.resolve(directory.getFileName() + StoreDirectory.SCRATCH_SUFFIX));
        hook.before(Step.FSYNC_FILES);
        Map<String, Long> files = StoreDirectory.listFiles(directory);
        if (files.containsKey(ManifestFormat.MANIFEST)) {
            throw new IllegalStateException(directory + " must not hold a file named " + ManifestFormat.MANIFEST);
        }
        for (String name : files.keySet()) {
            StoreDirectory.fsync(directory.resolve(name));
        }
        hook.before(Step.WRITE_MANIFEST);
        writeDurably(directory.resolve(ManifestFormat.MANIFEST), ManifestFormat.encodeManifest(files));
        hook.before(Step.FSYNC_GENERATION);
        StoreDirectory.fsync(directory);
        hook.before(Step.WRITE_CURRENT_TMP);
        Path tmp = root.resolve(ManifestFormat.CURRENT + ".tmp");
        Files.deleteIfExists(tmp);
        writeDurably(tmp, ManifestFormat.encodeCurrent(directory.getFileName().toString()));
        hook.before(Step.RENAME_CURRENT);
        Files.move(tmp, root.resolve(ManifestFormat.CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        StoreDirectory.fsync(root);
        committed = true;
        hook.before(Step.DELETE_OLD);
        String current = directory.getFileName().toString();
        for (String g : StoreDirectory.generations(root)) {
            if (!g.equals(current)) {
                StoreDirectory.deleteTree(root.resolve(g));
            }
        }
        return StoreDirectory.openCurrent(root);
    }

    private static void writeDurably(Path file, String text) throws IOException {
        FileWrites.writeString(file, text);
        StoreDirectory.fsync(file);
    }

    /** Releases the root's lock; if not committed, deletes the unpublished generation. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        boolean removeRoot = false;
        try {
            StoreDirectory.deleteTree(root.resolve(directory.getFileName() + StoreDirectory.SCRATCH_SUFFIX));
            if (!committed) {
                StoreDirectory.deleteTree(directory);
                if (createdRoot && !StoreDirectory.isPublished(root)) {
                    // Unlinked while still held: a publisher that opens LOCK from now on creates a new one, and
                    // then the root is no longer empty and stays.
                    Files.deleteIfExists(root.resolve(StoreDirectory.LOCK));
                    removeRoot = true;
                }
            }
        } finally {
            lock.close();
        }
        if (removeRoot) {
            try {
                Files.deleteIfExists(root);
            } catch (DirectoryNotEmptyException e) {
                // another publisher or a user file arrived meanwhile: leave the directory to them
            }
        }
    }
}
