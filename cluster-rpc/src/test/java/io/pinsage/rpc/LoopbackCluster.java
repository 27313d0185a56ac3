package io.pinsage.rpc;

import java.util.ArrayList;
import java.util.List;

/** Samplers and trainers of one test on loopback ports; {@link #close} closes them in reverse order, then checks leaks. */
final class LoopbackCluster implements AutoCloseable {

    private final List<AutoCloseable> open = new ArrayList<>();

    <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    /** A started sampler on a free port, with the tests' secret and fingerprint and two build threads. */
    SamplerServer sampler(BatchProducer producer) {
        return track(new SamplerServer(RemoteSamplers.parseAddress("127.0.0.1:0"), HandshakeTest.SECRET,
                RemoteMiniBatchSourceTest.FINGERPRINT, producer, 2, RemoteMiniBatchSourceTest.CONFIG)).start();
    }

    @Override
    public void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        LeakRecorder.assertNoLeaks();
    }
}
