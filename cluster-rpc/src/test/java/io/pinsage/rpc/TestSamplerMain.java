package io.pinsage.rpc;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A sampler process for {@link SamplerProcessTest}: serves {@link TestBatches} of
 * {@link RemoteMiniBatchSourceTest#SCHEDULE} on a free loopback port, prints {@code port N} once it listens, and runs
 * until it is killed.
 *
 * <p>Arguments: the secret file, and milliseconds to sleep per batch (so that batches are outstanding when it dies).
 */
public final class TestSamplerMain {

    private TestSamplerMain() {
    }

    public static void main(String[] args) throws Exception {
        SharedSecret secret = SharedSecret.read(Path.of(args[0]));
        long sleepMillis = Long.parseLong(args[1]);
        TestBatches batches = new TestBatches(RemoteMiniBatchSourceTest.SCHEDULE);
        BatchProducer slow = (epoch, index) -> {
            Thread.sleep(sleepMillis);
            return batches.build(epoch, index);
        };
        SamplerServer server = new SamplerServer(new InetSocketAddress("127.0.0.1", 0), secret,
                RemoteMiniBatchSourceTest.FINGERPRINT, slow, 2, RemoteMiniBatchSourceTest.CONFIG).start();
        System.out.println("port " + server.address().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
