package io.etcdsnapshotter.e2e.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.fs.Sha256Sum;
import io.etcdsnapshotter.e2e.fs.TempDirectory;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import io.etcdsnapshotter.e2e.process.RunningProcess;
import io.etcdsnapshotter.e2e.restore.RestoredCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Copies to S3 end to end: a real etcd 3.6 holding a database of several upload parts, the jar's {@code snapshot}
 * copying each run to moto's S3 encrypted with a KMS key of moto's KMS, three runs with {@code keep: 2}; then
 * {@code status} and {@code restore} from the newest copy, a real etcd started on the restored data dir; a copy whose
 * bytes were changed, an upload that S3 fails halfway and one whose run is killed halfway.
 */
class S3CopyTest {
  private static final String BUCKET = "backups";
  private static final String CLUSTER_NAME = "prod";
  private static EtcdCluster etcd;
  private static MotoServer moto;
  private static S3Client s3;
  private static TempDirectory work;
  private static String kmsKey;
  private static Path passwordFile;
  private static final List<ProcessResult> runs = new ArrayList<>();
  private static final String FOREIGN = "etcd/prod/main/20000101T000000Z-1.db";

  @BeforeAll
  static void copyThreeRuns() throws InterruptedException {
    etcd = EtcdCluster.start(EtcdVersion.V3_6, 1, Security.AUTH);
    moto = MotoServer.start();
    s3 = moto.s3Client();
    work = TempDirectory.create("e2e-s3-");
    passwordFile = EtcdCluster.writePasswordFile(work.resolve("password"));
    kmsKey = moto.newKmsKey();
    s3.createBucket(r -> r.bucket(BUCKET));
    // Named as the tool names its copies, but not one of them: never expired, never taken for the newest.
    s3.putObject(r -> r.bucket(BUCKET).key(FOREIGN), RequestBody.fromString("someone else's"));
    DataSeeder.seed(etcd, "s3", 2_000);
    DataSeeder.fill(etcd, "parts", 40); // several 16 MiB parts
    for (int i = 0; i < 3; i++) {
      etcd.etcdctl().ok("put", "/registry/run", Integer.toString(i));
      runs.add(snapshot("volume", "etcd", moto.endpoint().toString()));
      Thread.sleep(1100); // copies are named by the second their snapshot was taken
    }
  }

