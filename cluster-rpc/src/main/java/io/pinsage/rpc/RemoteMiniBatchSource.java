package io.pinsage.rpc;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
import io.pinsage.nn.model.ComputationGraphBuilder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One epoch's batches, built by remote samplers ({@link SamplerServer}) and taken by the trainer in order.
 *
 * <p><b>Assignment and credits.</b> Opening connects to every sampler, authenticates both ways and compares
 * fingerprints; then each admitted sampler is granted {@code prefetch} credits. Batches are assigned in index order,
 * each to the live sampler with the most unused credit, and a sampler never has more batches assigned than credits
 * left, so it never builds or sends what this end has no room for. Taking a batch frees its buffer and gives its
 * sampler one credit back; at most {@code samplers × prefetch} batches are ever held here.
 *
 * <p><b>Failures.</b> A sampler is lost when its connection closes, when nothing (not even a heartbeat) has come from
 * it for {@code heartbeatTimeout}, or when it has had outstanding batches and delivered none for
 * {@code stallTimeout}; its connection is then closed, so nothing more is read from it, and its outstanding batches
 * are assigned at once to the live samplers, each with one extra credit (the lost sampler's room moves with them).
 * Every batch is therefore delivered once, and {@link #take} hands them out in order. When no sampler is left while
 * batches are still to come, {@link #take} throws instead of waiting. A batch a sampler failed to build (its producer
 * threw) is not retried elsewhere: the failure would repeat; {@link #take} throws it with the sampler's reason.
 *
 * <p><b>Threads.</b> All connection state lives on one event loop of the {@link RemoteSamplers} that opened the
 * source. The loop counts a batch as received by its header (epoch and index, checked against the assignment and the
 * credits) and hands its frame to the decode threads, which decode it and gather its layer-0 inputs (so the trainer's
 * thread takes a batch ready to train on) in parallel, and hand the batch back to the loop; a batch that does not
 * decode loses its sampler, as any corrupt frame does, and is built again elsewhere. {@link #take} and
 * {@link #close} run on the trainer's thread and meet the loop through a lock-guarded map of delivered batches.
 */
public final class RemoteMiniBatchSource implements MiniBatchSource {

    private static final System.Logger LOG = System.getLogger(RemoteMiniBatchSource.class.getName());

    private final int epoch;
    private final int batches;
    private final ComputationGraphBuilder.NodeInputs inputs;
    private final int nodes;
    private final RpcConfig config;
    private final EventLoop loop;
    private final Executor decoders;
    private final Consumer<RemoteMiniBatchSource> onClose;
    private final List<Link> links = new ArrayList<>();

    // Event-loop state.
    private int nextToAssign;
    private final Map<Integer, Link> deliveredBy = new HashMap<>();
    private boolean started;
    private boolean closing;
    private ScheduledFuture<?> stallCheck;

    // Shared with the trainer's thread, under lock.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Map<Integer, Object> delivered = new HashMap<>();
    private RuntimeException fatal;

    // Trainer's thread only.
    private int next;
    private boolean closed;

    RemoteMiniBatchSource(List<InetSocketAddress> samplers, SharedSecret secret, byte[] fingerprintDigest, int batches,
                          ComputationGraphBuilder.NodeInputs inputs, int nodes, RpcConfig config, List<SslContext> tls,
                          EventLoop loop, Executor decoders, int epoch, int fromBatch,
                          Consumer<RemoteMiniBatchSource> onClose) {
        if (epoch < 0 || fromBatch < 0 || fromBatch > batches) {
            throw new IllegalArgumentException("epoch=" + epoch + " fromBatch=" + fromBatch + ": must be >= 0, fromBatch <= "
                    + batches);
        }
        this.epoch = epoch;
        this.batches = batches;
        this.inputs = inputs;
        this.nodes = nodes;
        this.config = config;
        this.loop = loop;
        this.decoders = decoders;
        this.onClose = onClose;
        this.next = fromBatch;
        this.nextToAssign = fromBatch;
        List<Promise<Void>> admissions = new ArrayList<>();
        List<Link> candidates = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.handshakeTimeout().toMillis()));
        for (int s = 0; s < samplers.size(); s++) {
            InetSocketAddress address = samplers.get(s);
            SslContext context = tls.get(s);
            Link link = new Link(address);
            Promise<Void> admitted = loop.newPromise();
            ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (context != null) {
                        ch.pipeline().addLast("tls", context.newHandler(ch.alloc(), address.getHostString(),
                                address.getPort()));
                    }
                    ch.pipeline().addLast("frames", new FrameDecoder())
                            .addLast("encoder", new FrameEncoder())
                            .addLast("handshake", new ClientHandshake(secret, fingerprintDigest, config, link, admitted));
                }
            }).connect(address);
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    admitted.tryFailure(f.cause());
                }
            });
            channels.add(connect.channel());
            candidates.add(link);
            admissions.add(admitted);
        }
        StringBuilder unreachable = new StringBuilder();
        for (int i = 0; i < candidates.size(); i++) {
            Promise<Void> admitted = admissions.get(i);
            Link link = candidates.get(i);
            Channel channel = channels.get(i);
            if (!admitted.awaitUninterruptibly(2 * config.handshakeTimeout().toMillis())) {
                admitted.tryFailure(new IllegalStateException("no answer within " + config.handshakeTimeout()));
            }
            if (admitted.isSuccess()) {
                links.add(link);
            } else if (admitted.cause() instanceof ClientHandshake.RefusedException refused) {
                for (Channel c : channels) {
                    c.close().awaitUninterruptibly();
                }
                throw new IllegalStateException("sampler " + link.address + ": " + refused.getMessage());
            } else {
                LOG.log(System.Logger.Level.WARNING, "sampler " + link.address + " unreachable: " + admitted.cause());
                unreachable.append(unreachable.isEmpty() ? "" : "; ").append(link.address).append(": ")
                        .append(admitted.cause().getMessage());
                channel.close();
            }
        }
        if (links.isEmpty() && fromBatch < batches) {
            throw new IllegalStateException("no sampler reachable (" + unreachable + ")");
        }
        loop.execute(this::start);
    }

    private void start() {
        started = true;
        if (closing) {
            return;
        }
        for (Link l : links) {
            if (l.alive) {
                l.grant(config.prefetch());
            }
        }
        assign();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), config.stallTimeout().toNanos() / 4);
        stallCheck = loop.scheduleAtFixedRate(this::checkStalls, period, period, TimeUnit.NANOSECONDS);
        failIfStranded();
    }

    /** Assigns unassigned batches, in order, while a live sampler has credit for one more. */
    private void assign() {
        while (nextToAssign < batches) {
            Link best = null;
            for (Link l : links) {
                if (l.alive && l.free() > 0 && (best == null || l.free() > best.free())) {
                    best = l;
                }
            }
            if (best == null) {
                return;
            }
            best.request(nextToAssign++);
        }
    }

    private Link leastLoaded() {
        Link best = null;
        for (Link l : links) {
            if (l.alive && (best == null || l.outstanding.size() < best.outstanding.size())) {
                best = l;
            }
        }
        return best;
    }

    private void lost(Link link, String reason) {
        if (!link.alive) {
            return;
        }
        link.alive = false;
        link.channel.close();
        if (closing) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "sampler " + link.address + " lost (" + reason + "); reassigning batches "
                + link.outstanding.keySet() + " of epoch " + epoch);
        if (!started) {
            return;
        }
        reassign(link.outstanding.navigableKeySet(), link, reason);
        link.outstanding.clear();
    }

    /** Assigns {@code indices}, lost with sampler {@code from}, to the live samplers, each with one extra credit. */
    private void reassign(NavigableSet<Integer> indices, Link from, String reason) {
        for (int index : indices) {
            Link to = leastLoaded();
            if (to == null) {
                break;
            }
            to.grant(1);
            to.request(index);
        }
        if (leastLoaded() == null && (!indices.isEmpty() || nextToAssign < batches)) {
            fail(new IllegalStateException("every sampler of epoch " + epoch + " is lost (the last: " + from.address
                    + ", " + reason + "); batches from " + (indices.isEmpty() ? nextToAssign : indices.first())
                    + " on will not be built"));
        }
    }

    /**
     * On the loop: decodes batch {@code index}, received from {@code from}, on a decode thread, which releases the
     * frame and hands the batch (or why it did not decode) back to the loop.
     */
    private void decode(Link from, int index, Frame frame) {
        try {
            decoders.execute(() -> {
                Object result;
                try {
                    result = MiniBatchCodec.decode(frame.content(), inputs, nodes);
                } catch (Throwable t) {
                    // Whatever stops a decode, an Error included, must come back: nothing else would deliver it.
                    result = t;
                } finally {
                    frame.release();
                }
                Object decoded = result;
                try {
                    loop.execute(() -> decoded(from, index, decoded));
                } catch (RejectedExecutionException e) {
                    // The samplers object was closed: nobody takes the batch any more.
                }
            });
        } catch (RejectedExecutionException e) {
            frame.release();
        }
    }

    /** On the loop: a decoded batch is delivered; one that did not decode loses its sampler and is built again. */
    private void decoded(Link from, int index, Object result) {
        if (closing) {
            return;
        }
        if (result instanceof MiniBatch batch) {
            deliveredBy.put(index, from);
            deliver(index, batch);
        } else if (from.alive) {
            from.outstanding.put(index, Boolean.TRUE);
            lost(from, String.valueOf(((Throwable) result).getMessage()));
        } else {
            reassign(new TreeSet<>(Set.of(index)), from, String.valueOf(((Throwable) result).getMessage()));
        }
    }

    private void failIfStranded() {
        if (leastLoaded() == null && nextToAssign < batches) {
            fail(new IllegalStateException("every sampler of epoch " + epoch + " is lost; batches from " + nextToAssign
                    + " on will not be built"));
        }
    }

    private void checkStalls() {
        long now = System.nanoTime();
        for (Link l : links) {
            if (l.alive && !l.outstanding.isEmpty() && now - l.lastProgress > config.stallTimeout().toNanos()) {
                lost(l, "stalled: none of batches " + l.outstanding.keySet() + " delivered within "
                        + config.stallTimeout());
            }
        }
    }

    private void deliver(int index, Object batchOrFailure) {
        lock.lock();
        try {
            delivered.put(index, batchOrFailure);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void fail(RuntimeException e) {
        lock.lock();
        try {
            if (fatal == null) {
                fatal = e;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** On the loop, after the trainer took {@code index}: its buffer is free, so its sampler gets the credit back. */
    private void taken(int index) {
        Link from = deliveredBy.remove(index);
        if (from != null && from.alive && !closing) {
            from.grant(1);
            assign();
        }
    }

    @Override
    public MiniBatch take(int epoch, int index) {
        if (closed || epoch != this.epoch || index != next || index >= batches) {
            throw new IllegalStateException("batch " + index + " of epoch " + epoch + " asked for; this source serves"
                    + " batch " + next + " of epoch " + this.epoch + " next, of " + batches
                    + (closed ? ", and is closed" : ""));
        }
        Object item;
        lock.lock();
        try {
            while ((item = delivered.remove(index)) == null) {
                if (fatal != null) {
                    throw fatal;
                }
                arrived.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for batch " + index + " of epoch " + epoch, e);
        } finally {
            lock.unlock();
        }
        next++;
        try {
            loop.execute(() -> taken(index));
        } catch (RejectedExecutionException e) {
            // The samplers object was closed: there is no sampler left to give the credit back to.
        }
        if (item instanceof RuntimeException failure) {
            throw failure;
        }
        return (MiniBatch) item;
    }

    /** Closes every connection; batches delivered and not taken are dropped. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.accept(this);
        closeConnections();
        lock.lock();
        try {
            delivered.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Closes every connection, from any thread but the loop's, and returns once they are closed. */
    private void closeConnections() {
        List<ChannelFuture> closes = new ArrayList<>();
        try {
            loop.submit(() -> {
                closing = true;
                if (stallCheck != null) {
                    stallCheck.cancel(false);
                }
                for (Link l : links) {
                    l.alive = false;
                    closes.add(l.channel.close());
                }
            }).awaitUninterruptibly();
        } catch (RejectedExecutionException e) {
            // The loop has shut down already, closing every channel as it did.
        }
        for (ChannelFuture f : closes) {
            f.awaitUninterruptibly();
        }
    }

    /** The samplers object is closing under an open source: a waiting {@link #take} must throw, not wait forever. */
    void abandon() {
        fail(new IllegalStateException("the samplers' connections were closed while epoch " + epoch + " was open"));
        closeConnections();
    }

    /** One admitted sampler: the handler of its connection after the handshake, and its assignment state. */
    private final class Link extends SimpleChannelInboundHandler<Frame> {

        /** {@code host:port} as given, for messages. */
        final String address;
        Channel channel;
        boolean alive;
        /** Credits granted minus batches received: what the sampler may still send. */
        int credits;
        /** Assigned batches not yet received, by index. */
        final TreeMap<Integer, Boolean> outstanding = new TreeMap<>();
        long lastProgress;

        Link(InetSocketAddress address) {
            this.address = address.getHostString() + ":" + address.getPort();
        }

        int free() {
            return credits - outstanding.size();
        }

        void grant(int n) {
            credits += n;
            channel.writeAndFlush(Frames.ints(channel.alloc(), FrameDescriptor.Type.CREDIT, n));
        }

        void request(int index) {
            if (outstanding.isEmpty()) {
                lastProgress = System.nanoTime();
            }
            outstanding.put(index, Boolean.TRUE);
            channel.writeAndFlush(Frames.ints(channel.alloc(), FrameDescriptor.Type.REQUEST, epoch, index));
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            alive = true;
            ctx.pipeline().addBefore(ctx.name(), "idle", new IdleStateHandler(config.heartbeatTimeout().toNanos(),
                    config.heartbeatInterval().toNanos(), 0, TimeUnit.NANOSECONDS));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (!alive) {
                return;
            }
            switch (frame.type()) {
                case BATCH -> {
                    int sentEpoch = MiniBatchCodec.epoch(frame.content());
                    int index = MiniBatchCodec.index(frame.content());
                    if (sentEpoch != epoch || !outstanding.containsKey(index) || credits < 1) {
                        lost(this, "sent batch " + index + " of epoch " + sentEpoch + " unasked or without credit");
                        return;
                    }
                    outstanding.remove(index);
                    credits--;
                    lastProgress = System.nanoTime();
                    // The decode thread owns this reference; the handler releases its own on return.
                    frame.retain();
                    decode(this, index, frame);
                }
                case FAILED -> {
                    int index = frame.content().readableBytes() >= 8 ? Frames.intAt(frame, 1) : -1;
                    if (outstanding.remove(index) == null) {
                        lost(this, "malformed or unasked " + frame);
                        return;
                    }
                    lastProgress = System.nanoTime();
                    deliver(index, new IllegalStateException("sampler " + address + " could not build batch " + index
                            + " of epoch " + epoch + ": " + Frames.text(frame.content(), 8)));
                }
                case HEARTBEAT -> {
                }
                case ERROR -> lost(this, "it reported: " + Frames.text(frame.content(), 0));
                default -> lost(this, "unexpected " + frame);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.WRITER_IDLE) {
                    ctx.writeAndFlush(Frame.empty(FrameDescriptor.Type.HEARTBEAT));
                } else if (idle.state() == IdleState.READER_IDLE) {
                    lost(this, "nothing heard for " + config.heartbeatTimeout());
                }
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            lost(this, "connection closed");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            lost(this, String.valueOf(cause.getMessage()));
        }
    }
}
