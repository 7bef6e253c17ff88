package io.etcdsnapshotter.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SealedHeaderTest {
  private static final String ARN = "arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab";
  /** Where the key id's length lies: after magic, version, chunk size and nonce prefix. */
  private static final int ID_LENGTH_AT = 8 + 1 + 4 + SealedHeader.PREFIX_BYTES;

  @Test
  void aHeaderReadsBackAsWritten() throws IOException {
    SealedHeader written = header();
    SealedHeader read = SealedHeader.parse(ByteBuffer.wrap(written.bytes()), "f is encrypted but", "snapshot");
    assertThat(read.keyId()).isEqualTo(ARN);
    assertThat(read.encryptedKey()).isEqualTo(written.encryptedKey());
    assertThat(read.chunkSize()).isEqualTo(SealedHeader.DEFAULT_CHUNK);
  }

  /**
   * A flipped bit in the key id's length reads the id on into the encrypted data key: refused as damage in one line
   * that holds none of those bytes, whatever they are (they differ with every data key).
   */
  @Test
  void aKeyIdRunningIntoTheBytesAfterItIsDamageNamedInOneLine() {
    byte[] bytes = header().bytes();
    ByteBuffer.wrap(bytes).putShort(ID_LENGTH_AT, (short) (ARN.length() + 4));

    assertThatThrownBy(() -> SealedHeader.parse(ByteBuffer.wrap(bytes), "f is encrypted but", "snapshot"))
        .isInstanceOf(IOException.class)
        .hasMessage("f is encrypted but its encryption header is damaged (a key id of " + (ARN.length() + 4)
            + " bytes that are not all printable ASCII, as every KMS key id, alias and ARN is); use another snapshot");
  }

  private static SealedHeader header() {
    byte[] encryptedKey = new byte[184];
    encryptedKey[1] = '\n'; // bytes a message must never show
    return new SealedHeader(ARN, encryptedKey, SealedHeader.DEFAULT_CHUNK, new byte[SealedHeader.PREFIX_BYTES]);
  }
}
