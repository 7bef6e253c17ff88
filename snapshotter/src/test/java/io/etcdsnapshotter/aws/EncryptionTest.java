package io.etcdsnapshotter.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What EC2 says about the encryption of volumes and their snapshots, against moto. */
class EncryptionTest {
  private static MotoServer moto;
  private static Ec2 ec2;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.start();
    ec2 = Ec2.connect(MotoServer.REGION, moto.endpoint(), false);
  }

  @AfterAll
  static void stopMoto() {
    if (ec2 != null) {
      ec2.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void anEncryptedVolumeAndItsSnapshotAreEncryptedAPlainOneAndItsSnapshotAreNot() {
    Encryption encryption = new Encryption(ec2);
    String encrypted = volume(true);
    String plain = volume(false);

    assertThat(encryption.volumeEncrypted(encrypted)).isTrue();
    assertThat(encryption.volumeEncrypted(plain)).isFalse();
    assertThat(encryption.snapshotEncrypted(snapshotOf(encrypted))).isTrue();
    assertThat(encryption.snapshotEncrypted(snapshotOf(plain))).isFalse();
  }

  @Test
  void aMissingVolumeIsOneLineNamingIt() {
    assertThatThrownBy(() -> new Encryption(ec2).volumeEncrypted("vol-0000000000000000f"))
        .isInstanceOf(AwsException.class)
        .hasMessageStartingWith("EC2 at " + moto.endpoint() + ": cannot describe volume vol-0000000000000000f:"
            + " InvalidVolume.NotFound");
  }

  private static String volume(boolean encrypted) {
    return moto.client().createVolume(r -> r.availabilityZone(MotoServer.REGION + "a").size(1).encrypted(encrypted))
        .volumeId();
  }

  private static String snapshotOf(String volume) {
    return moto.client().createSnapshot(r -> r.volumeId(volume)).snapshotId();
  }
}
