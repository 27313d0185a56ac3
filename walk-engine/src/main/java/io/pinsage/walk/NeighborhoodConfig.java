package io.pinsage.walk;

import io.pinsage.csr.Side;

import java.util.Objects;

/**
 * How neighbourhood rows are computed. For the {@link NeighborhoodKind#WALK} kind: for each node of {@code side},
 * {@code stepsPerNode} walk steps (round trips through the opposite side) with restart probability {@code alpha},
 * keeping the {@code topT} most visited nodes of the same side (the node itself excluded) with weights normalised
 * to sum 1. {@link NeighborhoodKind#UNIFORM} draws {@code stepsPerNode} uniform two-hop steps instead;
 * {@link NeighborhoodKind#ADJACENT} keeps up to {@code topT} of the node's own neighbours (other side).
 *
 * @param side         the side whose nodes get neighbourhoods (pins: {@link Side#LEFT})
 * @param topT         T, neighbours kept per node (PinSage uses 50)
 * @param stepsPerNode walk steps per node; more steps, steadier ranks; at most {@link PixieQuery#MAX_STEPS}
 * @param alpha        restart probability per step, in (0, 1]
 * @param lanes        walkers stepped together per thread, see {@link RandomWalker}
 * @param seed         node u walks (or draws) from a generator seeded with {@code NeighborhoodConfig.nodeSeed(seed, u)}
 * @param kind         how a row is chosen
 */
public record NeighborhoodConfig(Side side, int topT, long stepsPerNode, double alpha, int lanes, long seed,
                                 NeighborhoodKind kind) {

    /** PinSage's T. */
    public static final int DEFAULT_TOP_T = 50;

    /**
     * @throws IllegalArgumentException naming the first field out of range
     */
    public NeighborhoodConfig {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(kind, "kind");
        if (topT < 1) {
            throw new IllegalArgumentException("topT=" + topT + ": must be >= 1");
        }
        PixieQuery.requireSteps("stepsPerNode", stepsPerNode);
        WalkRandom.requireRestartProbability(alpha);
        if (lanes < 1 || lanes > 1024) {
            throw new IllegalArgumentException("lanes=" + lanes + ": must lie in [1, 1024]");
        }
    }

    /** Importance ({@link NeighborhoodKind#WALK}) rows. */
    public NeighborhoodConfig(Side side, int topT, long stepsPerNode, double alpha, int lanes, long seed) {
        this(side, topT, stepsPerNode, alpha, lanes, seed, NeighborhoodKind.WALK);
    }

    /** T = 50, 2,000 steps per node, alpha = 0.5, 32 lanes, seed 0, for nodes of {@code side}. */
    public static NeighborhoodConfig defaults(Side side) {
        return new NeighborhoodConfig(side, DEFAULT_TOP_T, 2_000, 0.5, PixieEngine.DEFAULT_LANES, 0);
    }

    /** The same configuration with another T. */
    public NeighborhoodConfig withTopT(int t) {
        return new NeighborhoodConfig(side, t, stepsPerNode, alpha, lanes, seed, kind);
    }

    /** The same configuration with another step count. */
    public NeighborhoodConfig withStepsPerNode(long steps) {
        return new NeighborhoodConfig(side, topT, steps, alpha, lanes, seed, kind);
    }

    /** The same configuration with another seed. */
    public NeighborhoodConfig withSeed(long s) {
        return new NeighborhoodConfig(side, topT, stepsPerNode, alpha, lanes, s, kind);
    }

    /** The same configuration with another kind of row. */
    public NeighborhoodConfig withKind(NeighborhoodKind k) {
        return new NeighborhoodConfig(side, topT, stepsPerNode, alpha, lanes, seed, k);
    }

    /** The side of the ids in the rows: {@code side}, or the opposite one for {@link NeighborhoodKind#ADJACENT}. */
    public Side neighborSide() {
        return kind.neighborSide(side);
    }

    /** Seed of node {@code node}'s walks under configuration seed {@code seed}. */
    public static long nodeSeed(long seed, int node) {
        return PixieEngine.pinSeed(seed, node);
    }
}
