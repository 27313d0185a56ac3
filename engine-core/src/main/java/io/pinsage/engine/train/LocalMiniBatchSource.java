package io.pinsage.engine.train;

import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.nn.model.ComputationGraphBuilder;
import io.pinsage.rpc.BatchProducer;

import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Builds one epoch's minibatches on sampler threads of this process. Batch i is built by sampler {@code i mod S}
 * (from the epoch's first batch on) into that sampler's bounded queue, and taken from it in order; its pairs and the
 * seed of its draws come from the {@link BatchSchedule}, so the batches are the same whatever the number of samplers
 * or their timing.
 *
 * <p>Threading: the samplers start in the constructor, one thread each from the caller's {@link ThreadFactory} (or
 * daemon threads {@code pinsage-sampler-i}), and each builds with its own {@link MiniBatchBuilder}; they live until the
 * epoch's batches are built or the source is closed, so they are threads rather than an executor's tasks. They
 * block when their queue holds {@code queueCapacity} batches. Whatever ends a sampler early (any {@link Throwable},
 * an {@link Error} included) is put in its queue in place of the next batch and thrown by {@link #take} when that
 * batch is taken: a sampler that died silently would leave the trainer waiting forever. {@link #take} and
 * {@link #close} run on the trainer's thread; {@link #close} interrupts the samplers and waits for them.
 */
public final class LocalMiniBatchSource implements MiniBatchSource {

    private final int epoch;
    private final Thread[] threads;
    private final BlockingQueue<Object>[] queues;
    private int next;

    /**
     * Starts the samplers of batches {@code fromBatch ..} of {@code epoch}.
     *
     * @param queries   query node of each training pair (ids of the node inputs' node space)
     * @param positives positive node of each pair; both arrays are read, never written, by the samplers
     * @param hard      hard-negative source, or null for none; {@code config.hardNegativesIn(epoch)} per query
     */
    public LocalMiniBatchSource(BatchSchedule schedule, int layers, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs,
                                int[] queries, int[] positives, int negativeFrom, int negativeTo, HardNegatives hard,
                                TrainingConfig config, int epoch, int fromBatch) {
        this(schedule, layers, hood, inputs, queries, positives, negativeFrom, negativeTo, hard, config, epoch, fromBatch,
                Thread.ofPlatform().name("pinsage-sampler-", 0).daemon(true).factory());
    }

    /**
     * As above, the samplers on threads from {@code threadFactory}: it must return a new, unstarted thread (the
     * source starts it, interrupts it at {@link #close} and waits for it).
     */
    @SuppressWarnings("unchecked")
    public LocalMiniBatchSource(BatchSchedule schedule, int layers, ComputationGraphBuilder.Neighborhoods hood, NodeInputs inputs,
                                int[] queries, int[] positives, int negativeFrom, int negativeTo, HardNegatives hard,
                                TrainingConfig config, int epoch, int fromBatch, ThreadFactory threadFactory) {
        requireScheduled(schedule, queries, positives);
        this.epoch = epoch;
        this.next = fromBatch;
        int[] order = schedule.order(epoch);
        int hardPerQuery = config.hardNegativesIn(epoch);
        int batches = schedule.batches();
        int s = config.samplerThreads();
        threads = new Thread[s];
        queues = new BlockingQueue[s];
        for (int t = 0; t < s; t++) {
            int me = t;
            BlockingQueue<Object> q = new ArrayBlockingQueue<>(config.queueCapacity());
            queues[t] = q;
            threads[t] = threadFactory.newThread(() -> {
                // Whatever ends this thread early is handed to the trainer in place of the next batch: a thread
                // that died silently would leave the trainer waiting on its queue forever.
                try {
                    MiniBatchBuilder builder = new MiniBatchBuilder(layers, hood, inputs, negativeFrom, negativeTo,
                            config.sharedNegatives(), hard, config.leavePositivesOut());
                    for (int b = first(fromBatch, me, s); b < batches; b += s) {
                        q.put(build(builder, schedule, queries, positives, order, hardPerQuery, epoch, b, true));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Throwable failure) {
                    try {
                        q.put(failure);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            threads[t].start();
        }
    }

    /** The factory that {@link Trainer} opens once per epoch: a fresh set of samplers each time. */
    public static MiniBatchSource.Factory factory(BatchSchedule schedule, int layers, ComputationGraphBuilder.Neighborhoods hood,
                                                  NodeInputs inputs, int[] queries, int[] positives, int negativeFrom,
                                                  int negativeTo, HardNegatives hard, TrainingConfig config) {
        return (epoch, fromBatch) -> new LocalMiniBatchSource(schedule, layers, hood, inputs, queries, positives,
                negativeFrom, negativeTo, hard, config, epoch, fromBatch);
    }

    /**
     * The same batches built on demand, for a sampler that serves them ({@code io.pinsage.rpc.SamplerServer}), without
     * their layer-0 inputs, which the trainer gathers from its own ({@link MiniBatch#withInputs}): batch {@code index}
     * of {@code epoch}, so completed, is the batch this source's threads build, bit for bit, whoever asks for it and
     * in whatever order.
     *
     * <p>Threading: {@link BatchProducer#build} may be called from many threads at once; each thread gets its own
     * {@link MiniBatchBuilder} on its first call (scratch as large as a batch, kept while the thread lives), so a producer
     * belongs on a fixed set of threads, such as a sampler's build threads. The epoch's pair order is computed once
     * per epoch and shared (O(pairs)); a producer asked for two epochs in turn recomputes it at each change.
     *
     * @throws IllegalArgumentException if the pair arrays do not have the schedule's length
     */
    public static BatchProducer producer(BatchSchedule schedule, int layers, ComputationGraphBuilder.Neighborhoods hood,
                                         NodeInputs inputs, int[] queries, int[] positives, int negativeFrom,
                                         int negativeTo, HardNegatives hard, TrainingConfig config) {
        requireScheduled(schedule, queries, positives);
        ThreadLocal<MiniBatchBuilder> builders = ThreadLocal.withInitial(() -> new MiniBatchBuilder(layers, hood, inputs,
                negativeFrom, negativeTo, config.sharedNegatives(), hard, config.leavePositivesOut()));
        AtomicReference<EpochOrder> cached = new AtomicReference<>();
        return (epoch, index) -> {
            if (epoch < 0 || index < 0 || index >= schedule.batches()) {
                throw new IllegalArgumentException("epoch=" + epoch + " index=" + index + ": an epoch has batches 0.."
                        + (schedule.batches() - 1));
            }
            EpochOrder order = cached.get();
            if (order == null || order.epoch() != epoch) {
                order = new EpochOrder(epoch, schedule.order(epoch));
                cached.set(order);
            }
            return build(builders.get(), schedule, queries, positives, order.order(), config.hardNegativesIn(epoch), epoch,
                    index, false);
        };
    }

    /** An epoch's pair order, computed once for all the threads that build its batches. */
    private record EpochOrder(int epoch, int[] order) {
    }

    /**
     * Batch {@code b} of {@code epoch}: its pairs from the epoch's order, its draws from the schedule's batch seed; its
     * layer-0 inputs gathered or left to the trainer.
     */
    private static MiniBatch build(MiniBatchBuilder builder, BatchSchedule schedule, int[] queries, int[] positives,
                                   int[] order, int hardPerQuery, int epoch, int b, boolean withInputs) {
        SplittableRandom rnd = new SplittableRandom(schedule.batchSeed(epoch, b));
        return withInputs
                ? builder.build(queries, positives, order, schedule.from(b), schedule.to(b), hardPerQuery, rnd, epoch, b)
                : builder.buildWithoutInputs(queries, positives, order, schedule.from(b), schedule.to(b), hardPerQuery, rnd,
                epoch, b);
    }

    private static void requireScheduled(BatchSchedule schedule, int[] queries, int[] positives) {
        if (queries.length != schedule.pairs() || positives.length != schedule.pairs()) {
            throw new IllegalArgumentException("queries.length=" + queries.length + " positives.length=" + positives.length
                    + ": the schedule has pairs=" + schedule.pairs());
        }
    }

    private static int first(int fromBatch, int me, int s) {
        int r = Math.floorMod(me - fromBatch, s);
        return fromBatch + r;
    }

    @Override
    public MiniBatch take(int epoch, int index) {
        if (epoch != this.epoch || index != next) {
            throw new IllegalStateException("batch " + index + " of epoch " + epoch + " asked for; this source serves"
                    + " batch " + next + " of epoch " + this.epoch + " next");
        }
        try {
            Object item = queues[index % threads.length].take();
            next++;
            if (item instanceof RuntimeException e) {
                throw e;
            }
            if (item instanceof Error e) {
                throw e;
            }
            if (item instanceof Throwable t) {
                throw new IllegalStateException("building minibatch " + index + " failed", t);
            }
            MiniBatch batch = (MiniBatch) item;
            assert batch.index() == index : "batch " + batch.index() + " taken for " + index;
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a minibatch", e);
        }
    }

    @Override
    public void close() {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
