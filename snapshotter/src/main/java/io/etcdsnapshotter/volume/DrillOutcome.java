package io.etcdsnapshotter.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How the restore drill of a cluster's newest snapshot went, as {@code snapshots.json} records it and a run
 * reports it (stdout, the PVC, the Event, metrics).
 *
 * @param seconds how long the restore and its check took (0 when skipped)
 * @param revision the revision read back from the restored db; null unless it restored
 * @param reason why it failed or was skipped; null when ok
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrillOutcome(Result result, double seconds, Long revision, String reason) {
  public enum Result {
    OK, FAILED, SKIPPED;

    @JsonValue
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static DrillOutcome ok(double seconds, long revision) {
    return new DrillOutcome(Result.OK, seconds, revision, null);
  }

  public static DrillOutcome failed(double seconds, String reason) {
    return new DrillOutcome(Result.FAILED, seconds, null, reason);
  }

  public static DrillOutcome skipped(String reason) {
    return new DrillOutcome(Result.SKIPPED, 0, null, reason);
  }

  public boolean failed() {
    return result == Result.FAILED;
  }

  /** One phrase for the operator: "ok: revision 42 restored and checked in 1.3 s", or the result and the reason. */
  public String describe() {
    return result == Result.OK
        ? String.format(Locale.ROOT, "ok: revision %d restored and checked in %.1f s", revision, seconds)
        : result.text() + ": " + reason;
  }
}
