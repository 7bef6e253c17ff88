package io.etcdsnapshotter.e2e.salt;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.Etcdctl;
import io.etcdsnapshotter.e2e.fs.Sha256Sum;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The restore runbook from the S3 copies: kubernetes.etcd.restored with pillar etcd_restore:s3 fetches each cluster's
 * copy (the newest, or the one pinned) with the jar, checked against the sha256 its metadata records, and restores
 * both clusters from them. etcd main and events run from the manifests of kubernetes.etcd.configured (a
 * {@link Kubelet}); the jar's snapshot run copies its files to moto's S3.
 */
@ResourceLock(ThreeMasters.LOCK)
class EtcdRestoredFromS3Test {
  private static final String SLS = "kubernetes.etcd.restored";
  private static final String BUCKET = "backups";
  /** Where the master's pillar (SaltCall) fetches the copies to. */
  private static final List<String> DOWNLOADED = List.of("var/lib/etcd-restore-s3/snapshot.db",
      "var/lib/etcd-restore-s3/snapshot-events.db");

  @TempDir Path root;
  private OneMaster master;
  private MotoServer moto;
  private S3Client s3;
  private SaltCall salt;
  private Etcdctl main;
  private Etcdctl events;
  private Path snapshots;

  @BeforeEach
  void masterWithEtcdRunningAndItsCopiesInS3() throws Exception {
    master = OneMaster.start(root);
    salt = master.salt;
    main = master.main;
    events = master.events;
    moto = MotoServer.start();
    s3 = moto.s3Client();
    s3.createBucket(r -> r.bucket(BUCKET));

    main.ok("put", "/registry/pods/default/kept", "from the snapshot");
    events.ok("put", "/registry/events/default/kept", "event");
    snapshots = Files.createDirectories(root.resolve("snapshots"));
    ProcessResult saved = Jar.run(MotoServer.CREDENTIALS, "snapshot", "--dir", snapshots.toString(),
        "--cluster", "main=" + master.mainUrl, "--cluster", "events=" + master.eventsUrl, "--cluster-name", "prod",
        "--s3-bucket", BUCKET, "--s3-prefix", "etcd", "--s3-endpoint", moto.endpoint().toString());
    assertThat(saved.exitCode()).as("%s", saved).isZero();
    main.ok("put", "/registry/pods/default/lost", "after the snapshot");
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (master != null) {
      master.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void oneApplyFetchesTheNewestCopiesAndRestoresBothClustersAndAgainChangesNoCluster() throws Exception {
    StateRun restored = salt.apply(SLS, pillar(""), MotoServer.CREDENTIALS);

    assertThat(restored.succeeded()).as("%s", restored).isTrue();
    master.assertServesTheSnapshot();
    assertThat(salt.path("var/etcd/data/.etcd-snapshotter-restored-sha256"))
        .as("the copy restored is the file the run saved")
        .hasContent(Sha256Sum.of(snapshots.resolve("snapshot.db")) + "\n");
    assertThat(salt.path("var/etcd/data-events/.etcd-snapshotter-restored-sha256"))
        .hasContent(Sha256Sum.of(snapshots.resolve("snapshot-events.db")) + "\n");
    assertThat(DOWNLOADED).as("each fetched copy, every Secret of its cluster, is gone once its cluster runs")
        .allSatisfy(file -> assertThat(salt.path(file)).doesNotExist());

    main.ok("put", "/registry/pods/default/new", "written after the restore");
    StateRun again = salt.apply(SLS, pillar(""), MotoServer.CREDENTIALS);

    assertThat(again.succeeded()).as("%s", again).isTrue();
    assertThat(again.changed()).as("%s", again).extracting(StateRun.State::id)
        .allSatisfy(id -> assertThat(id).matches(".*-(fetch|fetched-removed)"));
    assertThat(DOWNLOADED).allSatisfy(file -> assertThat(salt.path(file)).doesNotExist());
    assertThat(main.ok("get", "--print-value-only", "/registry/pods/default/new"))
        .isEqualTo("written after the restore\n");
  }

  @Test
  void aPinnedCopyWhoseBytesChangedStopsNothing() throws Exception {
    String original = copyOf("etcd/prod/events/").key();
    String tampered = "tampered/" + original;
    HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key(original));
    byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(original)).asByteArray();
    bytes[bytes.length / 2] ^= 1;
    s3.putObject(r -> r.bucket(BUCKET).key(tampered).metadata(head.metadata()), RequestBody.fromBytes(bytes));

    StateRun run = salt.apply(SLS, pillar("    objects: {main: " + copyOf("etcd/prod/main/").key() + ", events: "
        + tampered + "}\n"), MotoServer.CREDENTIALS);

    assertThat(run.succeeded()).as("%s", run).isFalse();
    assertThat(run.toString()).contains(tampered, "damaged");
    assertThat(salt.path("etc/kubernetes/manifests/etcd.manifest")).isRegularFile();
    assertThat(salt.path("etc/kubernetes/manifests/etcd-events.manifest")).isRegularFile();
    assertThat(master.etcdDirs()).containsExactlyInAnyOrder("data", "data-events");
    assertThat(main.ok("get", "--print-value-only", "/registry/pods/default/lost"))
        .as("etcd main still serves its old data").isEqualTo("after the snapshot\n");
  }

  private String pillar(String more) {
    return master.etcdPillar + """
        cluster_name: prod
        etcd_restore:
          stop_timeout_seconds: 30
          s3:
            bucket: %s
            prefix: etcd
            region: %s
            endpoint: %s
        """.formatted(BUCKET, MotoServer.REGION, moto.endpoint()) + more;
  }

  /** The one copy of a cluster's file under {@code prefix}. */
  private S3Object copyOf(String prefix) {
    List<S3Object> copies = s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(prefix)).contents();
    assertThat(copies).as("copies under %s", prefix).hasSize(1);
    return copies.get(0);
  }


}
