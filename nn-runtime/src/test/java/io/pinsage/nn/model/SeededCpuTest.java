package io.pinsage.nn.model;

import io.pinsage.nn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.Random;

/** A two-thread CPU backend and a seeded random source per test; the seed comes from {@code -Dtests.seed=N} or the clock. */
abstract class SeededCpuTest {

    protected CpuBackend backend;
    protected long seed;
    protected Random random;

    @BeforeEach
    void openBackend() {
        seed = Long.getLong("tests.seed", System.nanoTime());
        random = new Random(seed);
        backend = new CpuBackend(2);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    /** The prefix of every failure message: how to reproduce. */
    protected String seedTag() {
        return "[-Dtests.seed=" + seed + "] ";
    }
}
