package io.etcdsnapshotter.e2e.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcdsnapshotter.e2e.etcd.DataSeeder;
import io.etcdsnapshotter.e2e.etcd.EtcdCluster;
import io.etcdsnapshotter.e2e.etcd.EtcdVersion;
import io.etcdsnapshotter.e2e.etcd.Security;
import io.etcdsnapshotter.e2e.jar.Jar;
import io.etcdsnapshotter.e2e.process.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Damaged files given to {@code status} and {@code verify}: one line naming the file, exit 1, file untouched. */
class CorruptSnapshotTest {
  @TempDir static Path shared;
  private static byte[] good;

  @BeforeAll
  static void takeARealSnapshot() throws IOException {
    try (EtcdCluster cluster = EtcdCluster.start(EtcdVersion.V3_4, 1, Security.PLAIN)) {
      DataSeeder.seed(cluster, "registry", 1_000);
      Path file = shared.resolve("good.db");
      cluster.etcdctl().saveSnapshot(file);
      good = Files.readAllBytes(file);
    }
  }

  enum Damage {
    EMPTY {
      byte[] apply(byte[] good) {
        return new byte[0];
      }
    },
    RANDOM_BYTES {
      byte[] apply(byte[] good) {
        byte[] noise = new byte[good.length];
        new Random(7).nextBytes(noise);
        return noise;
      }
    },
    TRUNCATED {
      byte[] apply(byte[] good) {
        return Arrays.copyOf(good, good.length / 2);
      }
    },
    /** One byte of the database changed: only the SHA-256 trailer etcd appended can tell. */
    FLIPPED_BYTE {
      byte[] apply(byte[] good) {
        byte[] copy = good.clone();
        copy[copy.length / 2] ^= 0x55;
        return copy;
      }
    };

    abstract byte[] apply(byte[] good);
  }

  static Stream<Arguments> damagedFiles() {
    return Stream.of(
        Arguments.of("status", Damage.EMPTY), Arguments.of("status", Damage.RANDOM_BYTES),
        Arguments.of("status", Damage.TRUNCATED),
        Arguments.of("verify", Damage.EMPTY), Arguments.of("verify", Damage.RANDOM_BYTES),
        Arguments.of("verify", Damage.TRUNCATED), Arguments.of("verify", Damage.FLIPPED_BYTE));
  }

  @ParameterizedTest(name = "{0} of a {1} file")
  @MethodSource("damagedFiles")
  void aDamagedFileGetsOneLineAndExitOne(String command, Damage damage, @TempDir Path tmp) throws IOException {
    byte[] bytes = damage.apply(good);
    Path file = Files.write(tmp.resolve("snapshot.db"), bytes);

    ProcessResult run = Jar.run(command, file.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(Jar.messages(run)).as(run.toString()).singleElement()
        .satisfies(line -> assertThat(line).contains(file.toString()));
    assertThat(Jar.hasStackTrace(run)).as(run.toString()).isFalse();
    assertThat(Files.readAllBytes(file)).as("the file is left as it was").isEqualTo(bytes);
  }
}
