package io.etcdsnapshotter.aws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;

/** Tags of the snapshot volume: what external snapshot tools select it by, and the facts of the last run. */
public final class VolumeTags {
  private final Ec2 ec2;

  public VolumeTags(Ec2 ec2) {
    this.ec2 = ec2;
  }

  /** The volume's tags; fails with the volume id when the volume does not exist. */
  public Map<String, String> read(String volumeId) {
    List<Volume> volumes = ec2.call("describe volume " + volumeId,
        () -> ec2.client().describeVolumes(r -> r.volumeIds(volumeId)).volumes());
    if (volumes.isEmpty()) {
      throw new AwsException("EBS volume " + volumeId + " does not exist in this account and region");
    }
    return toMap(volumes.get(0).tags());
  }

  /** Adds or overwrites {@code tags}; tags not named stay as they are (the provisioner's own among them). */
  public void write(String volumeId, Map<String, String> tags) {
    ec2.call("tag volume " + volumeId,
        () -> ec2.client().createTags(r -> r.resources(volumeId).tags(toTags(tags))));
  }

  /** {@code tags} without those AWS reserves ({@code aws:...}), which cannot be copied onto a snapshot. */
  public static Map<String, String> userTags(Map<String, String> tags) {
    Map<String, String> result = new LinkedHashMap<>(tags);
    result.keySet().removeIf(key -> key.startsWith("aws:"));
    return result;
  }

  static Map<String, String> toMap(List<Tag> tags) {
    Map<String, String> result = new LinkedHashMap<>();
    tags.forEach(tag -> result.put(tag.key(), tag.value()));
    return result;
  }

  static List<Tag> toTags(Map<String, String> tags) {
    return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
  }
}
