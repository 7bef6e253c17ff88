package io.etcdsnapshotter.aws;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Where an attached EBS volume shows up. On Nitro instances it is an NVMe disk whatever device name was asked for;
 * udev links it by the volume id as serial. On older instances the name asked for is the name (or its xvd twin).
 */
public final class NvmeDevice {
  public static final Path BY_ID = Path.of("/dev/disk/by-id");
  private static final Duration POLL = Duration.ofMillis(250);

  private NvmeDevice() {}

  /**
   * Waits up to {@code wait} for either path to appear and returns it; fails naming both when neither does, since a
   * name nothing answers to is no disk to mount.
   */
  public static Path find(Path byId, String volumeId, Path requested, Duration wait) throws InterruptedException {
    Path nvme = byId.resolve("nvme-Amazon_Elastic_Block_Store_" + volumeId.replace("-", ""));
    Instant deadline = Instant.now().plus(wait);
    while (true) {
      if (Files.exists(nvme)) {
        return nvme;
      }
      if (Files.exists(requested)) {
        return requested;
      }
      if (!Instant.now().isBefore(deadline)) {
        String waited = wait.toMillis() % 1000 == 0 ? wait.toSeconds() + "s" : wait.toMillis() + "ms";
        throw new AwsException("volume " + volumeId + " is attached, but neither " + requested + " nor " + nvme
            + " appeared within " + waited + ": look at lsblk and dmesg, run volume-attach again to wait longer"
            + " (--device-timeout), or volume-release to give the volume back");
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
