package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.S3Flags;
import io.etcdsnapshotter.config.SnapshotConfig;
import io.etcdsnapshotter.config.SnapshotConfigLoader;
import io.etcdsnapshotter.config.SnapshotSettings;
import io.etcdsnapshotter.snapshot.ClusterOutcome;
import io.etcdsnapshotter.snapshot.JobOutcome;
import io.etcdsnapshotter.snapshot.SnapshotJob;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Saves a snapshot of every configured etcd cluster into the snapshot directory.",
      "Defaults: cluster main = http://127.0.0.1:2379 -> snapshot.db, events = http://127.0.0.1:4002 ->"
          + " snapshot-events.db; any other NAME -> snapshot-NAME.db.",
      "Each file is streamed from the first healthy endpoint, checked (etcd's SHA-256 and the database"
          + " structure) and only then renamed over the previous one. Files are 0600, the directory 0700.",
      "With kubernetes/aws sections in the config, the run is then recorded on the PVC (annotations, an Event),"
          + " the EBS volume is tagged and, if asked, an EBS snapshot taken and old ones expired. AWS credentials"
          + " and region never come from the instance metadata service unless aws.useInstanceMetadata is true; an"
          + " unencrypted volume is a warning, or a failure with aws.requireEncrypted.",
      "With an encryption section in the config (encryption.kmsKeyId: a KMS key ARN) each file is written encrypted"
          + " with a data key of its own from KMS (kms:GenerateDataKey; never kms:Decrypt): AES-256-GCM in"
          + " authenticated chunks, the plaintext never on the volume; status, verify and restore read it given"
          + " kms:Decrypt.",
      "With an s3 section (or --s3-bucket), each good new snapshot is then copied to"
          + " s3://BUCKET/[PREFIX/]CLUSTER-NAME/CLUSTER/<taken at>-<revision>.db by a streamed multipart upload, the"
          + " SHA-256 of its bytes in the object's metadata and each part's checked by S3, encrypted by S3 with KMS"
          + " (s3.encryption, s3.kmsKeyId); snapshots.json goes to s3://BUCKET/[PREFIX/]CLUSTER-NAME/snapshots.json."
          + " Older copies of this tool expire by s3.keep and s3.maxAge, never the newest. A failed copy fails the"
          + " run in one line; the file on the volume stays.",
      "With --drill (config drill.enabled) each new file is then restored natively into a private scratch dir under"
          + " --drill-dir, read back and checked as verify --restore does, and the scratch dir deleted. The result"
          + " (ok, failed or skipped when the scratch dir lacks the room), its seconds and the revision restored go"
          + " into snapshots.json, the PVC annotation etcd-snapshotter.io/CLUSTER.drill and the Event. A failed"
          + " drill fails the run but keeps the new file: it is still the newest data.",
      "With --pushgateway and/or --metrics-textfile every run reports, per etcd cluster (labels cluster and, with"
          + " a clusterName, cluster_name): etcd_snapshotter_last_attempt_timestamp_seconds,"
          + " _last_attempt_success (1/0), _last_attempt_duration_seconds, _last_success_timestamp_seconds (from"
          + " snapshots.json, kept by a failed run), _snapshot_size_bytes, _snapshot_revision,"
          + " _snapshot_db_size_bytes; per run: _volume_available_bytes, _volume_size_bytes and, with"
          + " aws.ebsSnapshots, _ebs_snapshot_success (1/0); with --drill, per cluster _drill_success (1/0),"
          + " _drill_skipped, _drill_duration_seconds, _drill_revision. Alert rules for them ship in"
          + " addons/etcd-snapshot/alerts/: EtcdSnapshotTooOld (newest good snapshot older than twice the"
          + " schedule), EtcdSnapshotFailed, EtcdSnapshotEbsSnapshotFailed, EtcdSnapshotVolumeNearlyFull (under"
          + " 10%% free, or less than the largest snapshot), EtcdSnapshotDrillFailed; docs/metrics.md describes"
          + " each metric and alert, with a query for the time since the last good snapshot. A failed push or"
          + " textfile write is a warning and never changes the exit code.",
      "Exit codes: 0 all saved (and drilled, and published), 1 any cluster, drill or the publishing failed (all are"
          + " still attempted), 2 usage or config error."
    })
