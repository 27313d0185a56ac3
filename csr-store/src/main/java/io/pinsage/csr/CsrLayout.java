package io.pinsage.csr;

import io.pinsage.csr.format.FileFormat;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the files in a graph store's generation directory, and the format of each:
 * <pre>
 *  left.offsets, right.offsets          {@link OffsetsFormat}
 *  left.nbr.NNNNN, right.nbr.NNNNN      {@link NeighborShardFormat#NEIGHBORS}, shards numbered from 0
 *  left.wgt.NNNNN, right.wgt.NNNNN      {@link NeighborShardFormat#WEIGHTS}, present only for weighted graphs
 *  left.features, right.features        {@link FeatureMatrixFormat}, optional
 *  left.ids, right.ids                  {@link IdListFormat}: dense id to external id, optional
 *  left.idmap, right.idmap              {@link IdMapFormat}: external id to dense id, present with .ids
 *  engagement.pairs                     {@link PairsFormat}: held-out (query, related) pin pairs, optional
 * </pre>
 * Stateless.
 */
public final class CsrLayout {

    public static final String PAIRS = "engagement.pairs";
    private static final Pattern SHARD = Pattern.compile("(left|right)\\.(nbr|wgt)\\.(\\d{5})");

    private CsrLayout() {
    }

    static String prefix(Side side) {
        return side.name().toLowerCase(Locale.ROOT);
    }

    public static String offsets(Side side) {
        return prefix(side) + ".offsets";
    }

    public static String neighbors(Side side, int shard) {
        return String.format("%s.nbr.%05d", prefix(side), shard);
    }

    public static String weights(Side side, int shard) {
        return String.format("%s.wgt.%05d", prefix(side), shard);
    }

    public static String features(Side side) {
        return prefix(side) + ".features";
    }

    public static String idList(Side side) {
        return prefix(side) + ".ids";
    }

    public static String idMap(Side side) {
        return prefix(side) + ".idmap";
    }

    /** Number of neighbour shards of {@code side} among {@code fileNames}. */
    static int shardCount(Iterable<String> fileNames, Side side) {
        int n = 0;
        for (String f : fileNames) {
            Matcher m = SHARD.matcher(f);
            if (m.matches() && m.group(1).equals(prefix(side)) && m.group(2).equals("nbr")) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether {@code fileName} belongs to the graph's adjacency (offsets, neighbour or weight shards), as opposed to a
     * side file (features, ids, id maps, pairs) that describes nodes by id.
     */
    public static boolean isAdjacency(String fileName) {
        return SHARD.matcher(fileName).matches() || fileName.equals(offsets(Side.LEFT)) || fileName.equals(offsets(Side.RIGHT));
    }

    /** The framed format of {@code fileName}, or empty for a name that is no part of a graph store. */
    public static Optional<FileFormat> formatOf(String fileName) {
        Matcher m = SHARD.matcher(fileName);
        if (m.matches()) {
            return Optional.of(m.group(2).equals("nbr") ? NeighborShardFormat.NEIGHBORS : NeighborShardFormat.WEIGHTS);
        }
        for (Side s : Side.values()) {
            if (fileName.equals(offsets(s))) {
                return Optional.of(OffsetsFormat.INSTANCE);
            }
            if (fileName.equals(features(s))) {
                return Optional.of(FeatureMatrixFormat.INSTANCE);
            }
            if (fileName.equals(idList(s))) {
                return Optional.of(IdListFormat.INSTANCE);
            }
            if (fileName.equals(idMap(s))) {
                return Optional.of(IdMapFormat.INSTANCE);
            }
        }
        if (fileName.equals(PAIRS)) {
            return Optional.of(PairsFormat.INSTANCE);
        }
        return Optional.empty();
    }
}
