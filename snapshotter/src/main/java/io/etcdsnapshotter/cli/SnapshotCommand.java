package io.etcdsnapshotter.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "snapshot", mixinStandardHelpOptions = true, description = "TODO")
final class SnapshotCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UnsupportedOperationException("snapshot is not built yet");
  }
}
