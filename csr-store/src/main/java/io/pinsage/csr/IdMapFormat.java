package io.pinsage.csr;

import io.pinsage.csr.format.BaseFileFormat;
import io.pinsage.csr.format.FileHeader;
import io.pinsage.csr.format.StoreFileFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Layout of a side's forward id mapping, external id to dense id ({@code left.idmap}, {@code right.idmap}), codec
 * {@value #CODEC}: an open-addressing hash table with linear probing, read in place from the mapped file. It holds
 * no keys: a slot names a dense id, whose external id is read from the side's {@link IdListFormat} list to confirm
 * a match, and 32 bits of the key's hash, so that a probe almost never reads the list for a key that differs.
 * Framed by {@link StoreFileFormat}.
 *
 * <pre>
 *  header counts:  [0] ids n   [1] kind (0 LONG, 1 STRING, as the id list)   [2] side (0 LEFT, 1 RIGHT)
 *                  [3] slots s (s &gt; n)   [4] 0
 *
 *  body:                                        a slot, one little-endian long:
 *  +-------------------------------------+      +-----------------------+-----------------------+
 *  | slot[0]                   (long)    |  0   | dense id + 1  (int)   | tag           (int)   |
 *  | slot[1]                   (long)    |  8   +-----------------------+-----------------------+
 *  | ...                                 |       byte 0                  byte 4
 *  | slot[s-1]                 (long)    |  8(s-1)
 *  +-------------------------------------+      dense id + 1 = 0 marks an empty slot (tag 0)
 * </pre>
 *
 * <p>A key's 64-bit hash {@code h} ({@link #hashLong} for LONG ids; {@link #hashBytes} of the UTF-8 bytes for
 * STRING ids) picks its home slot {@link #home}{@code (h, s)}, the high 64 bits of the unsigned product
 * {@code h * s}, and its tag {@link #hashTag}, the low 32 bits of {@code h}. A key sits in the first free slot at
 * or after its home (wrapping from {@code s-1} to 0); a lookup walks from the home slot until it finds an empty
 * slot (the key is absent) or a slot with the key's tag whose dense id's external id equals the key. Every dense
 * id {@code 0..n-1} occupies exactly one slot and at least one slot is empty, so every walk ends. The writer
 * keeps the load {@code n/s} at most 2/3 ({@link #slotsFor}): about 1.5 slots, 12 bytes, per id, and on average
 * two probes for a hit and five for a miss, mostly within one cache line.
 *
 * <p>Versions: 1, the first. Files named {@code .idmap} written before it were Chronicle Map files; readers
 * reject them ({@link #looksLikeChronicleMap}) with a request to rebuild the store. Stateless; thread-safe.
 */
public final class IdMapFormat extends BaseFileFormat {

    public static final IdMapFormat INSTANCE = new IdMapFormat();
    public static final String CODEC = "pinsage.idmap";
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = VERSION_START;

    public static final int COUNT_IDS = 0;
    public static final int COUNT_KIND = 1;
    public static final int COUNT_SIDE = 2;
    public static final int COUNT_SLOTS = 3;

    public static final int SLOT_BYTES = 8;
    /** {@link #slotDense} of an empty slot. */
    public static final int EMPTY = -1;
    /** Bytes from the start of a file that {@link #looksLikeChronicleMap} needs. */
    public static final int SNIFF_BYTES = 256;
    /** More slots than this is a damaged header, not a table (2^31 ids need about 3.2 * 10^9). */
    public static final long MAX_SLOTS = 1L << 34;

    private static final long WORD_MULTIPLIER = 0x9E3779B97F4A7C15L;
    private static final long ROUND_MULTIPLIER = 0xC2B2AE3D27D4EB4FL;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(StoreFileFormat.BYTE_ORDER);

    private IdMapFormat() {
        super(CODEC, VERSION_START, VERSION_CURRENT);
    }

    @Override
    public long bodyLength(FileHeader h) {
        long n = h.count(COUNT_IDS), kind = h.count(COUNT_KIND), s = h.count(COUNT_SLOTS);
        if (n < 0 || n > Integer.MAX_VALUE || (kind != IdListFormat.KIND_LONG && kind != IdListFormat.KIND_STRING)
                || s <= n || s > MAX_SLOTS) {
            throw new IllegalArgumentException("ids=" + n + " kind=" + kind + " slots=" + s
                    + ": need 0 <= ids < 2^31, kind 0 or 1, ids < slots <= " + MAX_SLOTS);
        }
        checkSide(h.count(COUNT_SIDE));
        return SLOT_BYTES * s;
    }

    /** Slots the writer gives {@code ids} ids: a load of at most 2/3, and at least one empty slot. */
    public static long slotsFor(int ids) {
        return ids + (ids >>> 1) + 1L;
    }

    /** Byte offset of slot {@code slot} within the body. */
    public static long slotOffset(long slot) {
        return SLOT_BYTES * slot;
    }

    /** Hash of a LONG id: the SplittableRandom/SplitMix64 finalizer, a bijection with full avalanche. */
    public static long hashLong(long id) {
        long x = (id ^ (id >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /**
     * Hash of a STRING id's UTF-8 bytes {@code [offset, offset + length)} of {@code bytes}: each 8-byte
     * little-endian word (the last one zero-padded) is multiplied into a state seeded by the length, which
     * {@link #hashLong} finally mixes. Reads the bytes once; allocates nothing.
     */
    public static long hashBytes(MemorySegment bytes, long offset, long length) {
        long h = length * ROUND_MULTIPLIER;
        long end = offset + length, at = offset;
        for (; at + 8 <= end; at += 8) {
            h = round(h, bytes.get(WORD, at));
        }
        if (at < end) {
            long tail = 0;
            for (int shift = 0; at < end; at++, shift += 8) {
                tail |= (bytes.get(ValueLayout.JAVA_BYTE, at) & 0xFFL) << shift;
            }
            h = round(h, tail);
        }
        return hashLong(h);
    }

    private static long round(long h, long word) {
        return Long.rotateLeft(h ^ (word * WORD_MULTIPLIER), 29) * ROUND_MULTIPLIER;
    }

    /** Home slot of a key with hash {@code hash} in a table of {@code slots} slots, in {@code [0, slots)}. */
    public static long home(long hash, long slots) {
        return Math.unsignedMultiplyHigh(hash, slots);
    }

    /** The slot after {@code slot}, wrapping to 0. */
    public static long next(long slot, long slots) {
        return slot + 1 == slots ? 0 : slot + 1;
    }

    /** The tag stored with a key of hash {@code hash}. */
    public static int hashTag(long hash) {
        return (int) hash;
    }

    /** The slot value for dense id {@code dense} with tag {@code tag}. */
    public static long slot(int dense, int tag) {
        return ((long) tag << 32) | ((dense + 1L) & 0xFFFF_FFFFL);
    }

    /** Dense id held by slot value {@code slot}, or {@link #EMPTY} if the slot is empty. */
    public static int slotDense(long slot) {
        return (int) slot - 1;
    }

    /** Tag held by slot value {@code slot}. */
    public static int slotTag(long slot) {
        return (int) (slot >>> 32);
    }

    /** Whether a file starting with {@code head} is a Chronicle Map (its header names the map class in ASCII). */
    public static boolean looksLikeChronicleMap(byte[] head) {
        return new String(head, java.nio.charset.StandardCharsets.ISO_8859_1).contains("net.openhft.chronicle.map.");
    }
}
