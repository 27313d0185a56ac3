package io.pinsage.csr;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AffinePermutationTest {

    @Test
    void shouldPermuteTheIdsWhateverTheHint() {
        long seed = TestSeed.next();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            int n = 1 + rnd.nextInt(round < 100 ? 64 : 5_000);
            long hint = rnd.nextLong();
            boolean odd = rnd.nextBoolean();
            long offset = rnd.nextInt(Integer.MAX_VALUE);
            AffinePermutation p = AffinePermutation.withStrideNear(n, hint, odd, offset);
            String msg = TestSeed.tag(seed) + "n=" + n + " hint=" + hint + " odd=" + odd + " offset=" + offset;
            assertEquals(n, p.size(), msg);
            BitSet seen = new BitSet(n);
            for (int id = 0; id < n; id++) {
                int image = p.apply(id);
                assertTrue(image >= 0 && image < n && !seen.get(image), msg + " id=" + id + " image=" + image);
                seen.set(image);
            }
        }
    }

    @Test
    void shouldNotOverflowForTheLargestIdRange() {
        int n = Integer.MAX_VALUE;
        // floorMod(-1, n) | 1 = n, not coprime: the stride becomes n + 2, the largest the search can give.
        AffinePermutation p = AffinePermutation.withStrideNear(n, -1, true, Integer.MAX_VALUE - 1);
        BigInteger big = BigInteger.valueOf(n);
        for (int id : new int[] {0, 1, n / 2, n - 2, n - 1}) {
            long expected = BigInteger.valueOf(id).multiply(big.add(BigInteger.TWO))
                    .add(BigInteger.valueOf(Integer.MAX_VALUE - 1)).mod(big).longValueExact();
            assertEquals(expected, p.apply(id), "id=" + id);
        }
    }

    @Test
    void shouldRejectAnEmptyRangeAndAnOffsetOutsideIntRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AffinePermutation.withStrideNear(0, 1, false, 0));
        assertEquals("n=0: must be >= 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AffinePermutation.withStrideNear(5, 1, false, -1));
        assertEquals("offset=-1: must be in [0, 2^31)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AffinePermutation.withStrideNear(5, 1, false, 1L << 31));
    }
}
