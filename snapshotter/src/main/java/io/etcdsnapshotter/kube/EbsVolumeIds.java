package io.etcdsnapshotter.kube;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EBS volume behind a PersistentVolume, in each shape a cluster can hold: in-tree {@code awsElasticBlockStore}
 * ({@code aws://zone/vol-..}, {@code aws:///vol-..} or {@code vol-..}), the same field on a PV migrated to CSI
 * (annotated {@code pv.kubernetes.io/migrated-to}), and a CSI PV of driver {@code ebs.csi.aws.com}.
 */
public final class EbsVolumeIds {
  public static final String CSI_DRIVER = "ebs.csi.aws.com";
  private static final Pattern IN_TREE = Pattern.compile("(?:aws://[^/]*/)?(vol-[0-9a-f]+)");

  private EbsVolumeIds() {}

  public static String of(PersistentVolume pv) {
    String name = pv.getMetadata().getName();
    PersistentVolumeSpec spec = pv.getSpec();
    if (spec.getAwsElasticBlockStore() != null) {
      String field = spec.getAwsElasticBlockStore().getVolumeID();
      Matcher m = IN_TREE.matcher(field == null ? "" : field);
      if (!m.matches()) {
        throw new KubeException("PV " + name + " has awsElasticBlockStore.volumeID '" + field
            + "', not aws://ZONE/vol-... or vol-...");
      }
      return m.group(1);
    }
    if (spec.getCsi() != null && CSI_DRIVER.equals(spec.getCsi().getDriver())) {
      return spec.getCsi().getVolumeHandle();
    }
    throw new KubeException("PV " + name + " is not an EBS volume (neither awsElasticBlockStore nor CSI driver "
        + CSI_DRIVER + "): the snapshot PVC must use an EBS StorageClass");
  }
}
