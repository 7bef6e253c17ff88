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

  /** Waits up to {@code wait} for either path to appear; falls back to the requested name. */
  public static Path find(Path byId, String volumeId, Path requested, Duration wait) throws InterruptedException {
    Path nvme = byId.resolve("nvme-Amazon_Elastic_Block_Store_" + volumeId.replace("-", ""));
    Instant deadline = Instant.now().plus(wait);
    while (true) {
      if (Files.exists(nvme)) {
        return nvme;
      }
      if (Files.exists(requested) || !Instant.now().isBefore(deadline)) {
        return requested;
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