final class SnapshotCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin EtcdClientOptions etcd;

  @Option(names = "--dir", paramLabel = "DIR", description = "Snapshot directory (default: /var/etcd-snapshot);"
      + " an existing one must be empty or hold only this tool's files.")
  Path dir;

  @Option(names = "--keep", paramLabel = "N",
      description = "Older snapshots to keep per cluster in generations/ (default: 0).")
  Integer keep;

  @Option(names = "--command-timeout", paramLabel = "DURATION",
      description = "Time one cluster's whole snapshot may take (default: 30m, at most 1d).")
  String commandTimeout;

  @Option(names = "--rate-limit", paramLabel = "SIZE/s",
      description = "Read each snapshot from etcd at most this fast, e.g. 64MiB (B, KiB, MiB or GiB per second; at"
          + " least 1MiB): the member then reads its database and sends it no faster, sparing its disk and CPU for"
          + " the writes it serves meanwhile. The command timeout must cover the database at this rate"
          + " (config: rateLimit; default: as fast as etcd sends).")
  String rateLimit;

  @Option(names = "--cluster-name", paramLabel = "NAME",
      description = "Name of this Kubernetes cluster, tagged on the EBS volume and every EBS snapshot, which only"
          + " this cluster's runs expire and restores find (config: clusterName; required with aws).")
  String clusterName;

  @Option(names = "--allow-cluster-change",
      description = "Let a snapshot of another etcd cluster (other cluster ID) replace the one on the volume, as"
          + " after a restore with a new token; without it that cluster fails and its previous snapshot stays.")
  Boolean allowClusterChange;

  @Option(names = "--drill", negatable = true,
      description = "After each cluster's snapshot, restore the new file into a scratch dir, check it and delete it;"
          + " --no-drill turns off a drill the config file turns on (config: drill.enabled; default: off).")
  Boolean drill;

  @Option(names = "--drill-dir", paramLabel = "DIR",
      description = "Existing directory in which each drill gets a new private (0700) dir; needs about the"
          + " database's size plus 64 MB free, or the drill is skipped with a warning (config: drill.dir; default:"
          + " the system temp dir).")
  Path drillDir;

  @Option(names = "--pushgateway", paramLabel = "URL",
      description = "Push the run's metrics to this Prometheus Pushgateway, one group per etcd cluster (job"
          + " etcd-snapshotter, cluster_name, cluster) replaced each run (config: metrics.pushgateway).")
  String pushgateway;

  @Option(names = "--metrics-textfile", paramLabel = "FILE",
      description = "Write the run's metrics to FILE (ending in .prom) for the node exporter's textfile collector,"
          + " replaced whole by a rename (config: metrics.textfile).")
  Path metricsTextfile;

  @Option(names = "--s3-bucket", paramLabel = "BUCKET",
      description = "Copy each good snapshot to s3://BUCKET/[PREFIX/]CLUSTER-NAME/CLUSTER/<taken at>-<revision>.db,"
          + " with snapshots.json beside, needs --cluster-name (config: s3.bucket).")
  String s3Bucket;

  @Option(names = "--s3-prefix", paramLabel = "PREFIX", description = "Key prefix in the bucket (config: s3.prefix).")
  String s3Prefix;

  @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3 API endpoint (config: s3.endpoint; default:"
      + " AWS's own).")
  String s3Endpoint;

  @Option(names = "--s3-kms-key-id", paramLabel = "KEY", description = "KMS key (id, ARN or alias/NAME) S3 encrypts"
      + " the copies with (config: s3.kmsKeyId; default: the bucket's default key, else aws/s3).")
  String s3KmsKeyId;

  @Override
  public Integer call() throws Exception {
    SnapshotConfig settings = SnapshotConfigLoader.load(new SnapshotSettings(etcd.config, dir, keep,
        etcd.dialTimeout, commandTimeout, etcd.clusters, etcd.tls(), etcd.user, etcd.passwordFile, clusterName,
        allowClusterChange, drill, drillDir, pushgateway, metricsTextfile, rateLimit),
        new S3Flags(s3Bucket, s3Prefix, s3Endpoint, s3KmsKeyId));
    StreamingCompiler.optimizeOnlyCryptoInBackground();
    JobOutcome job = new SnapshotJob(settings).run();
    boolean failed = false;
    for (ClusterOutcome outcome : job.clusters()) {
      if (outcome.ok()) {
        spec.commandLine().getOut().println(outcome.describe());
      } else {
        spec.commandLine().getErr().println("etcd-snapshotter snapshot: " + outcome.describe());
        failed = true;
      }
    }
    job.copies().done().forEach(spec.commandLine().getOut()::println);
    for (String failure : job.copies().failures()) {
      spec.commandLine().getErr().println("etcd-snapshotter snapshot: " + failure);
      failed = true;
    }
    job.publish().done().forEach(spec.commandLine().getOut()::println);
    if (!job.publish().ok()) {
      spec.commandLine().getErr().println("etcd-snapshotter snapshot: " + job.publish().failure());
      failed = true;
    }
    return failed ? Main.EXIT_FAILED : 0;
  }
}
