package io.pinsage.nn.model;

import io.pinsage.nn.backend.Reference;
import io.pinsage.nn.backend.Tensor;
import io.pinsage.nn.backend.Tensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MaxMarginLossTest extends SeededCpuTest {

    private static final int[] QUERIES = {0, 1, 2};
    // row 3 is the positive of two queries, and row 1 is also a shared negative: roles overlap
    private static final int[] POSITIVES = {3, 3, 4};
    private static final int[] SHARED = {5, 1, 6};
    private static final int[] HARD = {6, 7, 2, 5, 7, 0};

    @Test
    void shouldSumTheGradientsOfRowsThatServeInSeveralRoles() {
        int rows = 8;
        int dim = 5;
        double[] z = new double[rows * dim];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (0.5 * random.nextGaussian());
        }
        Tensor zt = Tensors.of(backend, "z", rows, dim, Reference.toFloat(z));
        Tensor dz = backend.allocate("dz", rows, dim);
        MaxMarginLoss head = new MaxMarginLoss(backend, dim);
        Tensor loss = head.compute(zt, Tensors.of(backend, "q", QUERIES), Tensors.of(backend, "p", POSITIVES),
                Tensors.of(backend, "s", SHARED), Tensors.of(backend, "h", HARD), 0.8f, dz);
        assertEquals(lossOf(z, dim), Tensors.toArray(loss)[0], 1e-5, seedTag() + "loss");
        double[] numeric = Reference.numericGradient(v -> lossOf(v, dim), z, 1e-6);
        float[] analytic = Tensors.toArray(dz);
        for (int i = 0; i < numeric.length; i++) {
            assertEquals(numeric[i], analytic[i], 1e-3 * (1 + Math.abs(numeric[i])), seedTag() + "dz[" + i + "]");
        }
    }

    private static double lossOf(double[] z, int dim) {
        return Reference.maxMarginLoss(rows(z, dim, QUERIES), rows(z, dim, POSITIVES), rows(z, dim, SHARED),
                rows(z, dim, HARD), QUERIES.length, dim, 0.8);
    }

    private static double[] rows(double[] z, int dim, int[] index) {
        double[] out = new double[index.length * dim];
        for (int i = 0; i < index.length; i++) {
            System.arraycopy(z, index[i] * dim, out, i * dim, dim);
        }
        return out;
    }
}
