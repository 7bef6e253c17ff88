package io.etcdsnapshotter.restore;

import com.google.protobuf.ByteString;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Which of a run of events (numbered in order from 0) are superseded: for each key, every event but its last. Keys
 * gather in a buffer of bounded size, each once: a key met again in it supersedes its earlier event there and
 * takes its place (a hash table over the buffer finds it), so overwrites of the same keys fill no buffer. A full
 * buffer is sorted by key and spilled to a file in {@code dir}; the files, one per buffer and so in time order, are
 * merged by key at the end, where a key's event in the latest file wins. Memory is one buffer, its table and a bit
 * per event however many keys the events touch.
 */
final class SupersededEvents implements Closeable {
  static final int DEFAULT_BUFFER = 16 << 20;
  /** Per entry in the buffer: the key's length and the event's number, before the key's bytes. */
  private static final int ENTRY_HEAD = 8;

  private final Path dir;
  private final byte[] buffer;
  private int used;
  private int[] entries = new int[1024];
  private int count;
  /**
   * Open addressing over the entries, at most half full: the key's spread hash in the high half, 1 + the entry's
   * offset in the buffer in the low half, 0 for a free slot. A probe compares the hashes before it reads a key from
   * the buffer, a cache miss away.
   */
  private long[] table = new long[2048];
  private final BitSet superseded = new BitSet();
  private final List<Path> runs = new ArrayList<>();

  SupersededEvents(Path dir, int bufferBytes) {
    this.dir = dir;
    this.buffer = new byte[bufferBytes];
  }

  /** Event {@code number}, which follows every number added before, changes {@code key}. */
  void add(ByteString key, int number) throws IOException {
    int hash = spread(key.hashCode());
    int slot = slotOf(key, hash);
    if (table[slot] != 0) {
      int at = (int) table[slot] - 1;
      superseded.set(getInt(at + 4));
      putInt(at + 4, number);
      return;
    }
    int size = ENTRY_HEAD + key.size();
    if (size > buffer.length - used) {
      spill();
      if (size > buffer.length) {
        throw new IOException("a key of " + key.size() + " bytes is larger than the restore's sort buffer");
      }
    }
    if (count == entries.length) {
      entries = Arrays.copyOf(entries, count * 2);
    }
    entries[count++] = used;
    long entry = (long) hash << 32 | used + 1;
    putInt(used, key.size());
    putInt(used + 4, number);
    key.copyTo(buffer, used + ENTRY_HEAD);
    used += size;
    if (count * 2 > table.length) {
      rehash(table.length * 2);
    }
    table[slotOf(key, hash)] = entry;
  }

