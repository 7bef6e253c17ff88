package io.etcdsnapshotter.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.etcdsnapshotter.s3.ObjectDownload;
import io.etcdsnapshotter.s3.ObjectUpload;
import io.etcdsnapshotter.s3.S3;
import io.etcdsnapshotter.s3.S3Location;
import io.etcdsnapshotter.s3.SnapshotObjects;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * The IAM policies of docs/aws.md, as far as moto enforces them: moto's IAM checks only the action of a request (it
 * ignores Resource and Condition), so each role becomes an IAM user allowed exactly the actions of its policies on
 * "*", and runs its job against moto with authorization on. The job must succeed, and what the role must never do
 * must be refused. The conditions are for AWS alone to enforce.
 */
class PolicyActionsMotoTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path POLICIES = Path.of("..", "docs", "aws.md");
  private static final String ZONE = MotoServer.REGION + "b";
  private static MotoServer moto;
  private static Map<String, String> cronJob;
  private static Map<String, String> restore;

  @BeforeAll
  static void startMotoWithOneUserPerRole() throws Exception {
    moto = MotoServer.start();
    String policies = Files.readString(POLICIES);
    cronJob = user("etcd-snapshot-cronjob", actions(policies, "### Tag only", "### EBS snapshots",
        "### Copy to other regions"));
    restore = user("etcd-snapshot-restore", actions(policies, "### Bring back"));
  }

  @AfterAll
  static void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void eachRolesActionsDoItsJobAndNoMore() throws Exception {
    String pvcVolume = moto.client().createVolume(r -> r.availabilityZone(ZONE).size(1)).volumeId();
    String image = moto.client().describeImages().images().get(0).imageId();
    String master = moto.client().runInstances(r -> r.imageId(image).minCount(1).maxCount(1)
        .placement(p -> p.availabilityZone(ZONE))).instances().get(0).instanceId();
    String[] snapshot = new String[1];
    String[] broughtBack = new String[1];

    authorization(true);
    try {
      as(cronJob, ec2 -> {
        new VolumeTags(ec2).write(pvcVolume, Map.of(EbsSnapshots.CLUSTER, "prod", "etcd-snapshot", "true"));
        EbsSnapshots snapshots = new EbsSnapshots(ec2, "prod");
        snapshot[0] = snapshots.create(pvcVolume, new VolumeTags(ec2).read(pvcVolume), "run");
        snapshots.expire(snapshots.list(pvcVolume), new Retention(1, null), Instant.now());
        new RegionCopies(ec2, snapshots, "prod").update(pvcVolume, MotoServer.OTHER_REGION, null,
            new Retention(1, null), moto.endpoint(), true, Instant.now());
        assertRefused(() -> ec2.client().deleteVolume(r -> r.volumeId(pvcVolume)));
        assertRefused(() -> ec2.client()
            .attachVolume(r -> r.volumeId(pvcVolume).instanceId(master).device("/dev/sdg")));
        assertRefused(() -> ec2.client().createVolume(r -> r.snapshotId(snapshot[0]).availabilityZone(ZONE)));
      });
      as(restore, ec2 -> {
        BroughtBackVolumes volumes = new BroughtBackVolumes(ec2, "prod", Duration.ofMillis(100), Duration.ofMinutes(1));
        broughtBack[0] = volumes.bringBack(new InstanceIdentity(master, ZONE), "gp3", "/dev/sdf",
            () -> volumes.newest(Map.of()));
        assertThat(volumes.release(master).released()).containsExactly(broughtBack[0]);
        assertRefused(() -> ec2.client().createSnapshot(r -> r.volumeId(pvcVolume)));
        assertRefused(() -> ec2.client().deleteSnapshot(r -> r.snapshotId(snapshot[0])));
      });
    } finally {
      authorization(false);
    }

    assertThat(moto.client().describeVolumes(r -> r.filters(volumeId(pvcVolume))).volumes()).hasSize(1);
    assertThat(moto.client().describeVolumes(r -> r.filters(volumeId(broughtBack[0]))).volumes()).isEmpty();
    assertThat(moto.client().describeSnapshots(r -> r.snapshotIds(snapshot[0])).snapshots()).hasSize(1);
    try (Ec2 other = Ec2.connect(MotoServer.OTHER_REGION, moto.endpoint())) {
      assertThat(new EbsSnapshots(other, "prod").copiesOf(pvcVolume)).as("the copy the CronJob's role made")
          .hasSize(1);
    }
  }

  @Test
  void theS3AndKmsRolesDoTheirJobsAndNoMore(@TempDir Path dir) throws Exception {
    String policies = Files.readString(POLICIES);
    Map<String, String> copier = user("etcd-snapshot-s3", actions(policies, "### IAM for S3 copies"));
    Map<String, String> encrypter = user("etcd-snapshot-encrypt", actions(policies, "#### Encrypting snapshot files"));
    Map<String, String> reader = user("etcd-restore-s3", actions(policies, "#### Restoring from S3",
        "#### Decrypting snapshot files"));
    String key = moto.newKmsKey();
    moto.s3Client().createBucket(r -> r.bucket("etcd-backups"));
    Path file = Files.write(dir.resolve("snapshot.db"), new byte[64 * 1024]);
    String prefix = SnapshotObjects.prefix("etcd", "prod", "main");
    String object = new SnapshotObjects(null, "etcd-backups", prefix).key(Instant.now(), 42);
    Path fetched = dir.resolve("fetched.db");
    Kms.GeneratedKey[] encrypted = new Kms.GeneratedKey[1];

    authorization(true);
    try {
      as(copier, () -> {
        try (Kms kms = Kms.connect(MotoServer.REGION, moto.endpoint(), true);
            S3 s3 = S3.connect(MotoServer.REGION, moto.endpoint(), true)) {
          new ObjectUpload(s3, "etcd-backups", new ObjectUpload.Encryption("aws:kms", key)).upload(file, object,
              Map.of(SnapshotObjects.CREATED_BY, SnapshotObjects.CREATED_BY_VALUE, SnapshotObjects.CLUSTER_NAME,
                  "prod"));
          new SnapshotObjects(s3, "etcd-backups", prefix).expire(new Retention(1, null), Instant.now());
        }
      });
      as(encrypter, () -> {
        try (Kms kms = Kms.connect(MotoServer.REGION, moto.endpoint(), true)) {
          encrypted[0] = kms.generateDataKey(key);
          assertRefused(() -> kms.decrypt(key, encrypted[0].encrypted()));
        }
      });
      as(reader, () -> {
        try (Kms kms = Kms.connect(MotoServer.REGION, moto.endpoint(), true);
            S3 s3 = S3.connect(MotoServer.REGION, moto.endpoint(), true)) {
          ObjectDownload download = new ObjectDownload(s3);
          download.download(download.find(S3Location.parse("s3://etcd-backups/" + prefix + "latest", "it")),
              fetched);
          assertThat(kms.decrypt(key, encrypted[0].encrypted())).isEqualTo(encrypted[0].plaintext());
          assertRefused(() -> kms.generateDataKey(key));
          assertRefused(() -> new ObjectUpload(s3, "etcd-backups", new ObjectUpload.Encryption("aws:kms", key))
              .upload(file, object, Map.of()));
        }
      });
    } finally {
      authorization(false);
    }

    assertThat(fetched).hasSameBinaryContentAs(file);
  }

  private static Filter volumeId(String id) {
    return Filter.builder().name("volume-id").values(id).build();
  }

  /** Refused by IAM: EC2 names the action, S3 says AccessDenied, moto's KMS answers a bare 403. */
  private static void assertRefused(ThrowingCallable request) {
    assertThatThrownBy(request).hasMessageMatching(
        "(?s).*(is not authorized to perform|AccessDenied: Access Denied|Status Code: 403\\b).*");
  }

  /** Runs {@code job} with an EC2 client holding {@code keys}, found as the jar finds any: the SDK's default chain. */
  private static void as(Map<String, String> keys, Consumer<Ec2> job) throws Exception {
    as(keys, () -> {
      try (Ec2 ec2 = Ec2.connect(MotoServer.REGION, moto.endpoint())) {
        job.accept(ec2);
      }
    });
  }

  /** Runs {@code job} while the SDK's default chain finds {@code keys}. */
  private static void as(Map<String, String> keys, Job job) throws Exception {
    System.setProperty("aws.accessKeyId", keys.get("AccessKeyId"));
    System.setProperty("aws.secretAccessKey", keys.get("SecretAccessKey"));
    try {
      job.run();
    } finally {
      System.setProperty("aws.accessKeyId", "testing");
      System.setProperty("aws.secretAccessKey", "testing");
    }
  }

  private interface Job {
    void run() throws Exception;
  }

  /** Every action the Allow statements of the JSON blocks under {@code headings} name, e.g. ec2:CreateTags. */
  private static TreeSet<String> actions(String markdown, String... headings) throws IOException {
    TreeSet<String> actions = new TreeSet<>();
    for (String heading : headings) {
      String section = markdown.substring(markdown.indexOf(heading + "\n"));
      section = section.substring(heading.length(), nextHeading(section, heading.length()));
      Matcher block = Pattern.compile("```json\n(.*?)```", Pattern.DOTALL).matcher(section);
      while (block.find()) {
        for (JsonNode statement : JSON.readTree(block.group(1)).path("Statement")) {
          JsonNode action = statement.path("Action");
          (action.isArray() ? action : JSON.createArrayNode().add(action)).forEach(a -> actions.add(a.asText()));
        }
      }
    }
    assertThat(actions).as("actions of %s", String.join(", ", headings)).isNotEmpty();
    return actions;
  }

  private static int nextHeading(String section, int from) {
    int next = section.indexOf("\n#", from);
    return next < 0 ? section.length() : next;
  }

  /** An IAM user allowed {@code actions} on every resource; returns its access key. */
  private static Map<String, String> user(String name, TreeSet<String> actions) throws Exception {
    ObjectNode policy = JSON.createObjectNode().put("Version", "2012-10-17");
    ArrayNode allowed = JSON.createArrayNode();
    actions.forEach(allowed::add);
    policy.putArray("Statement").addObject().put("Effect", "Allow").put("Resource", "*").set("Action", allowed);
    iam(Map.of("Action", "CreateUser", "UserName", name));
    iam(Map.of("Action", "PutUserPolicy", "UserName", name, "PolicyName", "role",
        "PolicyDocument", JSON.writeValueAsString(policy)));
    String key = iam(Map.of("Action", "CreateAccessKey", "UserName", name));
    return Map.of("AccessKeyId", element(key, "AccessKeyId"), "SecretAccessKey", element(key, "SecretAccessKey"));
  }

  /** One call of moto's IAM query API while authorization is off: the header only routes it to IAM. */
  private static String iam(Map<String, String> parameters) throws Exception {
    String form = parameters.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&", "Version=2010-05-08&", ""));
    return post(moto.endpoint(), HttpRequest.newBuilder(moto.endpoint())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/" + MotoServer.REGION
            + "/iam/aws4_request, SignedHeaders=host, Signature=unsigned")
        .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  /** Turns moto's IAM authorization on for every request from now on, or off again. */
  private static void authorization(boolean on) throws Exception {
    URI reset = moto.endpoint().resolve("/moto-api/reset-auth");
    post(reset, HttpRequest.newBuilder(reset).POST(HttpRequest.BodyPublishers.ofString(on ? "0" : "inf")));
  }

  private static String post(URI uri, HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", uri, response.body()).isEqualTo(200);
    return response.body();
  }

  private static String element(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(xml);
    assertThat(m.find()).as("%s in %s", name, xml).isTrue();
    return m.group(1);
  }
}
