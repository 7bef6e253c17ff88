package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.config.ConfigException;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jar's entry point: one subcommand per job, exit codes as in the CLI contract (0 ok, 1 failed, 2 usage). */
@Command(
    name = "etcd-snapshotter",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Snapshots, inspects and restores etcd clusters without etcd binaries.",
    subcommands = {SnapshotCommand.class, StatusCommand.class, VerifyCommand.class, RestoreCommand.class,
        VolumeAttachCommand.class, VolumeReleaseCommand.class})
public final class Main implements Runnable {
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(run(args));
  }

  public static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(Main::oneLineError)
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Operators get one actionable line, never a stack trace; configuration mistakes are usage errors. */
  private static int oneLineError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    cmd.getErr().println("etcd-snapshotter " + cmd.getCommandName() + ": " + describe(e));
    return e instanceof ConfigException ? EXIT_USAGE : EXIT_FAILED;
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    }
    return message.replace('\n', ' ');
  }
}
