package io.etcdsnapshotter.inspect;

/**
 * A set of 128-bit fingerprints (two longs from a good hash) kept in primitive arrays, for counting millions of
 * distinct keys in a small heap: 16 bytes per slot, 20 to 30 bytes per element at the loads below, where a
 * {@code HashSet<String>} costs well over 100. Open addressing with linear probing; removal shifts the following
 * run back, so no tombstones pile up in a set that sees as many removals as additions.
 *
 * <p>The table is split into {@value #SEGMENTS} segments by the fingerprint's top bits, each grown on its own by
 * half when it is {@value #MAX_LOAD_PERCENT}% full: the set never holds a whole old and a whole new table at once,
 * and its heap stays close to its content. (0, 0) marks an empty slot; the one fingerprint equal to it is stored
 * as (0, 1), which adds nothing measurable to the collision odds.
 */
final class FingerprintSet {
  private static final int SEGMENT_BITS = 6;
  private static final int SEGMENTS = 1 << SEGMENT_BITS;
  private static final int INITIAL_SLOTS = 16;
  private static final int MAX_LOAD_PERCENT = 80;

  /** Per segment: slot i holds (high, low) at [2i], [2i + 1]; interleaved, so one probe reads one cache line. */
  private final long[][] tables = new long[SEGMENTS][];
  private final int[] used = new int[SEGMENTS];
  private long size;

  FingerprintSet() {
    for (int s = 0; s < SEGMENTS; s++) {
      tables[s] = new long[2 * INITIAL_SLOTS];
    }
  }

  /** Adds the fingerprint; false if it was there already. */
  boolean add(long high, long low) {
    low = high == 0 && low == 0 ? 1 : low;
    int segment = (int) (high >>> (64 - SEGMENT_BITS));
    long[] table = tables[segment];
    int slot = find(table, high, low);
    if (table[2 * slot] != 0 || table[2 * slot + 1] != 0) {
      return false;
    }
    table[2 * slot] = high;
    table[2 * slot + 1] = low;
    size++;
    if (++used[segment] * 100L > (long) slots(table) * MAX_LOAD_PERCENT) {
      tables[segment] = grown(table);
    }
    return true;
  }

  /** Removes the fingerprint; false if it was not there. */
  boolean remove(long high, long low) {
    low = high == 0 && low == 0 ? 1 : low;
    int segment = (int) (high >>> (64 - SEGMENT_BITS));
    long[] table = tables[segment];
    int hole = find(table, high, low);
    if (table[2 * hole] == 0 && table[2 * hole + 1] == 0) {
      return false;
    }
    int slots = slots(table);
    // Backward-shift deletion: move each later entry of the run into the hole unless its home lies
    // cyclically after the hole (then it is reachable from its home without crossing the hole).
    for (int next = (hole + 1) % slots; table[2 * next] != 0 || table[2 * next + 1] != 0; next = (next + 1) % slots) {
      int home = home(table[2 * next + 1], slots);
      if (Math.floorMod(next - home, slots) >= Math.floorMod(next - hole, slots)) {
        table[2 * hole] = table[2 * next];
        table[2 * hole + 1] = table[2 * next + 1];
        hole = next;
      }
    }
    table[2 * hole] = 0;
    table[2 * hole + 1] = 0;
    used[segment]--;
    size--;
    return true;
  }

  long size() {
    return size;
  }

  /** The heap the tables hold, in bytes (array headers left out). */
  long tableBytes() {
    long bytes = 0;
    for (long[] table : tables) {
      bytes += 8L * table.length;
    }
    return bytes;
  }

  /** The slot holding the fingerprint, or the empty slot where it would go. */
  private static int find(long[] table, long high, long low) {
    int slots = slots(table);
    int slot = home(low, slots);
    while ((table[2 * slot] != 0 || table[2 * slot + 1] != 0)
        && (table[2 * slot] != high || table[2 * slot + 1] != low)) {
      slot = slot + 1 == slots ? 0 : slot + 1;
    }
    return slot;
  }

  /** Lemire's multiply-shift range reduction of the low half's top 32 bits: any table size, no modulo. */
  private static int home(long low, int slots) {
    return (int) (((low >>> 32) * slots) >>> 32);
  }

  private static int slots(long[] table) {
    return table.length / 2;
  }

  private static long[] grown(long[] table) {
    int slots = slots(table) + slots(table) / 2;
    long[] bigger = new long[2 * slots];
    for (int i = 0; i < table.length; i += 2) {
      if (table[i] != 0 || table[i + 1] != 0) {
        int slot = find(bigger, table[i], table[i + 1]);
        bigger[2 * slot] = table[i];
        bigger[2 * slot + 1] = table[i + 1];
      }
    }
    return bigger;
  }
}
