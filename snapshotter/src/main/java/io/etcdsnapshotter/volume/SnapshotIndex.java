package io.etcdsnapshotter.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.etcdsnapshotter.files.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code snapshots.json}: what each snapshot file on the volume holds, so an operator (or the restore state) can
 * tell what a file is without opening it. A failed run records its failure and keeps the last good entry.
 */
public final class SnapshotIndex {
  public static final String FILE = "snapshots.json";
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotIndex.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private final Path path;
  private final Contents contents;

  private SnapshotIndex(Path path, Contents contents) {
    this.path = path;
    this.contents = contents;
  }

  /**
   * Reads the index; one that is missing or unreadable starts empty, since the snapshot files stand alone. A link
   * in its place is not followed: it is unreadable here, and the next save replaces the link, not its target.
   */
  public static SnapshotIndex load(Path dir) {
    Path path = dir.resolve(FILE);
    Contents contents = new Contents();
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
        contents = JSON.readValue(in, Contents.class);
      } catch (IOException e) {
        LOG.warn("{} is unreadable ({}); starting a new one", path, e.getMessage());
      }
    }
    return new SnapshotIndex(path, contents);
  }

  public Map<String, Entry> clusters() {
    return contents.clusters;
  }

  public void recordSuccess(String cluster, Entry entry) throws IOException {
    contents.clusters.put(cluster, entry);
    save();
  }

  /** Adds how the restore drill of the cluster's newest snapshot went to its entry. */
  public void recordDrill(String cluster, DrillOutcome drill) throws IOException {
    contents.clusters.get(cluster).drill = drill;
    save();
  }

  public void recordFailure(String cluster, String at, String message) throws IOException {
    Entry previous = contents.clusters.getOrDefault(cluster, new Entry());
    previous.lastFailure = new Failure(at, message);
    contents.clusters.put(cluster, previous);
    save();
  }

  private void save() throws IOException {
    PrivateFiles.writeAtomically(path, JSON.writeValueAsBytes(contents));
  }

  /** The file's top level, kept as an object so later fields can be added without breaking readers. */
  public static final class Contents {
    public Map<String, Entry> clusters = new TreeMap<>();
  }

  /**
   * One cluster's newest good snapshot; field names follow {@code etcdctl snapshot status -w json}, and totalKey
   * means what it means to etcdutl of the file's storage version (every pair for 3.4/3.5, the live keys for 3.6+).
   */
  public static final class Entry {
    public String file;
    public Long revision;
    public Long hash;
    public Long totalKey;
    public Long totalSize;
    /** meta/storageVersion as etcdutl 3.6+ prints it; null (left out) for a snapshot of etcd 3.4/3.5. */
    public String storageVersion;
    /** The KMS key (ARN) whose data key encrypts the file on the volume; null (left out) for a plain file. */
    public String kmsKeyId;
    public Long size;
    public String sha256;
    public String etcdVersion;
    public String member;
    /** The etcd cluster ID (hex) the member reported: a snapshot of another cluster never silently replaces this. */
    public String clusterId;
    public String endpoint;
    public String takenAt;
    public Long durationMillis;
    /** The restore drill of this file, when the run that took it drilled it. */
    public DrillOutcome drill;
    public Failure lastFailure;
  }

  /** The newest failed attempt since the last success: when and why. */
  public record Failure(String at, String message) {}
}
