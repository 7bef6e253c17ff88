package io.etcdsnapshotter.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EbsVolumeIdsTest {
  @ParameterizedTest
  @ValueSource(strings = {"aws://eu-west-1a/vol-0a1b2c3d4e5f67890", "aws:///vol-0a1b2c3d4e5f67890",
      "vol-0a1b2c3d4e5f67890"})
  void readsEverySpellingOfTheInTreeField(String field) {
    assertThat(EbsVolumeIds.of(PersistentVolumes.inTree("pv-1", field))).isEqualTo("vol-0a1b2c3d4e5f67890");
    assertThat(EbsVolumeIds.of(PersistentVolumes.migrated("pv-1", field))).isEqualTo("vol-0a1b2c3d4e5f67890");
  }

  @Test
  void readsTheCsiVolumeHandle() {
    assertThat(EbsVolumeIds.of(PersistentVolumes.csi("pvc-1", "ebs.csi.aws.com", "vol-0123456789abcdef0")))
        .isEqualTo("vol-0123456789abcdef0");
  }

  @Test
  void refusesAVolumeThatIsNotEbs() {
    assertThatThrownBy(() -> EbsVolumeIds.of(PersistentVolumes.csi("pvc-2", "efs.csi.aws.com", "fs-1234")))
        .isInstanceOf(KubeException.class)
        .hasMessage("PV pvc-2 is not an EBS volume (neither awsElasticBlockStore nor CSI driver ebs.csi.aws.com):"
            + " the snapshot PVC must use an EBS StorageClass");
  }

  @Test
  void refusesAnInTreeFieldWithoutAVolumeId() {
    assertThatThrownBy(() -> EbsVolumeIds.of(PersistentVolumes.inTree("pv-3", "aws://eu-west-1a/")))
        .isInstanceOf(KubeException.class).hasMessageContaining("PV pv-3").hasMessageContaining("aws://eu-west-1a/");
  }
}
