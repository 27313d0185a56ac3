package io.pinsage.engine.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainingListenerTest {

    private record Recorder(String name, List<String> events) implements TrainingListener {
        @Override
        public void batchTaken(int epoch, int batch, io.pinsage.nn.batch.MiniBatch minibatch, long waitNanos) {
            events.add(name + " taken " + batch + " after " + waitNanos);
        }

        @Override
        public void batchDone(int epoch, int batch, int batches, double loss) {
            events.add(name + " batch " + batch);
        }

        @Override
        public void epochDone(EpochStats stats) {
            events.add(name + " epoch " + stats.epoch());
        }
    }

    @Test
    void shouldForwardEveryEventToEachListenerInOrder() {
        List<String> events = new ArrayList<>();
        TrainingListener both = TrainingListener.of(new Recorder("bar", events), new Recorder("log", events));
        both.batchTaken(0, 3, null, 42);
        both.batchDone(0, 3, 10, 1.5);
        both.epochDone(new TrainingListener.EpochStats(1, 1.5, 0.5, 1f, 2.0, 0.01, 0.02, 0, true));
        assertEquals(List.of("bar taken 3 after 42", "log taken 3 after 42", "bar batch 3", "log batch 3", "bar epoch 1",
                "log epoch 1"), events);
    }
}
