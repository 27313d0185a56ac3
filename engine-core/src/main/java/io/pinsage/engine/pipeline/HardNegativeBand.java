package io.pinsage.engine.pipeline;

import java.util.Locale;

/**
 * The personalised-PageRank ranks {@code [from, to)} that hard negatives are drawn from, and the walk budget that
 * ranks them. PinSage uses ranks 2000–5000 on a graph of billions of pins, a vanishing fraction of it; on a small
 * graph the same ranks would reach past every pin related to the query, so {@link #scaledTo} shrinks the band
 * until its end is at most {@value #PINS_PER_BAND_END}-th of the pins (the quickstart's 200,000 pins keep
 * 2000–5000 exactly; 20,000 pins get 200–500), or of the items for a user's band of items. Immutable.
 *
 * @param from         first rank of the band (0-based, the query excluded)
 * @param to           end of the band, exclusive
 * @param stepsPerRank walk steps per rank of the band's end: a query is ranked with {@code stepsPerRank × to}
 *                     steps (4 per rank fill about 85% of the 2000–5000 band of a quickstart pin, measured)
 */
public record HardNegativeBand(int from, int to, int stepsPerRank) {

    /** A band's end is at most this fraction (1/40) of the pins. */
    public static final int PINS_PER_BAND_END = 40;

    /** PinSage's band, ranks 2000–5000, ranked with 4 steps per rank. */
    public static final HardNegativeBand PINSAGE = new HardNegativeBand(2000, 5000, 4);

    /** @throws IllegalArgumentException naming the field, unless {@code 0 <= from < to} and {@code stepsPerRank >= 1} */
    public HardNegativeBand {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("from=" + from + " to=" + to + ": the hard-negative band needs 0 <= from < to");
        }
        if (stepsPerRank < 1) {
            throw new IllegalArgumentException("stepsPerRank=" + stepsPerRank + ": must be >= 1");
        }
    }

    /**
     * Parses {@code FROM-TO}, e.g. {@code 2000-5000}.
     *
     * @throws IllegalArgumentException naming the text if it is not two integers with {@code FROM < TO}
     */
    public static HardNegativeBand parse(String text, int stepsPerRank) {
        String[] ends = text.split("-", 2);
        int from;
        int to;
        try {
            from = Integer.parseInt(ends[0].strip());
            to = Integer.parseInt(ends.length == 2 ? ends[1].strip() : "");
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hardBand=" + text + ": expected FROM-TO, two integers such as 2000-5000", e);
        }
        try {
            return new HardNegativeBand(from, to, stepsPerRank);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hardBand=" + text + ": " + e.getMessage(), e);
        }
    }

    /**
     * This band on a graph of {@code pins} pins: unchanged when {@code to <= pins / 40}, otherwise both ends scaled by
     * {@code pins / (40 · to)} (rounded, at least ranks 1–2) so that the band keeps its place relative to the pins.
     */
    public HardNegativeBand scaledTo(int pins) {
        long limit = Math.max(2, pins / PINS_PER_BAND_END);
        if (to <= limit) {
            return this;
        }
        double s = (double) limit / to;
        int f = (int) Math.max(1, Math.round(from * s));
        int t = (int) Math.max(f + 1, Math.round(to * s));
        return new HardNegativeBand(f, t, stepsPerRank);
    }

    /** Walk steps that rank one query's band. */
    public long steps() {
        return (long) stepsPerRank * to;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PPR ranks %d-%d (%d walk steps per query)", from, to, steps());
    }
}
