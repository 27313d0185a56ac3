package io.pinsage.csr.live;

import io.pinsage.csr.IdKind;
import io.pinsage.csr.IdMap;
import io.pinsage.csr.Side;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids of one side of a {@link LiveGraph}: the base's (its {@link IdMap}, or plain dense ids where the store has no
 * map) and those of nodes added since, which get the dense ids after the base's in order of arrival.
 *
 * <p>An external id is a key: a {@code Long} for a side with LONG ids or no map (its text must be a 64-bit integer;
 * without a map, a value below the base's node count is that base node), a {@code String} otherwise.
 *
 * <p>Threading: one writer ({@link #assign}); lookups from any thread, lock-free. Memory: a hash map entry and a
 * reference per new node, bounded by {@link LiveGraph.Limits#newNodes()}.
 */
final class LiveIds {

    private final Side side;
    private final IdMap base;
    private final int baseCount;
    private final ConcurrentHashMap<Object, Integer> fresh = new ConcurrentHashMap<>();
    /** External keys of the new nodes, by {@code id - baseCount}; replaced when full, entries written once. */
    private volatile Object[] external = new Object[64];
    private volatile int freshCount;

    LiveIds(Side side, IdMap base, int baseCount) {
        this.side = side;
        this.base = base;
        this.baseCount = baseCount;
    }

    private boolean stringKeys() {
        return base != null && base.kind() == IdKind.STRING;
    }

    /**
     * The key of an id's text.
     *
     * @throws IllegalArgumentException naming the side and the text if it cannot be an id of this side
     */
    Object key(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(name() + " id is empty: expected "
                    + (stringKeys() ? "a non-empty string" : "a 64-bit integer"));
        }
        if (stringKeys()) {
            return text;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name() + " id '" + text + "': expected a 64-bit integer");
        }
    }

    private String name() {
        return side == Side.LEFT ? "pin" : "board";
    }

    /** Dense id of {@code key}, or -1 if no node has it yet. Any thread; O(1) expected. */
    int find(Object key) {
        if (base != null) {
            int id = key instanceof Long l ? base.dense(l) : base.dense((String) key);
            if (id >= 0) {
                return id;
            }
        } else if (key instanceof Long l && l >= 0 && l < baseCount) {
            return (int) (long) l;
        }
        Integer id = fresh.get(key);
        return id == null ? -1 : id;
    }

    /** Number of nodes added since the base. */
    int freshCount() {
        return freshCount;
    }

    /** The external key of node {@code id} (base or new). */
    Object external(int id) {
        if (id < baseCount) {
            return base == null ? (Object) (long) id : base.kind() == IdKind.LONG ? base.externalLong(id) : base.externalString(id);
        }
        return external[id - baseCount];
    }

    /** Writer only: gives {@code key}, known to be new, the next dense id. */
    int assign(Object key) {
        int n = freshCount;
        Object[] ext = external;
        if (n == ext.length) {
            ext = Arrays.copyOf(ext, n * 2);
            external = ext;
        }
        ext[n] = key;
        int id = baseCount + n;
        fresh.put(key, id);
        freshCount = n + 1; // published last: a reader that sees the count sees the key
        return id;
    }
}
