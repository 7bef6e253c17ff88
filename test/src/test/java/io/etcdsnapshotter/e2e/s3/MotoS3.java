package io.etcdsnapshotter.e2e.s3;

import io.etcdsnapshotter.aws.MotoServer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Clients of moto's S3 and KMS, for arranging and checking what the jar did there. */
final class MotoS3 {
  private MotoS3() {}

  static S3Client s3(MotoServer moto) {
    return S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.of(MotoServer.REGION))
        .endpointOverride(moto.endpoint()).forcePathStyle(true).build();
  }

  /** A new symmetric KMS key's id. */
  static String newKey(MotoServer moto) {
    try (KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create())
        .region(Region.of(MotoServer.REGION)).endpointOverride(moto.endpoint()).build()) {
      return kms.createKey(r -> r.description("etcd snapshot copies")).keyMetadata().keyId();
    }
  }
}
