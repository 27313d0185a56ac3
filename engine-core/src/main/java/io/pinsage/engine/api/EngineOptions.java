package io.pinsage.engine.api;

import io.pinsage.csr.Residency;
import io.pinsage.csr.ResidencyPolicy;
import io.pinsage.csr.live.LogSync;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * How {@link PinSageEngine#open} opens a store. Build with {@link #builder()}; immutable and thread-safe.
 *
 * <ul>
 *   <li>{@code residency}: how the graph's adjacency is held; empty (the default) leaves it to
 *       {@link ResidencyPolicy#forStore} with {@code expectedWalkSteps}.</li>
 *   <li>{@code walkTable}: whether Pixie walks over a heap walk table when it takes at most a quarter of the free
 *       heap (default true; faster walks for 8 bytes per edge of heap).</li>
 *   <li>{@code executor}: where the {@code ...Async} calls run; empty (the default): a pool of {@code threads}
 *       daemon threads that the engine owns and stops at {@link PinSageEngine#close()}. A host's executor stays
 *       the host's: the engine never shuts it down.</li>
 *   <li>{@code threads}: the size of the engine's own pool (default: the processors).</li>
 *   <li>{@code model}: the model directory of an inductive model trained on the store, which
 *       {@link PinSageEngine#embedNewPin} embeds new pins with; empty (the default): new pins are refused.</li>
 *   <li>{@code liveEdges}: whether {@link PinSageEngine#addEdges} may add edges while the engine serves (default
 *       off: the store as built, and nothing written). On, recent edges go first to the write-ahead log
 *       {@code edgeLog} (replayed when the engine opens; empty: kept in memory only, lost with the process), forced
 *       to the device as {@code logSync} says, and Pixie walks the store's CSR plus those edges, never a walk table
 *       (a table describes one fixed graph).</li>
 *   <li>{@code compactEvery}: with live edges, once this many recent edges are visible a compaction
 *       ({@link PinSageEngine#compact}) starts in the background (default 0: only when asked); after a failed one,
 *       the next waits until this many more are visible.</li>
 * </ul>
 */
public final class EngineOptions {

    private final Residency residency;
    private final long expectedWalkSteps;
    private final boolean walkTable;
    private final Executor executor;
    private final int threads;
    private final Path model;
    private final boolean liveEdges;
    private final Path edgeLog;
    private final LogSync logSync;
    private final long compactEvery;

    private EngineOptions(Builder b) {
        this.model = b.model;
        this.residency = b.residency;
        this.expectedWalkSteps = b.expectedWalkSteps;
        this.walkTable = b.walkTable;
        this.executor = b.executor;
        this.threads = b.threads;
        this.liveEdges = b.liveEdges;
        this.edgeLog = b.edgeLog;
        this.logSync = b.logSync;
        this.compactEvery = b.compactEvery;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static EngineOptions defaults() {
        return builder().build();
    }

    public Optional<Residency> residency() {
        return Optional.ofNullable(residency);
    }

    public long expectedWalkSteps() {
        return expectedWalkSteps;
    }

    public boolean walkTable() {
        return walkTable;
    }

    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    public int threads() {
        return threads;
    }

    public Optional<Path> model() {
        return Optional.ofNullable(model);
    }

    public boolean liveEdges() {
        return liveEdges;
    }

    /** The write-ahead log of live edges; empty when they are kept in memory only (or off). */
    public Optional<Path> edgeLog() {
        return Optional.ofNullable(edgeLog);
    }

    /** When the log is forced to the device, which is when {@link PinSageEngine#addEdges} returns. */
    public LogSync logSync() {
        return logSync;
    }

    /** Recent edges that start a background compaction; 0 for none. */
    public long compactEvery() {
        return compactEvery;
    }

    /** Fills {@link EngineOptions}; not thread-safe. */
    public static final class Builder {
        private Residency residency;
        private long expectedWalkSteps = Long.MAX_VALUE;
        private boolean walkTable = true;
        private Executor executor;
        private int threads = Runtime.getRuntime().availableProcessors();
        private Path model;
        private boolean liveEdges;
        private Path edgeLog;
        private LogSync logSync = LogSync.eachBatch();
        private long compactEvery;

        private Builder() {
        }

        /** Holds the adjacency as {@code residency} says; {@code null}: decide from the store and the machine. */
        public Builder residency(Residency residency) {
            this.residency = residency;
            return this;
        }

        /**
         * The walk steps the host expects to take over the engine's life (default: many), for the automatic
         * residency: a copy of the adjacency pays only for long use.
         */
        public Builder expectedWalkSteps(long steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("expectedWalkSteps=" + steps + ": must be >= 0");
            }
            this.expectedWalkSteps = steps;
            return this;
        }

        /** Whether a walk table may be built when the heap has room for it. */
        public Builder walkTable(boolean allowed) {
            this.walkTable = allowed;
            return this;
        }

        /** Runs the {@code ...Async} calls on the host's {@code executor}; {@code null}: the engine's own pool. */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** Threads of the engine's own pool, at least 1. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads=" + threads + ": must be >= 1");
            }
            this.threads = threads;
            return this;
        }

        /** Embeds new pins with the model trained into {@code modelDir}; {@code null}: none. */
        public Builder model(Path modelDir) {
            this.model = modelDir;
            return this;
        }

        /**
         * Accepts edges while serving ({@link PinSageEngine#addEdges}), logged first to {@code edgeLog} (created if
         * missing, replayed if not) and forced as {@code sync} says; {@code edgeLog} null keeps them in memory only.
         */
        public Builder liveEdges(Path edgeLog, LogSync sync) {
            this.liveEdges = true;
            this.edgeLog = edgeLog;
            this.logSync = Objects.requireNonNull(sync, "sync");
            return this;
        }

        /**
         * With live edges, starts a compaction in the background whenever {@code recentEdges} or more recent edges are
         * visible (0: never by itself).
         *
         * @throws IllegalArgumentException {@code recentEdges < 0}
         */
        public Builder compactEvery(long recentEdges) {
            if (recentEdges < 0) {
                throw new IllegalArgumentException("compactEvery=" + recentEdges + ": must be >= 0");
            }
            this.compactEvery = recentEdges;
            return this;
        }

        public EngineOptions build() {
            return new EngineOptions(this);
        }
    }
}
