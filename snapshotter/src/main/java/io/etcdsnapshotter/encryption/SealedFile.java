package io.etcdsnapshotter.encryption;

import io.etcdsnapshotter.Background;
import io.etcdsnapshotter.files.ReadOnlyFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;

/**
 * The plaintext of an encrypted snapshot file, without ever writing it anywhere: read at any position (bbolt's page
 * reads) through a cache of the least recently used decrypted chunks ({@value #CACHE_BYTES} bytes), or whole in
 * order ({@link #decryptTo}). An etcd database's leaves lie all over the file (each commit moves the rightmost
 * ones to freed pages), so a tree walk jumps about: a page it reads costs one chunk's decryption, which is why the
 * chunks are small. Where the reads go forward from chunk to chunk, as a walk through leaves written in key order
 * mostly does, the next {@value #AHEAD_BYTES} bytes of chunks are read with one call and decrypted into the cache
 * ahead of the walk, as the kernel reads ahead in a plain file; elsewhere a read decrypts only the chunk it needs.
 * Memory stays at the cache's few MiB whatever the file's size. Every byte handed out has been
 * authenticated at its place, and opening authenticates
 * the first chunk (the key is right) and the last (the file is whole), so a wrong key or a cut-off file fails
 * before anything is read.
 */
public final class SealedFile implements ReadOnlyFile {
  private static final int CACHE_BYTES = 8 << 20;
  private static final int BATCH_BYTES = 1 << 20;
  private static final int AHEAD_BYTES = 64 << 10;

  private final FileChannel file;
  private final Path path;
  private final SealedHeader header;
  private final ChunkCipher cipher;
  private final int chunk;
  private final long chunks;
  private final int lastLength;
  private final long size;
  /** A sealed chunk's length: the chunk and its tag. */
  private final int stride;
  /** Sealed chunks read together, when reading ahead. */
  private final byte[] ahead;
  private final int slots;
  /** Decrypted chunks by index, least recently used first. */
  private final LinkedHashMap<Long, byte[]> cache = new LinkedHashMap<>(64, 0.75f, true);
  /** The chunk after the last one decrypted on a miss: a miss there means the reads go forward. */
  private long next = -1;

  private SealedFile(FileChannel file, Path path, SealedHeader header, ChunkCipher cipher, long chunks,
      int lastLength) {
    this.file = file;
    this.path = path;
    this.header = header;
    this.cipher = cipher;
    this.chunk = header.chunkSize();
    this.chunks = chunks;
    this.lastLength = lastLength;
    this.size = (chunks - 1) * chunk + lastLength - ChunkCipher.TAG;
    this.stride = chunk + ChunkCipher.TAG;
    this.ahead = new byte[Math.max(1, AHEAD_BYTES / chunk) * stride];
    this.slots = Math.max(8, CACHE_BYTES / chunk);
  }

  /** Whether {@code file} is an encrypted snapshot (else it is read as it is). */
  public static boolean isEncrypted(FileChannel file) throws IOException {
    return SealedHeader.startsOne(file);
  }

  /**
   * Reads the header of an {@link #isEncrypted encrypted} file, recovers its data key through {@code keys} and
   * authenticates its first and last chunks; closing the result closes {@code file}. Fails in one line naming the
   * problem, {@code path} and what to do.
   */
  public static SealedFile open(FileChannel file, Path path, DataKeys keys) throws IOException {
    SealedHeader header = SealedHeader.read(file, path);
    long stride = header.chunkSize() + (long) ChunkCipher.TAG;
    long body = file.size() - header.length();
    long chunks = (body + stride - 1) / stride;
    long last = body - (chunks - 1) * stride;
    if (body <= 0 || last < ChunkCipher.TAG) {
      throw new IOException(path + " is encrypted but truncated: it ends " + (body <= 0 ? "after its header"
          : "inside its last chunk") + "; use another snapshot");
    }
    ChunkCipher cipher = ChunkCipher.open(header, new byte[0], keys, path.toString());
    SealedFile sealed = new SealedFile(file, path, header, cipher, chunks, (int) last);
    sealed.decrypted(0);
    sealed.decrypted(chunks - 1);
    return sealed;
  }

