package io.etcdsnapshotter.s3;

import io.etcdsnapshotter.Bytes;
import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.aws.AwsException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * One file copied into an object by a multipart upload, streamed from the file part by part (a few parts in flight,
 * none held in memory), with the SHA-256 of the file in the object's metadata and each part's checked by S3 on
 * arrival. Until S3 completes the upload the object does not exist; an upload that fails is aborted, so a torn copy
 * never looks whole.
 */
public final class ObjectUpload {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectUpload.class);
  /** Parts in flight at once: enough to keep a link busy while one part waits for its answer. */
  private static final int IN_FLIGHT = 4;
  private final S3 s3;
  private final String bucket;
  private final Encryption encryption;

  /** How S3 encrypts what it stores: {@code aws:kms} with a key (null: the bucket's or AWS's default), or AES256. */
  public record Encryption(String algorithm, String kmsKeyId) {}

  public ObjectUpload(S3 s3, String bucket, Encryption encryption) {
    this.s3 = s3;
    this.bucket = bucket;
    this.encryption = encryption;
  }

  /** Copies {@code file} to {@code key} with {@code metadata} and its SHA-256; returns that SHA-256 (hex). */
  public String upload(Path file, String key, Map<String, String> metadata) throws IOException {
    return upload(FileParts.read(file), key, metadata);
  }

  /**
   * As {@link #upload(Path, String, Map)}, with the {@code hashes} taken as {@code file} was written (null: none
   * could be, and the file is read for them first).
   */
  public String upload(Path file, PartHashes hashes, String key, Map<String, String> metadata) throws IOException {
    return upload(hashes == null ? FileParts.read(file) : FileParts.hashed(file, hashes), key, metadata);
  }

  private String upload(FileParts parts, String key, Map<String, String> metadata) throws IOException {
    PartHashes hashes = parts.hashes();
    Map<String, String> all = new LinkedHashMap<>(metadata);
    all.put(SnapshotObjects.SHA256, hashes.sha256());
    String target = "s3://" + bucket + "/" + key;
    String uploadId = s3.call("start the upload of " + target, () -> s3.client()
        .createMultipartUpload(create(key, all)).uploadId());
    try {
      List<CompletedPart> done = sendParts(parts, key, uploadId, target);
      s3.call("complete the upload of " + target, () -> s3.client().completeMultipartUpload(r -> r.bucket(bucket)
          .key(key).uploadId(uploadId).multipartUpload(u -> u.parts(done))));
    } catch (IOException | RuntimeException e) {
      abort(key, uploadId, target, e);
      throw e;
    }
    LOG.atInfo().addKeyValue("object", target).addKeyValue("bytes", hashes.size())
        .log("uploaded {} to {} ({}, {} parts, sha256 {})", parts.file(), target, Bytes.human(hashes.size()),
            hashes.count(), hashes.sha256());
    return hashes.sha256();
  }

  private CreateMultipartUploadRequest create(String key, Map<String, String> metadata) {
    CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
        .metadata(metadata).checksumAlgorithm(ChecksumAlgorithm.SHA256)
        .serverSideEncryption(ServerSideEncryption.fromValue(encryption.algorithm()));
    if (encryption.kmsKeyId() != null) {
      request.ssekmsKeyId(encryption.kmsKeyId());
    }
    return request.build();
  }

  private List<CompletedPart> sendParts(FileParts parts, String key, String uploadId, String target)
      throws IOException {
    int count = parts.hashes().count();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(IN_FLIGHT, count), r -> {
      Thread thread = new Thread(r, "s3-upload");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<CompletedPart>> sent = new ArrayList<>();
      for (int number = 1; number <= count; number++) {
        int part = number;
        sent.add(pool.submit(() -> send(parts, part, key, uploadId, target)));
      }
      List<CompletedPart> done = new ArrayList<>();
      for (Future<CompletedPart> future : sent) {
        done.add(await(future));
      }
      done.sort(Comparator.comparing(CompletedPart::partNumber));
      return done;
    } finally {
      pool.shutdownNow();
    }
  }

  private CompletedPart send(FileParts parts, int number, String key, String uploadId, String target) {
    String checksum = parts.hashes().sha256Base64(number);
    String etag = s3.call("upload part " + number + " of " + parts.hashes().count() + " of " + target, () -> s3.client()
        .uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
            .contentLength(parts.length(number)).checksumSHA256(checksum),
            RequestBody.fromContentProvider(parts.content(number), parts.length(number),
                "application/octet-stream"))
        .eTag());
    return CompletedPart.builder().partNumber(number).eTag(etag).checksumSHA256(checksum).build();
  }

  private static CompletedPart await(Future<CompletedPart> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while uploading", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(OneLine.message(e.getCause()), e.getCause());
    }
  }

  /** Best effort: an upload that cannot be aborted now is aborted by the next run ({@link SnapshotObjects}). */
  private void abort(String key, String uploadId, String target, Exception cause) {
    try {
      s3.call("abort the upload of " + target, () -> s3.client()
          .abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)));
    } catch (AwsException e) {
      cause.addSuppressed(e);
      LOG.warn("{}; the next run aborts it", e.getMessage());
    }
  }
}
