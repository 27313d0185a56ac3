package io.pinsage.gpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GemmEngineTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(GemmEngine.PROPERTY);
    }

    @Test
    void shouldDefaultToTheExactKernelAndReadThePropertyCaseInsensitively() {
        assertEquals(GemmEngine.PINSAGE_FP32, GemmEngine.fromSystemProperty());
        System.setProperty(GemmEngine.PROPERTY, "cublas_tf32");
        assertEquals(GemmEngine.CUBLAS_TF32, GemmEngine.fromSystemProperty());
    }

    @Test
    void shouldNameThePropertyAndTheChoicesForAnUnknownEngine() {
        System.setProperty(GemmEngine.PROPERTY, "magma");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, GemmEngine::fromSystemProperty);
        assertEquals("pinsage.cuda.gemm=magma (expected one of [pinsage_fp32, pinsage_tf32, cublas_fp32, cublas_tf32])",
                e.getMessage());
    }
}
