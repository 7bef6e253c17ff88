package io.etcdsnapshotter.encryption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Encrypts what is written through it into {@code out}: the header, then one chunk per {@code chunkSize} bytes. A
 * full chunk is held back until more bytes arrive, since only {@link #finish} knows which chunk is the last. Memory
 * is two chunk buffers, whatever the file's size; plaintext reaches {@code out} only encrypted.
 */
public final class SealingChannel implements GatheringByteChannel {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final GatheringByteChannel out;
  private final ChunkCipher cipher;
  private final byte[] plain;
  private final byte[] sealed;
  private int filled;
  private long index;
  private boolean finished;

  private SealingChannel(GatheringByteChannel out, ChunkCipher cipher, int chunkSize) {
    this.out = out;
    this.cipher = cipher;
    this.plain = new byte[chunkSize];
    this.sealed = new byte[chunkSize + ChunkCipher.TAG];
  }

  /** Writes the header of a new file encrypted with {@code key} in chunks of 1 MiB. */
  public static SealingChannel start(GatheringByteChannel out, DataKey key) throws IOException {
    return start(out, key, SealedHeader.DEFAULT_CHUNK);
  }

  static SealingChannel start(GatheringByteChannel out, DataKey key, int chunkSize) throws IOException {
    byte[] prefix = new byte[SealedHeader.PREFIX_BYTES];
    RANDOM.nextBytes(prefix);
    SealedHeader header = new SealedHeader(key.keyId(), key.encrypted(), chunkSize, prefix);
    byte[] dataKey = key.plaintext();
    ChunkCipher cipher;
    try {
      cipher = new ChunkCipher(dataKey, header);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
    writeAll(out, ByteBuffer.wrap(header.bytes()));
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
    int length = cipher.encrypt(index++, last, plain, filled, sealed);
    writeAll(out, ByteBuffer.wrap(sealed, 0, length));
    filled = 0;
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
