package io.pinsage.engine.cli;

import io.pinsage.engine.pipeline.RecommenderOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingOptionsTest {

    private static RecommenderOptions resolve(Integer layers, Integer userItems, Boolean userIds) {
        TrainingOptions o = new TrainingOptions();
        o.layers = layers;
        o.userItems = userItems;
        o.userIds = userIds;
        return o.recommender(1, null);
    }

    /** Users pool over their items without rows of their own by default, and get rows where they pool over nothing. */
    @Test
    void shouldGiveUsersIdRowsByDefaultOnlyWhereTheyPoolOverNoItems() {
        assertFalse(RecommenderOptions.defaults(1).userIds(), "the recommended settings");
        assertFalse(resolve(null, null, null).userIds());
        assertFalse(resolve(2, 10, null).userIds());
        assertTrue(resolve(0, null, null).userIds(), "--layers 0: matrix factorisation");
        assertTrue(resolve(null, 0, null).userIds(), "--user-items 0: users pool over related users");
        assertTrue(resolve(null, null, true).userIds(), "asked for");
        assertEquals(RecommenderOptions.defaults(1).userItems(), resolve(null, null, null).userItems());
    }

    @Test
    void shouldStillRefuseUsersWithoutRowsWhenAskedForWithNothingToPoolOver() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resolve(0, null, false));
        assertTrue(e.getMessage().startsWith("userIds=false layers=0"), e.getMessage());
    }

    /** The popularity correction needs in-batch negatives: asking for it turns them on, unless they are refused. */
    @Test
    void shouldTurnInBatchNegativesOnForThePopularityCorrection() {
        assertFalse(RecommenderOptions.defaults(1).popularityCorrection(), "the recommended settings");
        TrainingOptions o = new TrainingOptions();
        o.popularityCorrection = true;
        RecommenderOptions r = o.recommender(1, null);
        assertTrue(r.popularityCorrection());
        assertTrue(r.training().inBatchNegatives());
        o.inBatch = false;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.recommender(1, null));
        assertEquals("popularityCorrection=true loss=SOFTMAX inBatchNegatives=false: the correction is for the SOFTMAX loss "
                + "with in-batch negatives", e.getMessage());
        IllegalArgumentException store = assertThrows(IllegalArgumentException.class, o::requireNoHardNegatives);
        assertTrue(store.getMessage().startsWith("--popularity-correction=true: for lightgcn:DIR datasets"), store.getMessage());
    }
}
