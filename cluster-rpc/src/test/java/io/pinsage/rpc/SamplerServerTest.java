package io.pinsage.rpc;

import io.netty.buffer.ByteBuf;
import io.pinsage.nn.batch.BatchSchedule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SamplerServerTest {

    static {
        LeakRecorder.install();
    }

    private final LoopbackCluster cluster = new LoopbackCluster();

    @AfterEach
    void closeAndCheckLeaks() throws Exception {
        cluster.close();
    }

    @Test
    void shouldCloseConnectionsBeyondTheUnadmittedBoundAndAcceptAgainOnceOneLeaves() throws Exception {
        SamplerServer server = cluster.track(new SamplerServer(RemoteSamplers.parseAddress("127.0.0.1:0"),
                HandshakeTest.SECRET, RemoteMiniBatchSourceTest.FINGERPRINT,
                new TestBatches(new BatchSchedule(10, 5, 1)), 1, RemoteMiniBatchSourceTest.CONFIG.withMaxUnadmitted(2)))
                .start();
        int port = server.address().getPort();
        try (Socket first = new Socket("127.0.0.1", port); Socket second = new Socket("127.0.0.1", port);
             Socket third = new Socket("127.0.0.1", port)) {
            assertTrue(closedByPeer(third), "a third silent connection is closed on arrival");
            first.close();
            // The sampler sees the first one leave asynchronously: try, boundedly, until a newcomer is served.
            boolean served = false;
            for (int attempt = 0; attempt < 100 && !served; attempt++) {
                try (Socket next = new Socket("127.0.0.1", port)) {
                    served = answersHello(next);
                }
                if (!served) {
                    Thread.sleep(20);
                }
            }
            assertTrue(served, "a connection is served again once one has left the handshake");
            assertTrue(second.isConnected());
        }
    }

    private static boolean closedByPeer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Sends a HELLO and reads the sampler's answer: a CHALLENGE frame of two tokens. */
    private static boolean answersHello(Socket s) throws IOException {
        ByteBuf hello = FrameCodecTest.encode(Frames.tokens(FrameDescriptor.Type.HELLO, SharedSecret.nonce()));
        byte[] bytes = new byte[hello.readableBytes()];
        hello.readBytes(bytes);
        hello.release();
        s.getOutputStream().write(bytes);
        InputStream in = s.getInputStream();
        byte[] header = in.readNBytes(FrameDescriptor.HEADER_LENGTH);
        if (header.length < FrameDescriptor.HEADER_LENGTH) {
            return false;
        }
        assertEquals(FrameDescriptor.Type.CHALLENGE.code, header[FrameDescriptor.TYPE_OFFSET]);
        return in.readNBytes(2 * FrameDescriptor.TOKEN_LENGTH).length == 2 * FrameDescriptor.TOKEN_LENGTH;
    }
}
