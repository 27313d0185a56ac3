package io.pinsage.csr;

/**
 * One side of a bipartite graph. {@link #LEFT} holds pins (items), {@link #RIGHT} holds boards (users).
 * Node ids are dense ints per side, starting at 0.
 */
public enum Side {
    LEFT,
    RIGHT;

    /** The side that the neighbours of a node on this side live on. */
    public Side opposite() {
        return this == LEFT ? RIGHT : LEFT;
    }
}
