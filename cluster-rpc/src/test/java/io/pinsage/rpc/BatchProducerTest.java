package io.pinsage.rpc;

import io.pinsage.nn.batch.BatchSchedule;
import io.pinsage.nn.batch.MiniBatch;
import io.pinsage.nn.batch.MiniBatchSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatchProducerTest {

    @Test
    void shouldServeEachBatchFromASourceOpenedAtItAndClosedAfter() throws Exception {
        TestBatches batches = new TestBatches(new BatchSchedule(100, 10, 3));
        List<String> calls = new ArrayList<>();
        MiniBatchSource.Factory factory = (epoch, from) -> {
            calls.add("open " + epoch + "/" + from);
            return new MiniBatchSource() {
                @Override
                public MiniBatch take(int e, int index) {
                    calls.add("take " + e + "/" + index);
                    if (index == 9) {
                        throw new IllegalStateException("no batch 9 here");
                    }
                    return batches.build(e, index);
                }

                @Override
                public void close() {
                    calls.add("close");
                }
            };
        };
        BatchProducer producer = BatchProducer.perBatch(factory);
        assertArrayEquals(TestBatches.bytes(batches.build(1, 7)), TestBatches.bytes(producer.build(1, 7)));
        assertEquals("no batch 9 here", assertThrows(IllegalStateException.class, () -> producer.build(2, 9))
                .getMessage());
        assertEquals(List.of("open 1/7", "take 1/7", "close", "open 2/9", "take 2/9", "close"), calls);
    }
}
