package io.pinsage.walk;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD passes over the dense score arrays of a {@link VisitMap}: the square roots and squares of the multi-hit
 * booster and the sum and division of neighbourhood-weight normalisation. Stateless, thread-safe, allocation-free
 * once the JIT has scalar-replaced the vector temporaries.
 */
final class ScoreVectors {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private ScoreVectors() {
    }

    /** {@code a[i] = sqrt(a[i])} for {@code i < n}. */
    static void sqrt(float[] a, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, a, i).lanewise(VectorOperators.SQRT).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] = (float) Math.sqrt(a[i]);
        }
    }

    /** {@code a[i] = a[i] * a[i]} for {@code i < n}. */
    static void square(float[] a, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, a, i);
            v.mul(v).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] *= a[i];
        }
    }

    /** {@code a[i] /= divisor} for {@code i < n} (a true division, so a lone weight becomes exactly 1). */
    static void divide(float[] a, int n, float divisor) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, a, i).div(divisor).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] /= divisor;
        }
    }

    /** Scales {@code a[0..n)} to sum 1; leaves it alone when its sum is 0. */
    static void normalize(float[] a, int n) {
        float total = sum(a, n);
        if (total > 0) {
            divide(a, n, total);
        }
    }

    /** Sum of {@code a[0..n)} (lane-wise partial sums, so the rounding differs slightly from a scalar loop). */
    static float sum(float[] a, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            acc = acc.add(FloatVector.fromArray(SPECIES, a, i));
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[i];
        }
        return s;
    }
}
