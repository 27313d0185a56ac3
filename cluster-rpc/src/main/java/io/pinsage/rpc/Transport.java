package io.pinsage.rpc;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Which Netty transport carries the sockets: native epoll where it loads (Linux x86-64 with the native jar), NIO
 * elsewhere. Probed once, when this class loads; {@code -Dpinsage.rpc.epoll=false} forces NIO, and
 * {@link #unavailabilityCause()} keeps why epoll is not used.
 *
 * <p>Thread-safe.
 */
public final class Transport {

    private static final boolean EPOLL;
    private static final Throwable CAUSE;

    static {
        if (!Boolean.parseBoolean(System.getProperty("pinsage.rpc.epoll", "true"))) {
            EPOLL = false;
            CAUSE = new UnsupportedOperationException("disabled by -Dpinsage.rpc.epoll=false");
        } else {
            EPOLL = Epoll.isAvailable();
            CAUSE = EPOLL ? null : Epoll.unavailabilityCause();
        }
    }

    private Transport() {
    }

    /** Whether sockets use native epoll. */
    public static boolean epoll() {
        return EPOLL;
    }

    /** Why epoll is not used, or null when it is. */
    public static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /** "epoll" or "nio", for log lines. */
    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    /** A group of {@code threads} event loops with daemon threads named {@code name-N}; the caller shuts it down. */
    static EventLoopGroup group(int threads, String name) {
        IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    static Class<? extends SocketChannel> socketChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    static Class<? extends ServerSocketChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
