package io.etcdsnapshotter.aws;

import java.net.URI;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * KMS as the envelope encryption of snapshot files uses it: a new 256-bit data key per file (GenerateDataKey), and
 * the data key of a file being read recovered (Decrypt, naming the key, so a blob of another key is refused). Both
 * carry the encryption context {@code etcd-snapshotter=snapshot}, which KMS binds to the encrypted data key and logs
 * in CloudTrail, and which IAM policies may require.
 */
public final class Kms implements AutoCloseable {
  public static final Map<String, String> CONTEXT = Map.of("etcd-snapshotter", "snapshot");
  private final KmsClient client;
  private final String where;

  private Kms(KmsClient client, String where) {
    this.client = client;
    this.where = where;
  }

  /** As {@link Ec2#connect(String, URI, boolean)}, for KMS. */
  public static Kms connect(String region, URI endpoint, boolean instanceMetadata) {
    return new Kms(SdkClients.build(KmsClient.builder(), region, endpoint, instanceMetadata),
        endpoint == null ? "KMS" : "KMS at " + endpoint);
  }

  /** A new data key; the caller zeroes {@link GeneratedKey#plaintext} when done with it. */
  public GeneratedKey generateDataKey(String keyId) {
    GenerateDataKeyResponse response = call("generate a data key with KMS key " + keyId,
        "kms:GenerateDataKey", () -> client.generateDataKey(r -> r.keyId(keyId).keySpec(DataKeySpec.AES_256)
            .encryptionContext(CONTEXT)));
    return new GeneratedKey(response.keyId(), response.plaintext().asByteArray(),
        response.ciphertextBlob().asByteArray());
  }

  /** The plaintext of a data key that KMS key {@code keyArn} encrypted; the caller zeroes it. */
  public byte[] decrypt(String keyArn, byte[] encryptedKey) {
    return call("decrypt the data key with KMS key " + keyArn, "kms:Decrypt",
        () -> client.decrypt(r -> r.keyId(keyArn).ciphertextBlob(SdkBytes.fromByteArray(encryptedKey))
            .encryptionContext(CONTEXT))).plaintext().asByteArray();
  }

  private <T> T call(String action, String permission, Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkException e) {
      throw new AwsException(where + ": cannot " + action + ": " + AwsException.reason(e) + " (this needs " + permission
          + " on that key: see docs/aws.md)", e);
    }
  }

  /**
   * A data key as KMS made it: {@code keyArn} the KMS key's ARN, {@code plaintext} the key itself (never to be
   * written anywhere), {@code encrypted} the key under the KMS key, which the file stores.
   */
  public record GeneratedKey(String keyArn, byte[] plaintext, byte[] encrypted) {}

  @Override
  public void close() {
    client.close();
  }
}
