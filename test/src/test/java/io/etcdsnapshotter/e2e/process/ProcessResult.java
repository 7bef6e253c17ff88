package io.etcdsnapshotter.e2e.process;

import java.util.List;

/** What a finished process left: its exit code and everything it printed. */
public record ProcessResult(String command, int exitCode, String stdout, String stderr) {
  /** The non-blank lines of stderr, for checking that a failure is reported as one line. */
  public List<String> stderrLines() {
    return stderr.lines().filter(line -> !line.isBlank()).toList();
  }

  /** For fixture steps, where any failure means the fixture is broken rather than the code under test. */
  public ProcessResult orThrow() {
    if (exitCode != 0) {
      throw new IllegalStateException("command failed: " + this);
    }
    return this;
  }

  @Override
  public String toString() {
    return command + " exited " + exitCode + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
  }
}
