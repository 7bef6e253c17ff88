package io.etcdsnapshotter.encryption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;

/**
 * Encrypts what is written through it into {@code out}: the header, then one chunk per {@code chunkSize} bytes. A
 * full chunk is held back until more bytes arrive, since only {@link #finish} knows which chunk is the last. Memory
 * is one chunk and a batch of sealed ones, whatever the file's size; plaintext reaches {@code out} only encrypted.
 */
public final class SealingChannel implements GatheringByteChannel {
  private static final int BATCH_BYTES = 256 << 10;

  private final GatheringByteChannel out;
  private final ChunkCipher cipher;
  private final byte[] plain;
  private final byte[] sealed;
  private int filled;
  /** Sealed bytes not yet written out. */
  private int pending;
  private long index;
  private boolean finished;

  private SealingChannel(GatheringByteChannel out, ChunkCipher cipher, int chunkSize) {
    this.out = out;
    this.cipher = cipher;
    this.plain = new byte[chunkSize];
    // Sealed chunks go out together, so small chunks cost no more system calls than big ones.
    this.sealed = new byte[Math.max(1, BATCH_BYTES / chunkSize) * (chunkSize + ChunkCipher.TAG)];
  }

  /** Writes the header of a new file encrypted with {@code key} in chunks of {@link SealedHeader#DEFAULT_CHUNK}. */
  public static SealingChannel start(GatheringByteChannel out, DataKey key) throws IOException {
    return start(out, key, SealedHeader.DEFAULT_CHUNK);
  }

  static SealingChannel start(GatheringByteChannel out, DataKey key, int chunkSize) throws IOException {
    ChunkCipher cipher = ChunkCipher.create(key, chunkSize, new byte[0]);
    writeAll(out, ByteBuffer.wrap(cipher.header().bytes()));
    return new SealingChannel(out, cipher, chunkSize);
  }

  @Override
  public int write(ByteBuffer source) throws IOException {
    return (int) write(new ByteBuffer[] {source}, 0, 1);
  }

  @Override
  public long write(ByteBuffer[] sources) throws IOException {
    return write(sources, 0, sources.length);
  }

  @Override
  public long write(ByteBuffer[] sources, int offset, int count) throws IOException {
    if (finished) {
      throw new IOException("the encrypted file is already finished");
    }
    long length = 0;
    for (int i = offset; i < offset + count; i++) {
      ByteBuffer source = sources[i];
      length += source.remaining();
      while (source.hasRemaining()) {
        if (filled == plain.length) {
          seal(false);
        }
        int n = Math.min(source.remaining(), plain.length - filled);
        source.get(plain, filled, n);
        filled += n;
      }
    }
    return length;
  }

  /** Writes the last chunk (empty if nothing was written); the file is then whole. */
  public void finish() throws IOException {
    seal(true);
    finished = true;
    Arrays.fill(plain, (byte) 0);
  }

  private void seal(boolean last) throws IOException {
    if (pending + plain.length + ChunkCipher.TAG > sealed.length) {
      writeAll(out, ByteBuffer.wrap(sealed, 0, pending));
      pending = 0;
    }
    pending += cipher.encrypt(index++, last, plain, filled, sealed, pending);
    filled = 0;
    if (last) {
      writeAll(out, ByteBuffer.wrap(sealed, 0, pending));
      pending = 0;
    }
  }

  private static void writeAll(GatheringByteChannel out, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      out.write(buf);
    }
  }

  @Override
  public boolean isOpen() {
    return out.isOpen();
  }

  /** Forgets the plaintext still held; the caller closes {@code out}. */
  @Override
  public void close() {
    Arrays.fill(plain, (byte) 0);
  }
}
