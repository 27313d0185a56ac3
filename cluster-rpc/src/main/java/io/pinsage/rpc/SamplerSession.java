package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.pinsage.nn.batch.MiniBatch;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Serves one admitted trainer connection: builds each requested batch on the sampler's build threads, and sends it
 * when the trainer has granted a credit for it. A request that the trainer's credits do not cover is a protocol
 * error, so a sampler never holds more built batches than the trainer's prefetch allows. The sampler's own
 * {@link RpcConfig#prefetch()} bounds how many of one trainer's batches are being built or wait to be sent at once;
 * requests beyond it wait, the lowest epoch and index first (a batch reassigned from a lost sampler is the one the
 * trainer waits for).
 *
 * <p>Threading: the counters and the ready queue belong to the channel's event loop; builds run on the build
 * executor and hand their encoded frame back to the event loop. When the connection closes, requests not yet started
 * are skipped and frames built for it are released.
 *
 * <p>Ownership: an encoded batch is a direct buffer owned by the session until it is written.
 */
final class SamplerSession extends SimpleChannelInboundHandler<Frame> {

    private static final System.Logger LOG = System.getLogger(SamplerSession.class.getName());

    private final BatchProducer producer;
    private final Executor builders;
    private final RpcConfig config;
    private final ArrayDeque<Frame> ready = new ArrayDeque<>();
    /** Requested and not yet handed to a build thread, as epoch << 32 | index. */
    private final PriorityQueue<Long> waiting = new PriorityQueue<>();
    private ChannelHandlerContext ctx;
    private int credits;
    /** Requested and not yet answered (waiting, building, or built and waiting for credit). */
    private int outstanding;
    /** Handed to a build thread and not yet sent: at most the prefetch depth. */
    private int building;
    private volatile boolean closed;

    SamplerSession(BatchProducer producer, Executor builders, RpcConfig config) {
        this.producer = producer;
        this.builders = builders;
        this.config = config;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.pipeline().addBefore(ctx.name(), "idle", new IdleStateHandler(config.heartbeatTimeout().toNanos(),
                config.heartbeatInterval().toNanos(), 0, TimeUnit.NANOSECONDS));
        LOG.log(System.Logger.Level.INFO, "trainer " + ctx.channel().remoteAddress() + " admitted");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (frame.type()) {
            case REQUEST -> {
                if (frame.content().readableBytes() != 8) {
                    protocolError("malformed " + frame);
                    return;
                }
                int epoch = Frames.intAt(frame, 0);
                int index = Frames.intAt(frame, 1);
                if (++outstanding > credits) {
                    protocolError("batch " + index + " requested beyond the credits left: " + outstanding + " outstanding, "
                            + credits + " credits");
                    return;
                }
                waiting.add((long) epoch << 32 | (index & 0xFFFF_FFFFL));
                startBuilds();
            }
            case CREDIT -> {
                int n = frame.content().readableBytes() == 4 ? Frames.intAt(frame, 0) : -1;
                if (n < 1 || credits + (long) n > Integer.MAX_VALUE) {
                    protocolError("malformed " + frame);
                    return;
                }
                credits += n;
                sendReady();
            }
            case HEARTBEAT -> {
            }
            case ERROR -> {
                LOG.log(System.Logger.Level.WARNING, "trainer " + ctx.channel().remoteAddress() + " ended the connection: "
                        + Frames.text(frame.content(), 0));
                ctx.close();
            }
            default -> protocolError("unexpected " + frame);
        }
    }

    private void startBuilds() {
        while (building < config.prefetch() && !waiting.isEmpty()) {
            long next = waiting.poll();
            building++;
            submit((int) (next >>> 32), (int) next);
        }
    }

    private void submit(int epoch, int index) {
        try {
            builders.execute(() -> {
                if (closed) {
                    return;
                }
                Frame built = build(epoch, index);
                try {
                    ctx.executor().execute(() -> onBuilt(built));
                } catch (RejectedExecutionException e) {
                    built.release();
                }
            });
        } catch (RejectedExecutionException e) {
            // The server is shutting down: the trainer sees the connection close and reassigns.
            ctx.close();
        }
    }

    /** Runs on a build thread. */
    private Frame build(int epoch, int index) {
        try {
            MiniBatch batch = producer.build(epoch, index);
            if (batch.epoch() != epoch || batch.index() != index) {
                throw new IllegalStateException("the producer returned batch " + batch.index() + " of epoch "
                        + batch.epoch() + " when asked for batch " + index + " of epoch " + epoch);
            }
            ByteBuf body = MiniBatchCodec.encode(ctx.alloc(), batch, 0,
                    config.maxFrameBytes() - FrameDescriptor.HEADER_LENGTH);
            return new Frame(FrameDescriptor.Type.BATCH, body);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "building batch " + index + " of epoch " + epoch + " failed", t);
            return Frames.failed(epoch, index, String.valueOf(t));
        }
    }

    private void onBuilt(Frame frame) {
        if (closed) {
            frame.release();
            return;
        }
        ready.add(frame);
        sendReady();
    }

    private void sendReady() {
        boolean wrote = false;
        while (!ready.isEmpty() && (credits > 0 || ready.peek().type() == FrameDescriptor.Type.FAILED)) {
            Frame frame = ready.poll();
            outstanding--;
            building--;
            if (frame.type() == FrameDescriptor.Type.BATCH) {
                credits--;
                // The backlog is known only now, when the batch leaves; the trainer reads it as Flink's receivers do.
                frame.content().setIntLE(frame.content().readerIndex(), outstanding);
            }
            ctx.write(frame);
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
            startBuilds();
        }
    }

    private void protocolError(String reason) {
        LOG.log(System.Logger.Level.WARNING, "closing connection from " + ctx.channel().remoteAddress() + ": " + reason);
        ctx.writeAndFlush(Frames.error(reason)).addListener(f -> ctx.close());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(Frame.empty(FrameDescriptor.Type.HEARTBEAT));
            } else if (idle.state() == IdleState.READER_IDLE) {
                LOG.log(System.Logger.Level.WARNING, "closing connection from " + ctx.channel().remoteAddress()
                        + ": nothing heard for " + config.heartbeatTimeout());
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        for (Frame f : ready) {
            f.release();
        }
        ready.clear();
        LOG.log(System.Logger.Level.INFO, "trainer " + ctx.channel().remoteAddress() + " disconnected");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        protocolError(String.valueOf(cause.getMessage()));
    }
}
