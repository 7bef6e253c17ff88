package io.etcdsnapshotter.snapshot;

import io.etcdsnapshotter.Bytes;
import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.config.DrillConfig;
import io.etcdsnapshotter.encryption.DataKeys;
import io.etcdsnapshotter.restore.RestoreResult;
import io.etcdsnapshotter.restore.TrialRestore;
import io.etcdsnapshotter.volume.DrillOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves a freshly committed snapshot restores: the restore {@code verify --restore} does (native data dir, read
 * back and checked: structure, status hash and key count, consistent index, term, members, WAL, {@code .snap}) in
 * a scratch dir that is deleted whatever happens. A drill that cannot fit is skipped, never half run: a full scratch
 * file system would fail it for a reason that says nothing about the snapshot.
 */
final class RestoreDrill {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreDrill.class);
  private final DrillConfig config;

  RestoreDrill(DrillConfig config) {
    this.config = config;
  }

  /** {@code keys}: the data key of an encrypted file. */
  DrillOutcome run(String cluster, Path file, DataKeys keys) {
    long start = System.nanoTime();
    try {
      String noRoom = noRoom(file);
      if (noRoom != null) {
        LOG.atWarn().addKeyValue("drill", "skipped")
            .log("cluster {}: restore drill skipped: {}", cluster, noRoom);
        return DrillOutcome.skipped(noRoom);
      }
      RestoreResult restored = TrialRestore.run(file, config.dir(), false, null, keys);
      DrillOutcome ok = DrillOutcome.ok(secondsSince(start), restored.status().revision());
      LOG.atInfo().addKeyValue("drill", "ok").addKeyValue("revision", ok.revision())
          .addKeyValue("seconds", ok.seconds()).log("cluster {}: restore drill {}", cluster, ok.describe());
      return ok;
    } catch (IOException | RuntimeException e) {
      DrillOutcome failed = DrillOutcome.failed(secondsSince(start), OneLine.message(e));
      LOG.atError().addKeyValue("drill", "failed").log("cluster {}: restore drill {}", cluster, failed.describe());
      return failed;
    }
  }

  /** Why the restore of {@code file} cannot fit in the scratch dir, or null when it can. */
  private String noRoom(Path file) throws IOException {
    long needed = TrialRestore.bytesNeeded(file);
    long free = Files.getFileStore(config.dir()).getUsableSpace();
    long room = Math.min(free, config.sizeLimit());
    if (room >= needed) {
      return null;
    }
    return "restoring " + file.getFileName() + " needs " + Bytes.human(needed) + " but " + config.dir() + " has "
        + Bytes.human(room) + (room < free ? " within drill.sizeLimit" : " free") + "; give the drill more room"
        + " (pillar etcd_snapshot:drill:scratch_size, or --drill-dir)";
  }

  private static double secondsSince(long start) {
    return Math.round((System.nanoTime() - start) / 1e6) / 1e3;
  }
}
