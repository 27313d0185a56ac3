package io.pinsage.engine.api;

import java.util.List;

/**
 * What {@link PinSageEngine#addEdges} applied: the batch's edge count and the external ids of the pins and boards it
 * created, in the order their dense ids were given (first appearance in the batch). Immutable.
 */
public record EdgesAdded(int edges, List<String> newPins, List<String> newBoards) {

    public EdgesAdded {
        newPins = List.copyOf(newPins);
        newBoards = List.copyOf(newBoards);
    }
}
