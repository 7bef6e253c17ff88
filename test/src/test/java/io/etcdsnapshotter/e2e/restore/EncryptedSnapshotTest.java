package io.etcdsnapshotter.e2e.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcdsnapshotter.aws.MotoServer;
import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Json;
import io.etcdsnapshotter.e2e.etcd.Keyspace;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.fs.Sha256Sum;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots encrypted with a KMS key (moto's), taken from real etcd 3.6 by the jar: the file holds no plaintext (a
 * Secret's value is not in its bytes), status, verify and restore read it given KMS access, and etcd starts from the
 * restored data dir with every key. A tampered or cut-off copy fails in one line and nothing is written.
 */
class EncryptedSnapshotTest {
  private static final EtcdVersion VERSION = EtcdVersion.V3_6;
  private static final String SECRET_KEY = "/registry/secrets/kube-system/db-password";
  private static MotoServer moto;
  private static String keyArn;
  private static String secretValue;
  private static Path volume;
  private static Path snapshot;
  private static Map<String, String> sourceKeys;
  private static long sourceRevision;
  private static ProcessResult saved;

  @TempDir static Path shared;
  @TempDir Path dir;

  @BeforeAll
  static void takeAnEncryptedSnapshot() throws Exception {
    moto = MotoServer.start();
    keyArn = moto.newKmsKey();
    secretValue = "s3cr3t-" + UUID.randomUUID();
    Path config = shared.resolve("config.yaml");
    Files.writeString(config, "encryption:\n  kmsKeyId: " + keyArn + "\n  endpoint: " + moto.endpoint() + "\n");
    Path drill = Files.createDirectory(shared.resolve("drill"));
    volume = shared.resolve("volume");
    try (EtcdCluster cluster = EtcdCluster.start(VERSION, 1, Security.AUTH)) {
      DataSeeder.seed(cluster, "registry", 2_000);
      DataSeeder.fill(cluster, "registry", 3); // several chunks of 1 MiB
      try (Client client = cluster.client()) {
        client.getKVClient().put(bytes(SECRET_KEY), bytes(secretValue)).get(60, TimeUnit.SECONDS);
        saved = Jar.run(MotoServer.CREDENTIALS, "snapshot", "--config", config.toString(), "--dir", volume.toString(),
            "--cluster", "main=" + cluster.endpoints(), "--user", EtcdCluster.USER, "--password-file",
            EtcdCluster.writePasswordFile(shared.resolve("password")).toString(), "--drill", "--drill-dir",
            drill.toString());
        sourceKeys = Keyspace.dump(client);
        sourceRevision = client.getKVClient().get(bytes("/")).get(60, TimeUnit.SECONDS).getHeader().getRevision();
      }
    }
    snapshot = volume.resolve("snapshot.db");
  }

  @AfterAll
  static void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void theSnapshotOnTheVolumeHoldsNoPlaintextAndIsDrilled() throws Exception {
    assertThat(saved.exitCode()).as(saved.toString()).isZero();
    assertThat(saved.stdout()).contains("restore drill ok: revision " + sourceRevision);
    byte[] bytes = Files.readAllBytes(snapshot);
    assertThat(new String(bytes, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("ETCDSEAL");
    assertThat(contains(bytes, secretValue.getBytes(StandardCharsets.UTF_8))).as("the Secret's value in the file")
        .isFalse();
    assertThat(contains(bytes, SECRET_KEY.getBytes(StandardCharsets.UTF_8))).as("a key name in the file").isFalse();
    JsonNode entry = Json.parse(Files.readString(volume.resolve("snapshots.json"))).path("clusters").path("main");
    assertThat(entry.path("kmsKeyId").asText()).isEqualTo(keyArn);
    assertThat(entry.path("revision").asLong()).isEqualTo(sourceRevision);
    assertThat(saved.stdout() + saved.stderr()).doesNotContain(secretValue);
  }

  @Test
  void statusAndVerifyReadItWithKmsAccess() {
    ProcessResult status = read("status", snapshot.toString(), "-w", "json");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(Json.parse(status.stdout()).path("revision").asLong()).isEqualTo(sourceRevision);

    Path sha256File = dir.resolve("verified.sha256");
    ProcessResult verify = read("verify", snapshot.toString(), "--restore", "--scratch-dir", dir.toString(),
        "--sha256-file", sha256File.toString());
    assertThat(verify.exitCode()).as(verify.toString()).isZero();
    assertThat(verify.stdout()).contains("sha256    ok (").contains("restore ");
    assertThat(sha256File).as("the digest of the encrypted bytes, as Salt's marker records it, not of the content")
        .hasContent(Sha256Sum.of(snapshot) + "\n");
  }

  @Test
  void aRestoredMemberStartsWithEveryKey() throws Exception {
    List<RestoredCluster.Node> nodes = RestoredCluster.plan(dir, 1);
    ProcessResult restored = restore(snapshot, nodes.get(0));
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    try (RestoredCluster cluster = RestoredCluster.start(VERSION, nodes, dir);
        Client client = cluster.client()) {
      Map<String, String> keys = Keyspace.dump(client);
      assertThat(keys).isEqualTo(sourceKeys);
      assertThat(keys.get(SECRET_KEY))
          .startsWith(HexFormat.of().formatHex(secretValue.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /**
   * status authenticates every chunk it reads (the start, where the meta pages are, always); verify and restore
   * read, and so authenticate, every chunk.
   */
  @Test
  void aTamperedCopyFailsInOneLineAndWritesNothing() throws Exception {
    Path atStart = tamper(4096, "at-start.db");
    Path tampered = tamper(Files.size(snapshot) / 2, "tampered.db");

    for (ProcessResult result : List.of(read("status", atStart.toString()), read("verify", tampered.toString()))) {
      assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
      assertThat(Jar.messages(result)).singleElement().asString().contains("does not decrypt")
          .contains("use another snapshot");
      assertThat(Jar.hasStackTrace(result)).isFalse();
    }
    RestoredCluster.Node node = RestoredCluster.plan(dir, 1).get(0);
    ProcessResult restore = restore(tampered, node);
    assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
    assertThat(Jar.messages(restore)).singleElement().asString().contains("does not decrypt");
    assertThat(node.dataDir()).doesNotExist();
    assertThat(dir).isDirectoryNotContaining(path -> path.getFileName().toString().startsWith("."));
  }

  @Test
  void aCutOffCopyFailsInOneLineAndWritesNothing() throws Exception {
    byte[] bytes = Files.readAllBytes(snapshot);
    Path cut = Files.write(dir.resolve("cut.db"), Arrays.copyOf(bytes, bytes.length - (1 << 20)));
    RestoredCluster.Node node = RestoredCluster.plan(dir, 1).get(0);

    ProcessResult restore = restore(cut, node);

    assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
    assertThat(Jar.messages(restore)).singleElement().asString().contains(cut.toString()).contains("truncated");
    assertThat(node.dataDir()).doesNotExist();
  }

  private Path tamper(long offset, String name) throws Exception {
    byte[] bytes = Files.readAllBytes(snapshot);
    bytes[(int) offset] ^= 0x40;
    return Files.write(dir.resolve(name), bytes);
  }

  private static ProcessResult read(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--kms-endpoint", moto.endpoint().toString()));
    return Jar.run(MotoServer.CREDENTIALS, all.toArray(String[]::new));
  }

  private static ProcessResult restore(Path file, RestoredCluster.Node node) {
    return read("restore", file.toString(), "--name", node.name(), "--data-dir", node.dataDir().toString(),
        "--initial-cluster", RestoredCluster.initialCluster(List.of(node)), "--initial-advertise-peer-urls",
        node.peerUrl());
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
