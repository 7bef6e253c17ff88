package io.etcdsnapshotter.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The YAML config file as written by operators (and by the Salt-rendered ConfigMap); every field optional. */
@JsonIgnoreProperties(ignoreUnknown = false)
public final class ConfigFile {
  public String dir;
  public Integer keep;
  public String dialTimeout;
  public String commandTimeout;
  public String clusterName;
  public Boolean allowClusterChange;
  public String rateLimit;
  public Map<String, Cluster> clusters = new LinkedHashMap<>();
  public Drill drill;
  public Kubernetes kubernetes;
  public Aws aws;
  public S3 s3;
  public Metrics metrics;
  public Encryption encryption;

  /** One cluster's entry; TLS and auth given here apply to that cluster only. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Cluster {
    public List<String> endpoints;
    public String cacert;
    public String cert;
    public String key;
    public String user;
    public String passwordFile;
    public RestoredBy restoredBy;
  }

  /** How kubernetes.etcd.restored bootstraps this cluster from a snapshot: its token base and initial cluster. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class RestoredBy {
    public String token;
    public String initialCluster;
  }

  /** The restore drill after each snapshot (off unless enabled); sizeLimit as Kubernetes writes one, e.g. 3Gi. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Drill {
    public Boolean enabled;
    public String dir;
    public String sizeLimit;
  }

  /** Present (even empty) to record runs on the snapshot volume's PVC and to find its EBS volume through it. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Kubernetes {
    public String namespace;
    public String pvc;
  }

  /** Present (even empty) to tag the snapshot volume; credentials come from the SDK's default chain only. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Aws {
    public String region;
    public String endpoint;
    public String volumeId;
    public Map<String, String> tags;
    public EbsSnapshots ebsSnapshots;
    public Boolean requireEncrypted;
    public Boolean useInstanceMetadata;
  }

  /** Present (even empty) to take an EBS snapshot after each good run; older ones expire by count and/or age. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class EbsSnapshots {
    public Integer keep;
    public String maxAge;
    public List<EbsCopies> copies;
  }

  /** Copies of each EBS snapshot in another region, so that losing a region loses no backup. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class EbsCopies {
    public String region;
    public String kmsKeyId;
    public Integer keep;
    public String maxAge;
  }

  /**
   * Present to encrypt the snapshot files on the volume with a data key per file from KMS key {@code kmsKeyId} (an
   * ARN, key id or alias); {@code region} and {@code endpoint} of KMS default to the ARN's region (else aws.region,
   * else AWS_REGION) and AWS's endpoint; {@code useInstanceMetadata} defaults to aws.useInstanceMetadata.
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Encryption {
    public String kmsKeyId;
    public String region;
    public String endpoint;
    public Boolean useInstanceMetadata;
  }

  /** Present to copy each good snapshot to S3; credentials come from the SDK's default chain only. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class S3 {
    public String bucket;
    public String prefix;
    public String region;
    public String endpoint;
    public String encryption;
    public String kmsKeyId;
    public Integer keep;
    public String maxAge;
    public Boolean useInstanceMetadata;
  }

  /** Where each run's metrics go: a Pushgateway's URL and/or a node exporter textfile. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Metrics {
    public String pushgateway;
    public String textfile;
  }
}
