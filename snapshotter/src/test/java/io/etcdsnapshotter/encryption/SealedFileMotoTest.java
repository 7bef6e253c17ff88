package io.etcdsnapshotter.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcdsnapshotter.aws.AwsException;
import io.etcdsnapshotter.aws.Kms;
import io.etcdsnapshotter.aws.MotoServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The encrypted file format with data keys from a real KMS API (moto_server): what goes in comes out at every chunk
 * boundary, and any change to the file (cut, reordered, spliced, a flipped bit) or a wrong key is refused with one
 * line naming the file.
 */
class SealedFileMotoTest {
  private static final int CHUNK = 4096;
  private static final byte[] SECRET = "the-cluster's-secret-value".getBytes(StandardCharsets.US_ASCII);
  private static MotoServer moto;
  private static KmsClient admin;
  private static Kms kms;
  private static String keyArn;

  @TempDir Path tmp;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.start();
    admin = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(MotoServer.REGION))
        .endpointOverride(moto.endpoint()).build();
    kms = Kms.connect(MotoServer.REGION, moto.endpoint(), false);
    keyArn = newKey();
  }

  @AfterAll
  static void stopMoto() {
    if (kms != null) {
      kms.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17, 20 * CHUNK, 700 * CHUNK + 5})
  void whatIsWrittenReadsBackWholeAndAtEveryPosition(int length) throws IOException {
    byte[] plain = content(length);
    Path file = seal(plain, dataKey());

    assertThat(contains(Files.readAllBytes(file), SECRET)).as("the plaintext is somewhere in the file").isFalse();
    try (SealedFile sealed = open(file, kmsKeys())) {
      assertThat(sealed.size()).isEqualTo(length);
      assertThat(sealed.keyId()).isEqualTo(keyArn);
      assertThat(decryptAll(sealed)).isEqualTo(plain);
      assertThat(readAt(sealed, 0, length)).as("one read of the whole").isEqualTo(plain);
      Random random = new Random(length);
      for (int i = 0; i < 200 && length > 0; i++) { // more chunks than the cache holds, in any order
        int from = random.nextInt(length);
        int n = 1 + random.nextInt(Math.min(length - from, 3 * CHUNK));
        assertThat(readAt(sealed, from, n)).isEqualTo(Arrays.copyOfRange(plain, from, from + n));
      }
      assertThat(sealed.read(ByteBuffer.allocate(1), length)).as("at the end").isEqualTo(-1);
    }
  }

  @Test
  void aFileCutAnywhereAfterItsMagicIsRefused() throws IOException {
    try (DataKey key = dataKey()) {
      Path whole = seal(content(3 * CHUNK + 100), key);
      byte[] bytes = Files.readAllBytes(whole);
      List<Integer> opened = new ArrayList<>();
      for (int end = 8; end < bytes.length; end++) {
        Path cut = tmp.resolve("cut");
        Files.write(cut, Arrays.copyOf(bytes, end));
        try (SealedFile sealed = open(cut, key.reader())) {
          decryptAll(sealed);
          opened.add(end);
        } catch (IOException e) {
          assertThat(e.getMessage()).contains(cut.toString()).doesNotContain("\n")
              .containsAnyOf("truncated", "does not decrypt");
        }
      }
      assertThat(opened).as("cuts that read as a whole file").isEmpty();
    }
  }

  @Test
  void swappedChunksAreRefusedAtTheirPlace() throws IOException {
    Path file = seal(content(4 * CHUNK), dataKey());
    byte[] bytes = Files.readAllBytes(file);
    int stride = CHUNK + ChunkCipher.TAG;
    int header = bytes.length - 4 * stride; // four full chunks, the last one marked so
    byte[] swapped = bytes.clone();
    System.arraycopy(bytes, header + stride, swapped, header + 2 * stride, stride);
    System.arraycopy(bytes, header + 2 * stride, swapped, header + stride, stride);
    Files.write(file, swapped);

    try (SealedFile sealed = open(file, kmsKeys())) {
      assertThat(readAt(sealed, 0, CHUNK)).as("chunk 0 is untouched").isEqualTo(Arrays.copyOf(content(CHUNK), CHUNK));
      assertThatThrownBy(() -> readAt(sealed, CHUNK, 1)).isInstanceOf(IOException.class)
          .hasMessage(file + ": encrypted chunk 1 of 4 (content bytes 4096 to 8191) does not decrypt: the file is"
              + " damaged or was modified there; use another snapshot");
    }
  }

  /**
   * Page reads going forward through many chunks, as a tree walk's, are served by chunks decrypted ahead of them:
   * each page holds its own bytes, a damaged chunk read ahead fails the read that reaches it, in the same words as
   * anywhere else, and the pages after it read again.
   */
  @Test
  void forwardPageReadsMeetADamagedChunkWhereItIs() throws IOException {
    int chunks = 300;
    byte[] plain = content(chunks * CHUNK);
    Path file = seal(plain, dataKey());
    byte[] bytes = Files.readAllBytes(file);
    int stride = CHUNK + ChunkCipher.TAG;
    bytes[bytes.length - (chunks - 200) * stride + 7] ^= 1; // inside chunk 200
    Files.write(file, bytes);

    try (SealedFile sealed = open(file, kmsKeys())) {
      for (int page = 0; page < chunks; page++) {
        byte[] expected = Arrays.copyOfRange(plain, page * CHUNK, (page + 1) * CHUNK);
        if (page == 200) {
          assertThatThrownBy(() -> readAt(sealed, 200L * CHUNK, CHUNK)).isInstanceOf(IOException.class)
              .hasMessage(file + ": encrypted chunk 200 of 300 (content bytes 819200 to 823295) does not decrypt: the"
                  + " file is damaged or was modified there; use another snapshot");
        } else {
          assertThat(readAt(sealed, (long) page * CHUNK, CHUNK)).as("page %d", page).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void aChunkFromAnotherFileIsRefusedEvenUnderTheSameDataKey() throws IOException {
    try (DataKey key = dataKey()) {
      Path a = seal(content(3 * CHUNK), key);
      byte[] other = content(3 * CHUNK);
      other[CHUNK + 5] ^= 1;
      Path b = seal(other, key);
      byte[] spliced = Files.readAllBytes(a);
      byte[] fromB = Files.readAllBytes(b);
      int chunk1 = spliced.length - 2 * (CHUNK + ChunkCipher.TAG);
      System.arraycopy(fromB, chunk1, spliced, chunk1, CHUNK + ChunkCipher.TAG);
      Files.write(a, spliced);

      assertThatThrownBy(() -> {
        try (SealedFile sealed = open(a, key.reader())) {
          decryptAll(sealed);
        }
      }).isInstanceOf(IOException.class).hasMessageContaining("encrypted chunk 1 of 3");
    }
  }

  @Test
  void aFlippedBitAnywhereIsRefused() throws IOException {
    try (DataKey key = dataKey()) {
      byte[] bytes = Files.readAllBytes(seal(content(2 * CHUNK + 10), key));
      List<Integer> accepted = new ArrayList<>();
      for (int at = 0; at < bytes.length; at += at < 600 ? 1 : 61) { // every byte of the header, then a sample
        byte[] flipped = bytes.clone();
        flipped[at] ^= (byte) (1 << (at % 8));
        Path file = tmp.resolve("flipped");
        Files.write(file, flipped);
        try (FileChannel channel = FileChannel.open(file)) {
          if (!SealedFile.isEncrypted(channel)) {
            continue; // a damaged magic: read as a plain file, which bbolt then refuses
          }
        }
        try (SealedFile sealed = open(file, key.reader())) {
          decryptAll(sealed);
          accepted.add(at);
        } catch (IOException e) {
          assertThat(e.getMessage()).contains(file.toString()).doesNotContain("\n");
        }
      }
      assertThat(accepted).as("offsets whose flipped bit went unnoticed").isEmpty();
    }
  }

  @Test
  void anotherFilesDataKeyOpensNothing() throws IOException {
    Path file = seal(content(2 * CHUNK), dataKey());
    try (DataKey other = dataKey()) {
      DataKeys wrong = (id, blob) -> other.plaintext();
      assertThatThrownBy(() -> open(file, wrong)).isInstanceOf(IOException.class)
          .hasMessageStartingWith(file + ": its first chunk does not decrypt");
    }
  }

  @Test
  void aKeyKmsDidNotUseIsRefusedInOneLineNamingKeyAndPermission() throws IOException {
    String otherKey = newKey();
    Path file = seal(content(CHUNK), dataKey());
    DataKeys asOtherKey = (id, blob) -> decrypt(otherKey, blob);
    assertThatThrownBy(() -> open(file, asOtherKey)).isInstanceOf(IOException.class)
        .hasMessageStartingWith(file + ": cannot decrypt its data key: KMS at " + moto.endpoint()
            + ": cannot decrypt the data key with KMS key " + otherKey)
        .hasMessageContaining("kms:Decrypt").hasMessageNotContaining("\n");
  }

  private static String newKey() {
    return admin.createKey(r -> r.description("etcd-snapshotter test")).keyMetadata().arn();
  }

  private static DataKey dataKey() {
    Kms.GeneratedKey generated = kms.generateDataKey(keyArn);
    return new DataKey(generated.keyArn(), generated.plaintext(), generated.encrypted());
  }

  private static DataKeys kmsKeys() {
    return SealedFileMotoTest::decrypt;
  }

  private static byte[] decrypt(String keyId, byte[] blob) throws IOException {
    try {
      return kms.decrypt(keyId, blob);
    } catch (AwsException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Distinct bytes with the secret at every chunk's start. */
  private static byte[] content(int length) {
    byte[] plain = new byte[length];
    new Random(42).nextBytes(plain);
    for (int at = 0; at + SECRET.length <= length; at += CHUNK) {
      System.arraycopy(SECRET, 0, plain, at, SECRET.length);
    }
    return plain;
  }

  private Path seal(byte[] plain, DataKey key) throws IOException {
    Path file = Files.createTempFile(tmp, "sealed", ".db");
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE);
        SealingChannel sealing = SealingChannel.start(out, key, CHUNK)) {
      int half = plain.length / 2; // two writes: a chunk that spans them is sealed whole
      sealing.write(new ByteBuffer[] {ByteBuffer.wrap(plain, 0, half), ByteBuffer.wrap(plain, half, 0)});
      sealing.write(ByteBuffer.wrap(plain, half, plain.length - half));
      sealing.finish();
    }
    return file;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }

  private static SealedFile open(Path file, DataKeys keys) throws IOException {
    return SealedFile.open(FileChannel.open(file), file, keys);
  }

  /** On two threads, each piece put where its position says, as a restore writes them. */
  private static byte[] decryptAll(SealedFile sealed) throws IOException {
    byte[] all = new byte[(int) sealed.size()];
    sealed.decryptTo((piece, position) -> piece.get(all, (int) position, piece.remaining()), 2);
    return all;
  }

  private static byte[] readAt(SealedFile sealed, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      int n = sealed.read(buf, position + buf.position());
      if (n < 0) {
        break;
      }
    }
    return buf.array();
  }
}