  /** The slot holding {@code key}'s entry, or the free slot where it belongs. */
  private int slotOf(ByteString key, int hash) {
    int mask = table.length - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      long entry = table[slot];
      if (entry == 0 || (int) (entry >>> 32) == hash && sameKey((int) entry - 1, key)) {
        return slot;
      }
    }
  }

  private boolean sameKey(int at, ByteString key) {
    int length = getInt(at);
    if (length != key.size()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (buffer[at + ENTRY_HEAD + i] != key.byteAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The table with twice the slots, its entries placed anew (the entry just added not yet among them). */
  private void rehash(int slots) {
    long[] old = table;
    table = new long[slots];
    int mask = slots - 1;
    for (long entry : old) {
      if (entry != 0) {
        int slot = (int) (entry >>> 32) & mask;
        while (table[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        table[slot] = entry;
      }
    }
  }

  /**
   * Mixes all of a hash's bits into its low ones: keys that differ in their last characters only (names numbered in
   * order) have polynomial hashes in runs, which linear probing would pile into long clusters.
   */
  private static int spread(int hash) {
    int h = hash * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /** The numbers of the events some later event of the same key supersedes. */
  BitSet result() throws IOException {
    if (!runs.isEmpty()) {
      spill();
      merge();
    }
    return superseded;
  }

  private void spill() throws IOException {
    if (count == 0) {
      return;
    }
    sortByKey();
    Path run = dir.resolve("keys-" + runs.size());
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
        Channels.newOutputStream(PrivateFiles.createNew(run)), 1 << 16))) {
      for (int i = 0; i < count; i++) {
        int at = entries[i];
        out.writeInt(getInt(at));
        out.writeInt(getInt(at + 4));
        out.write(buffer, at + ENTRY_HEAD, getInt(at));
      }
    }
    runs.add(run);
    used = 0;
    count = 0;
    table = new long[table.length];
  }

  /** Each key's entries across the runs, in key order: all but the one of the latest run are superseded. */
  private void merge() throws IOException {
    PriorityQueue<Run> heads = new PriorityQueue<>(Comparator.<Run, byte[]>comparing(r -> r.key,
        Arrays::compareUnsigned).thenComparing(r -> -r.index));
    try {
      for (int i = 0; i < runs.size(); i++) {
        Run run = new Run(runs.get(i), i);
        if (run.next()) {
          heads.add(run);
        }
      }
      while (!heads.isEmpty()) {
        Run latest = heads.poll();
        byte[] key = latest.key;
        while (!heads.isEmpty() && Arrays.equals(heads.peek().key, key)) {
          Run older = heads.poll();
          superseded.set(older.number);
          advance(older, heads);
        }
        advance(latest, heads);
      }
    } finally {
      for (Run run : heads) {
        run.close();
      }
    }
  }

  private static void advance(Run run, PriorityQueue<Run> heads) throws IOException {
    if (run.next()) {
      heads.add(run);
    } else {
      run.close();
    }
  }

  /** A merge sort of the entries, each key's only one in the buffer, by key. */
  private void sortByKey() {
    int[] scratch = new int[count];
    for (int width = 1; width < count; width *= 2) {
      for (int from = 0; from < count - width; from += 2 * width) {
        int mid = from + width;
        int to = Math.min(from + 2 * width, count);
        int a = from;
        int b = mid;
        int out = from;
        while (a < mid && b < to) {
          scratch[out++] = compareKeys(entries[b], entries[a]) < 0 ? entries[b++] : entries[a++];
        }
        while (a < mid) {
          scratch[out++] = entries[a++];
        }
        while (b < to) {
          scratch[out++] = entries[b++];
        }
        System.arraycopy(scratch, from, entries, from, to - from);
      }
    }
  }

  private int compareKeys(int a, int b) {
    return Arrays.compareUnsigned(buffer, a + ENTRY_HEAD, a + ENTRY_HEAD + getInt(a), buffer, b + ENTRY_HEAD,
        b + ENTRY_HEAD + getInt(b));
  }

  private int getInt(int at) {
    return (buffer[at] & 0xff) << 24 | (buffer[at + 1] & 0xff) << 16 | (buffer[at + 2] & 0xff) << 8
        | buffer[at + 3] & 0xff;
  }

  private void putInt(int at, int value) {
    buffer[at] = (byte) (value >>> 24);
    buffer[at + 1] = (byte) (value >>> 16);
    buffer[at + 2] = (byte) (value >>> 8);
    buffer[at + 3] = (byte) value;
  }

  /** Deletes the spilled runs. */
  @Override
  public void close() throws IOException {
    for (Path run : runs) {
      Files.deleteIfExists(run);
    }
  }

  /** One spilled run, read front to back: its current key and the number of that key's last event in it. */
  private static final class Run implements Closeable {
    private final DataInputStream in;
    private final int index;
    private byte[] key;
    private int number;

    Run(Path file, int index) throws IOException {
      this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
      this.index = index;
    }

    boolean next() throws IOException {
      int length;
      try {
        length = in.readInt();
      } catch (EOFException e) {
        return false;
      }
      number = in.readInt();
      key = new byte[length];
      in.readFully(key);
      return true;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
