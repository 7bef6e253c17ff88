package io.etcdsnapshotter.e2e.aws;

import io.etcdsnapshotter.aws.MotoServer;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;

/** The three ways a PV names its EBS volume, as the provisioners write them: the jar must read each. */
enum EbsVolumeShape {
  /** The in-tree provisioner's {@code awsElasticBlockStore}, whose volume ID carries the zone. */
  IN_TREE {
    @Override
    PersistentVolumeBuilder describe(PersistentVolumeBuilder pv, String volumeId) {
      return pv.editSpec().withNewAwsElasticBlockStore().withVolumeID("aws://" + MotoServer.REGION + "a/" + volumeId)
          .withFsType("ext4").endAwsElasticBlockStore().endSpec();
    }
  },
  /** An in-tree PV on a cluster migrated to the CSI driver: the same field, marked by the migration annotation. */
  MIGRATED {
    @Override
    PersistentVolumeBuilder describe(PersistentVolumeBuilder pv, String volumeId) {
      return pv.editMetadata().addToAnnotations("pv.kubernetes.io/migrated-to", "ebs.csi.aws.com")
          .addToAnnotations("pv.kubernetes.io/provisioned-by", "kubernetes.io/aws-ebs").endMetadata()
          .editSpec().withNewAwsElasticBlockStore().withVolumeID("aws:///" + volumeId).withFsType("ext4")
          .endAwsElasticBlockStore().endSpec();
    }
  },
  /** The EBS CSI driver's own. */
  CSI {
    @Override
    PersistentVolumeBuilder describe(PersistentVolumeBuilder pv, String volumeId) {
      return pv.editSpec().withNewCsi().withDriver("ebs.csi.aws.com").withVolumeHandle(volumeId).withFsType("ext4")
          .endCsi().endSpec();
    }
  };

  /** Adds this shape's naming of EBS volume {@code volumeId} to {@code pv}. */
  abstract PersistentVolumeBuilder describe(PersistentVolumeBuilder pv, String volumeId);
}