  @AfterAll
  static void stopEverything() {
    for (AutoCloseable resource : new AutoCloseable[] {s3, etcd, moto, work}) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        // the others still need closing
      }
    }
  }

  @Test
  void copiesEachGoodSnapshotEncryptedWithKmsAndTheSha256OfItsBytes() throws IOException {
    assertThat(runs).allSatisfy(run -> {
      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.stdout()).contains("cluster main: copied snapshot.db to s3://backups/etcd/prod/main/",
          "copied snapshots.json to s3://backups/etcd/prod/snapshots.json");
    });
    S3Object newest = ours("etcd/prod/main/").get(0);
    assertThat(newest.key()).endsWith("-" + index("volume").path("revision").asText() + ".db");
    HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key(newest.key()));
    assertThat(head.metadata()).containsEntry("sha256", Sha256Sum.of(work.resolve("volume/snapshot.db")))
        .containsEntry("created-by", "etcd-snapshotter").containsEntry("cluster-name", CLUSTER_NAME)
        .containsEntry("etcd-cluster-id", index("volume").path("clusterId").asText());
    assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AWS_KMS);
    assertThat(head.ssekmsKeyId()).contains(kmsKey);
    assertThat(s3.getObjectAsBytes(r -> r.bucket(BUCKET).key("etcd/prod/snapshots.json")).asUtf8String())
        .isEqualTo(Files.readString(work.resolve("volume/snapshots.json")));
  }

  @Test
  void keepsTheNewestTwoOfItsOwnCopiesAndLeavesOthersAlone() {
    assertThat(ours("etcd/prod/main/")).hasSize(2);
    assertThat(keys("etcd/prod/main/")).contains(FOREIGN).hasSize(3);
    assertThat(runs.get(2).stdout()).contains("; expired etcd/prod/main/");
  }

  @Test
  void statusOfTheNewestCopyIsThatOfTheFileOnTheVolume() {
    ProcessResult remote = Jar.run(MotoServer.CREDENTIALS, "status", "s3://backups/etcd/prod/main/latest",
        "--s3-endpoint", moto.endpoint().toString(), "-w", "json");
    ProcessResult local = Jar.run("status", work.resolve("volume/snapshot.db").toString(), "-w", "json");

    assertThat(remote.exitCode()).as(remote.toString()).isZero();
    assertThat(remote.stdout()).isEqualTo(local.orThrow().stdout());
  }

  @Test
  void restoresTheNewestCopyIntoADataDirThatEtcdStartsFrom() throws IOException {
    Path dir = Files.createDirectory(work.resolve("restored"));
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
    RestoredCluster.Node node = nodes.get(0);

    ProcessResult restore = Jar.run(MotoServer.CREDENTIALS, "restore", "s3://backups/etcd/prod/main/latest",
        "--s3-endpoint", moto.endpoint().toString(), "--data-dir", node.dataDir().toString(), "--name", node.name(),
        "--initial-cluster", RestoredCluster.initialCluster(nodes), "--initial-advertise-peer-urls", node.peerUrl());

    assertThat(restore.exitCode()).as(restore.toString()).isZero();
    assertThat(restore.stdout()).startsWith("restored s3://backups/etcd/prod/main/" + ours("etcd/prod/main/").get(0)
        .key().substring("etcd/prod/main/".length()) + " into ");
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).as("the downloaded copy is deleted").containsExactly(node.dataDir());
    }
    try (RestoredCluster restored = RestoredCluster.start(EtcdVersion.V3_6, nodes, dir)) {
      assertThat(restored.etcdctl(node).ok("get", "/registry/run", "--print-value-only").trim()).isEqualTo("2");
    }
  }

  @Test
  void aCopyWhoseBytesChangedIsRefusedInOneLineAndNothingIsWritten() throws IOException {
    String original = ours("etcd/prod/main/").get(0).key();
    String tampered = "tampered/" + original;
    HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key(original));
    byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(original)).asByteArray();
    bytes[bytes.length / 2] ^= 1;
    s3.putObject(r -> r.bucket(BUCKET).key(tampered).metadata(head.metadata()), RequestBody.fromBytes(bytes));
    Path dir = Files.createDirectory(work.resolve("tampered"));

    ProcessResult restore = Jar.run(MotoServer.CREDENTIALS, "restore", "s3://backups/" + tampered,
        "--s3-endpoint", moto.endpoint().toString(), "--data-dir", dir.resolve("data").toString());
    ProcessResult verify = Jar.run(MotoServer.CREDENTIALS, "verify", "s3://backups/" + tampered,
        "--s3-endpoint", moto.endpoint().toString(), "--scratch-dir", dir.toString());

    for (ProcessResult run : List.of(restore, verify)) {
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
      assertThat(Jar.messages(run)).singleElement().asString().contains("s3://backups/" + tampered + " is damaged:"
          + " its metadata records sha256 " + head.metadata().get("sha256"), "nothing was restored from it");
    }
    assertThat(restore.stdout()).isEmpty();
    assertThat(verify.stdout()).isEmpty();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).as("no data dir, no scratch file").isEmpty();
    }
  }

  @Test
  void anUploadS3FailsHalfwayFailsTheRunInOneLineAndLeavesNoObjectNorParts() {
    try (FaultyS3 proxy = FaultyS3.start(moto.endpoint(), FaultyS3.Fault.FAIL)) {
      ProcessResult run = snapshot("torn", "torn", proxy.endpoint().toString());

      assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
      assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
      assertThat(Jar.messages(run)).singleElement().asString()
          .startsWith("etcd-snapshotter snapshot: cluster main: the S3 copy of snapshot.db failed: S3 at "
              + proxy.endpoint() + ": cannot upload part 2 of ")
              .contains(" of s3://backups/torn/prod/main/")
          .endsWith("snapshot.db (revision " + index("torn").path("revision").asText() + ") stays valid on the"
              + " volume");
    }
    assertThat(keys("torn/")).isEmpty();
    assertThat(s3.listMultipartUploads(r -> r.bucket(BUCKET).prefix("torn/")).uploads()).isEmpty();
    assertThat(work.resolve("torn/snapshot.db")).isRegularFile();
  }

  @Test
  void anUploadKilledHalfwayNeverLooksWholeAndTheNextRunAbortsIt() throws InterruptedException {
    try (FaultyS3 proxy = FaultyS3.start(moto.endpoint(), FaultyS3.Fault.HANG);
        RunningProcess killed = Jar.start(MotoServer.CREDENTIALS, snapshotArgs("killed", "killed",
            proxy.endpoint().toString()))) {
      proxy.awaitFault();
      killed.kill();
    }
    assertThat(keys("killed/")).isEmpty();
    assertThat(s3.listMultipartUploads(r -> r.bucket(BUCKET).prefix("killed/")).uploads()).hasSize(1);
    ProcessResult resolve = Jar.run(MotoServer.CREDENTIALS, "fetch", "--resolve", "s3://backups/killed/prod/main/latest",
        "--s3-endpoint", moto.endpoint().toString());
    assertThat(resolve.exitCode()).as(resolve.toString()).isEqualTo(1);
    assertThat(Jar.messages(resolve)).singleElement().asString()
        .contains("no snapshot copy made by etcd-snapshotter under s3://backups/killed/prod/main/");

    ProcessResult next = snapshot("killed", "killed", moto.endpoint().toString());

    assertThat(next.exitCode()).as(next.toString()).isZero();
    assertThat(s3.listMultipartUploads(r -> r.bucket(BUCKET).prefix("killed/")).uploads()).isEmpty();
    assertThat(ours("killed/prod/main/")).hasSize(1);
  }

  private static ProcessResult snapshot(String volume, String prefix, String endpoint) {
    return Jar.run(MotoServer.CREDENTIALS, snapshotArgs(volume, prefix, endpoint));
  }

  private static String[] snapshotArgs(String volume, String prefix, String endpoint) {
    Path config = work.resolve(volume + ".yaml");
    try {
      Files.writeString(config, "s3:\n  keep: 2\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new String[] {"snapshot", "--config", config.toString(), "--dir", work.resolve(volume).toString(),
        "--cluster", "main=" + etcd.endpoints(), "--user", EtcdCluster.USER, "--password-file",
        passwordFile.toString(), "--cluster-name", CLUSTER_NAME, "--s3-bucket", BUCKET, "--s3-prefix", prefix,
        "--s3-endpoint", endpoint, "--s3-kms-key-id", kmsKey};
  }

  /** The copies of this tool under {@code prefix}, newest first. */
  private static List<S3Object> ours(String prefix) {
    return s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(prefix)).contents().stream()
        .filter(o -> "etcd-snapshotter".equals(s3.headObject(r -> r.bucket(BUCKET).key(o.key())).metadata()
            .get("created-by")))
        .sorted((a, b) -> b.key().compareTo(a.key())).toList();
  }

  private static List<String> keys(String prefix) {
    return s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
  }

  private static JsonNode index(String volume) {
    try {
      return Json.parse(Files.readString(work.resolve(volume).resolve("snapshots.json"))).path("clusters")
          .path("main");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