  /** The KMS key the file's data key is encrypted with (its ARN). */
  public String keyId() {
    return header.keyId();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public synchronized int read(ByteBuffer dst, long position) throws IOException {
    if (position >= size) {
      return -1;
    }
    int total = 0;
    for (long at = position; dst.hasRemaining() && at < size; ) {
      long index = at / chunk;
      int offset = (int) (at % chunk);
      byte[] plain = decrypted(index);
      int n = (int) Math.min(dst.remaining(), length(index) - offset);
      dst.put(plain, offset, n);
      at += n;
      total += n;
    }
    return total;
  }

  /**
   * Takes the content piece by piece: {@code piece} holds the bytes at {@code position}, and is valid only until the
   * call returns. Several threads call it at once, each with pieces of its own.
   */
  @FunctionalInterface
  public interface Sink {
    void accept(ByteBuffer piece, long position) throws IOException;
  }

  /**
   * Decrypts the whole content into {@code sink}, {@value #BATCH_BYTES} bytes of chunks at a time (one read and one
   * write each, not one per chunk), on {@code threads} threads at once, the calling one among them: each takes the
   * next batch not yet taken, so the pieces come roughly in order. The cache is left alone, so memory stays at a
   * batch per thread. The first failure stops every thread and is thrown.
   */
  public synchronized void decryptTo(Sink sink, int threads) throws IOException {
    AtomicLong nextBatch = new AtomicLong();
    List<Background<Void>> helpers = new ArrayList<>();
    try {
      for (int t = 1; t < threads; t++) {
        ChunkCipher own = cipher.twin();
        helpers.add(Background.start("decrypting " + path.getFileName(), () -> {
          decryptBatches(own, nextBatch, sink);
          return null;
        }));
      }
      decryptBatches(cipher, nextBatch, sink);
      for (Background<Void> helper : helpers) {
        helper.await();
      }
    } finally {
      nextBatch.set(chunks); // past the last batch: after a failure anywhere the others take no further one
      helpers.forEach(Background::cancel);
    }
  }

  private void decryptBatches(ChunkCipher batchCipher, AtomicLong nextBatch, Sink sink) throws IOException {
    int perBatch = Math.max(1, BATCH_BYTES / chunk);
    byte[] in = new byte[perBatch * stride];
    byte[] plain = new byte[perBatch * chunk];
    try {
      for (long first = nextBatch.getAndIncrement() * perBatch; first < chunks;
          first = nextBatch.getAndIncrement() * perBatch) {
        int count = (int) Math.min(perBatch, chunks - first);
        readSealed(first, in, (count - 1) * stride + sealedLength(first + count - 1));
        int length = 0;
        for (int i = 0; i < count; i++) {
          length += open(batchCipher, first + i, in, i * stride, plain, length);
        }
        sink.accept(ByteBuffer.wrap(plain, 0, length), first * chunk);
      }
    } catch (IOException | RuntimeException e) {
      nextBatch.set(chunks);
      throw e;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  @Override
  public Path plainPath() {
    return null;
  }

  private int length(long index) {
    return index == chunks - 1 ? lastLength - ChunkCipher.TAG : chunk;
  }

  /** Chunk {@code index}'s plaintext, from the cache or decrypted into it (with the chunks after it, read ahead). */
  private byte[] decrypted(long index) throws IOException {
    byte[] plain = cache.get(index);
    if (plain != null) {
      return plain;
    }
    int count = index == next ? (int) Math.min(ahead.length / stride, chunks - index) : 1;
    readSealed(index, ahead, (count - 1) * stride + sealedLength(index + count - 1));
    plain = decryptInto(index, 0); // a failed decryption leaves nothing cached for it
    next = index + count;
    for (int i = 1; i < count && !cache.containsKey(index + i); i++) {
      try {
        decryptInto(index + i, i * stride);
      } catch (IOException e) {
        break; // read ahead only: the chunk fails when, if ever, a read needs it
      }
    }
    return plain;
  }

  /** Decrypts the chunk sealed at {@code ahead[from]} into the cache, in the least recently used one's array. */
  private byte[] decryptInto(long index, int from) throws IOException {
    byte[] plain;
    if (cache.size() < slots) {
      plain = new byte[chunk];
    } else {
      Iterator<byte[]> eldest = cache.values().iterator();
      plain = eldest.next();
      eldest.remove();
    }
    open(index, ahead, from, plain, 0);
    cache.put(index, plain);
    return plain;
  }

  private int sealedLength(long index) {
    return index == chunks - 1 ? lastLength : stride;
  }

  /** Reads {@code length} bytes of sealed chunks, chunk {@code index} first, into {@code into}. */
  private void readSealed(long index, byte[] into, int length) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(into, 0, length);
    SealedHeader.readFully(file, in, header.length() + index * (long) stride);
    if (in.hasRemaining()) {
      throw new IOException(path + " shrank while it was read; read it again once nothing writes it");
    }
  }

  /** Authenticates and decrypts chunk {@code index}, sealed at {@code in[from]}, into {@code plain} at {@code at}. */
  private int open(long index, byte[] in, int from, byte[] plain, int at) throws IOException {
    return open(cipher, index, in, from, plain, at);
  }

  private int open(ChunkCipher with, long index, byte[] in, int from, byte[] plain, int at) throws IOException {
    try {
      return with.decrypt(index, index == chunks - 1, in, from, sealedLength(index), plain, at);
    } catch (AEADBadTagException e) {
      throw new IOException(path + ": " + failedChunk(index) + "; use another snapshot", e);
    }
  }

  private String failedChunk(long index) {
    if (index == 0) {
      return "its first chunk does not decrypt: the file is damaged at its start, its header was altered, or its"
          + " data key is not the one KMS returned" + (chunks == 1 ? ", or it is truncated" : "");
    }
    if (index == chunks - 1) {
      return "its last chunk does not decrypt: the file is truncated, was appended to, or is damaged at its end";
    }
    return "encrypted chunk " + index + " of " + chunks + " (content bytes " + index * chunk + " to "
        + ((index + 1) * chunk - 1) + ") does not decrypt: the file is damaged or was modified there";
  }

  /** Closes the file and forgets the plaintext cached. */
  @Override
  public synchronized void close() throws IOException {
    cache.values().forEach(plain -> Arrays.fill(plain, (byte) 0));
    cache.clear();
    file.close();
  }
}
