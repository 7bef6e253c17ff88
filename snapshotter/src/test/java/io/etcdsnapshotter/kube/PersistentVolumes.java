package io.etcdsnapshotter.kube;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/** The PV shapes an EBS-backed PVC can have, as the provisioners write them. */
final class PersistentVolumes {
  private PersistentVolumes() {}

  /** The in-tree provisioner's PV: {@code awsElasticBlockStore.volumeID} in one of its spellings. */
  static PersistentVolume inTree(String name, String volumeIdField) {
    return base(name).editSpec().withNewAwsElasticBlockStore().withVolumeID(volumeIdField).withFsType("ext4")
        .endAwsElasticBlockStore().endSpec().build();
  }

  /** An in-tree PV on a cluster migrated to the CSI driver: same field, marked by the migration annotation. */
  static PersistentVolume migrated(String name, String volumeIdField) {
    return new PersistentVolumeBuilder(inTree(name, volumeIdField)).editMetadata()
        .addToAnnotations("pv.kubernetes.io/migrated-to", EbsVolumeIds.CSI_DRIVER)
        .addToAnnotations("pv.kubernetes.io/provisioned-by", "kubernetes.io/aws-ebs").endMetadata().build();
  }

  static PersistentVolume csi(String name, String driver, String volumeHandle) {
    return base(name).editSpec().withNewCsi().withDriver(driver).withVolumeHandle(volumeHandle).withFsType("ext4")
        .endCsi().endSpec().build();
  }

  private static PersistentVolumeBuilder base(String name) {
    return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().addToCapacity("storage", new Quantity("1Gi"))
        .withAccessModes("ReadWriteOnce").endSpec();
  }
}
