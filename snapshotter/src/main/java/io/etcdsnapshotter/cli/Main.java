package io.etcdsnapshotter.cli;

import io.etcdsnapshotter.OneLine;
import io.etcdsnapshotter.UsageException;
import java.util.List;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jar's entry point: one subcommand per job, exit codes as in the CLI contract (0 ok, 1 failed, 2 usage). */
@Command(
    name = "etcd-snapshotter",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Snapshots, inspects and restores etcd clusters without etcd binaries.")
public final class Main implements Runnable {
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  private static final List<Class<?>> COMMANDS = List.of(SnapshotCommand.class, JournalCommand.class,
      CheckCommand.class, StatusCommand.class, VerifyCommand.class, RestoreCommand.class, FetchCommand.class,
      MemberReplaceCommand.class, VolumeAttachCommand.class, VolumeReleaseCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    commandsFor(args).forEach(cli::addSubcommand);
    cli.getSubcommands().values().forEach(Main::addLogFormat);
    // Set after the subcommands are added: picocli hands it only to the subcommands present at this call.
    return cli.setExecutionExceptionHandler(Main::oneLineError).execute(args);
  }

  /**
   * Just the command named first, or all of them for the top-level help and for suggestions on a typo: picocli
   * builds the model of every command it is given, which took 0.3 s of the half second a run used to start.
   */
  private static List<Class<?>> commandsFor(String... args) {
    String name = args.length > 0 ? args[0] : "";
    return COMMANDS.stream()
        .filter(command -> command.getAnnotation(Command.class).name().equals(name))
        .<List<Class<?>>>map(List::of)
        .findFirst()
        .orElse(COMMANDS);
  }

  /** --log-format on every command, the steps of member-replace included. */
  private static void addLogFormat(CommandLine command) {
    command.getCommandSpec()
        .addMixin("logFormat", CommandLine.Model.CommandSpec.forAnnotatedObject(new LogFormatOption()));
    command.getSubcommands().values().forEach(Main::addLogFormat);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Operators get one actionable line, never a stack trace; a request that cannot be done as asked is a usage error,
   * with the command's own usage exit code (check's is not 2, which means "quorum lost" there).
   */
  private static int oneLineError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + OneLine.message(e));
    return e instanceof UsageException ? cmd.getCommandSpec().exitCodeOnInvalidInput() : EXIT_FAILED;
  }
}
