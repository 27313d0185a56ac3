package io.pinsage.engine.serve;

import io.pinsage.csr.EdgeLine;
import io.pinsage.csr.live.BadEdgeException;
import io.pinsage.csr.live.EdgeBatch;
import io.pinsage.csr.live.SourcePosition;
import io.pinsage.engine.api.PinSageEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Follows an edge file as it grows and adds its lines to a live {@link PinSageEngine} through
 * {@link PinSageEngine#addEdges}, the ingest path of {@code POST /v1/edges}.
 *
 * <p>Lines: {@code pin<TAB>board[<TAB>weight][<TAB>timestamp]}, the TSV edge list that {@code ingest --format tsv}
 * reads, parsed by the same {@link EdgeLine} (ids as the store's id maps know them, or new; weight positive and
 * finite, default 1; timestamp an integer, not stored); blank lines and lines starting with {@code #} are skipped. Complete lines only: a last line without its newline is left until its
 * newline arrives. The lines read at once (up to {@value #CHUNK_BYTES} bytes) go as one batch.
 *
 * <p>Malformed lines are skipped, each reported (SLF4J, warning) as {@code file:line: the line: what is wrong} and
 * counted ({@link #skippedLines()}, {@link #lastSkipped()}); an edge the live graph refuses (an id that cannot be one
 * of its side) is taken out of its batch the same way. A line is never half-applied: it is one edge, in a batch
 * applied whole or not at all. The follower stops, keeping the reason ({@link #failure()}), when the file shrinks
 * below the position read (truncated or replaced), a line exceeds {@value #CHUNK_BYTES} bytes, or the engine refuses
 * a batch as a whole (closed, full) or cannot log it.
 *
 * <p>Position, exactly once: each batch carries the byte offset and line number it reaches, with the followed file's
 * path ({@link SourcePosition}), into the edge log's record of its edges, so the position becomes durable with the
 * batch, in one record; a compaction that cuts the log keeps the last one ({@link PinSageEngine#liveSourcePosition}).
 * After each batch the position is also written to {@code positionFile} (with the path) atomically (a new file forced
 * and renamed over it): the only record of lines that added no edge (comments, malformed lines). A restart resumes
 * from the later of the two, so a crash at any moment, even between a batch's acknowledgement and that write, loses
 * no line and adds none twice. An engine without an edge log keeps its edges in memory only: the position file then
 * says how far a run read, not what the graph holds.
 *
 * <p>Threading: one thread of the caller's factory reads, polling the file's size every {@code poll} when idle; the
 * accessors and {@link #close()} from any thread.
 */
public final class EdgeFileFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeFileFollower.class);
    /** Bytes read and applied at once: one batch. */
    static final int CHUNK_BYTES = 1 << 20;
    private static final String POSITION_HEADER = "pinsage edge-file position 1";

    /** How far the follower has applied: the byte offset of the next line, and that line's number (from 1). */
    public record Position(long offset, long line) {
    }

    private final PinSageEngine engine;
    private final Path file;
    private final Path positionFile;
    private final long pollMillis;
    private final Thread thread;
    private volatile Position position;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile long appliedLines;
    private volatile long skippedLines;
    private volatile String lastSkipped;
    /** Polls finished (written by the follower's thread only). */
    private volatile long polls;

    private EdgeFileFollower(PinSageEngine engine, Path file, Path positionFile, Duration poll, Position start,
                             ThreadFactory threads) {
        this.engine = engine;
        this.file = file;
        this.positionFile = positionFile;
        this.pollMillis = Math.max(1, poll.toMillis());
        this.position = start;
        this.thread = threads.newThread(this::run);
    }

    /**
     * Starts following {@code file} (which may not exist yet) from the later of the position kept in
     * {@code positionFile} and the last one the engine's edge log holds for it, or from its start when there is none.
     *
     * @throws IllegalArgumentException {@code positionFile} belongs to another followed file, or is not a position file
     * @throws IllegalStateException    the engine was opened without live edges
     * @throws IOException              {@code positionFile} cannot be read
     */
    public static EdgeFileFollower start(PinSageEngine engine, Path file, Path positionFile, Duration poll,
                                         ThreadFactory threads) throws IOException {
        Objects.requireNonNull(engine, "engine");
        if (!engine.hasLiveEdges()) {
            throw new IllegalStateException("the engine was opened without live edges: nothing to follow into");
        }
        Path followed = file.toAbsolutePath().normalize();
        Position start = readPosition(positionFile, followed);
        Optional<SourcePosition> logged = engine.liveSourcePosition(followed.toString());
        if (logged.isPresent() && logged.get().offset() > start.offset()) {
            // the process died after a batch was logged and before the position file caught up with it
            LOG.info("resuming {} at byte {} (line {}) as the edge log says; the position file said byte {}", followed,
                    logged.get().offset(), logged.get().line(), start.offset());
            start = new Position(logged.get().offset(), logged.get().line());
        }
        EdgeFileFollower f = new EdgeFileFollower(engine, followed, positionFile, poll, start, threads);
        f.thread.start();
        return f;
    }

    private static Position readPosition(Path positionFile, Path followed) throws IOException {
        if (!Files.exists(positionFile)) {
            return new Position(0, 1);
        }
        List<String> lines = Files.readAllLines(positionFile, StandardCharsets.UTF_8);
        try {
            if (lines.size() != 3 || !lines.get(0).equals(POSITION_HEADER)) {
                throw new IllegalArgumentException("expected 3 lines starting with '" + POSITION_HEADER + "'");
            }
            if (!lines.get(1).equals(followed.toString())) {
                throw new IllegalArgumentException("it is the position in " + lines.get(1) + ", not in " + followed
                        + ": remove it to follow " + followed + " from its start");
            }
            String[] f = lines.get(2).split(" ");
            if (f.length != 2) {
                throw new IllegalArgumentException("line 3: expected 'OFFSET LINE', found '" + lines.get(2) + "'");
            }
            Position p = new Position(Long.parseLong(f[0]), Long.parseLong(f[1]));
            if (p.offset() < 0 || p.line() < 1) {
                throw new IllegalArgumentException("line 3: expected 'OFFSET LINE', found '" + lines.get(2) + "'");
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(positionFile + ": line 3: expected 'OFFSET LINE': " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(positionFile + ": " + e.getMessage(), e);
        }
    }

    /** The position applied and kept so far. */
    public Position position() {
        return position;
    }

    /** The followed file (absolute). */
    public Path file() {
        return file;
    }

    /** Lines applied as edges since the start. */
    public long appliedLines() {
        return appliedLines;
    }

    /** Lines skipped as malformed or refused since the start. */
    public long skippedLines() {
        return skippedLines;
    }

    /** The last skipped line's report, {@code file:line: the line: what is wrong}. */
    public Optional<String> lastSkipped() {
        return Optional.ofNullable(lastSkipped);
    }

    /** Polls of the file finished so far; one that starts after a call to this has finished once it passes by 2. */
    long polls() {
        return polls;
    }

    /** Why the follower stopped, if it stopped by itself. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Whether it is still following. */
    public boolean running() {
        return thread.isAlive();
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
        try {
            while (!closed) {
                boolean read = step(buffer);
                polls++;
                if (!read) {
                    // parked, not slept: close() unparks it, and never interrupts a batch being added or its position
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pollMillis));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                failure = e;
                LOG.error("stopped following {} at byte {} (line {}): {}", file, position.offset(), position.line(), e.toString());
            }
        }
    }

    /** Reads and applies the complete lines after the position; false if there were none. */
    private boolean step(ByteBuffer buffer) throws IOException {
        Position at = position;
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (size < at.offset()) {
            throw new IOException(file + " holds " + size + " bytes, fewer than the " + at.offset()
                    + " already followed: truncated or replaced; the lines up to there are in the graph, and the edge log keeps"
                    + " the position: follow the new content under another path");
        }
        if (size == at.offset()) {
            return false;
        }
        buffer.clear().limit((int) Math.min(CHUNK_BYTES, size - at.offset()));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining() && ch.read(buffer, at.offset() + buffer.position()) > 0) {
                // reads until the chunk is full or the file ends
            }
        }
        byte[] bytes = Arrays.copyOf(buffer.array(), buffer.position());
        int end = lastNewline(bytes);
        if (end < 0) {
            if (bytes.length == CHUNK_BYTES) {
                throw new IOException(file + ":" + at.line() + ": a line longer than " + CHUNK_BYTES + " bytes");
            }
            return false; // the last line's newline has not arrived yet
        }
        EdgeBatch batch = new EdgeBatch();
        EdgeLine lines = new EdgeLine('\t', "pin", "board");
        long[] lineOf = new long[16];
        long line = at.line();
        int from = 0;
        while (from <= end) {
            int nl = indexOf(bytes, from, end);
            String text = new String(bytes, from, nl - from, StandardCharsets.UTF_8);
            if (!text.isBlank() && text.charAt(0) != '#') {
                String problem = parse(text, lines, batch);
                if (problem != null) {
                    skip(line, text, problem);
                } else {
                    if (lineOf.length < batch.size()) {
                        lineOf = Arrays.copyOf(lineOf, lineOf.length * 2);
                    }
                    lineOf[batch.size() - 1] = line;
                }
            }
            line++;
            from = nl + 1;
        }
        Position next = new Position(at.offset() + end + 1, line);
        batch.source(new SourcePosition(file.toString(), next.offset(), next.line()));
        apply(batch, lineOf);
        keep(next);
        position = next;
        return true;
    }

    /** Adds the batch through the engine; an edge it refuses is reported with its line and the rest retried. */
    private void apply(EdgeBatch batch, long[] lineOf) throws IOException {
        while (batch.size() > 0) {
            try {
                engine.addEdges(batch);
                appliedLines += batch.size();
                return;
            } catch (BadEdgeException e) {
                int bad = e.edge();
                skip(lineOf[bad], "", e.getMessage().substring(e.getMessage().indexOf(':') + 2));
                batch.remove(bad);
                System.arraycopy(lineOf, bad + 1, lineOf, bad, batch.size() - bad);
            }
        }
    }

    /**
     * Parses one line into {@code batch} with {@code parser} (TAB-separated, pin then board); returns what is wrong
     * with it instead (nothing added).
     */
    static String parse(String text, EdgeLine parser, EdgeBatch batch) {
        String problem = parser.parse(text, true);
        if (problem == null) {
            batch.add(parser.left(), parser.right(), parser.weight());
        }
        return problem;
    }

    private void skip(long line, String text, String problem) {
        String report = file + ":" + line + ": " + (text.isEmpty() ? "" : "'" + EdgeLine.abbreviate(text) + "': ") + problem
                + "; skipped";
        skippedLines++;
        lastSkipped = report;
        LOG.warn(report);
    }

    private static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return end;
    }

    /** Writes {@code p} to the position file: a new file, forced, renamed over the old one. */
    private void keep(Position p) throws IOException {
        Path tmp = positionFile.resolveSibling(positionFile.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap((POSITION_HEADER + "\n" + file + "\n" + p.offset() + " " + p.line() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, positionFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path dir = positionFile.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Stops following and waits for the thread; the position kept is that of the last applied batch. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        LockSupport.unpark(thread);
        thread.join();
    }
}
