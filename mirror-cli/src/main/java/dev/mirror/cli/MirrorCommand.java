package dev.mirror.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mirror} command: {@code replay}, {@code gate}, {@code check-config} and {@code
 * generate-completion}, each with {@code --help}. The exit status is one of {@link ExitStatus}'s.
 */
@Command(name = "mirror", mixinStandardHelpOptions = true,
    versionProvider = MirrorCommand.Version.class,
    description = "Replays captured traffic, gates a candidate version on it, checks"
        + " configurations.",
    subcommands = {ReplayCommand.class, GateCommand.class, CheckConfigCommand.class,
        AutoComplete.GenerateCompletion.class},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:ok",
        "1:gate: a threshold was crossed; replay: a copy failed or was dropped",
        "2:usage or configuration error (the message names the option or key)",
        "3:runtime failure: a capture that cannot be read, a target or broker that answered"
            + " nothing"})
public final class MirrorCommand implements Runnable {

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (for tests and embedding). */
  public static int run(String... args) {
    CommandLine line = new CommandLine(new MirrorCommand())
        .setExecutionExceptionHandler(MirrorCommand::failed)
        .setParameterExceptionHandler((error, ignored) -> {
          CommandLine failed = error.getCommandLine();
          failed.getErr().println("mirror: " + error.getMessage());
          failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName()
              + " --help'.");
          return ExitStatus.USAGE;
        });
    // The usage help's exit-status list is the top command's; every subcommand shows it too.
    for (CommandLine sub : line.getSubcommands().values()) {
      sub.getCommandSpec().usageMessage()
          .exitCodeListHeading("%nExit status:%n")
          .exitCodeList(line.getCommandSpec().usageMessage().exitCodeList());
    }
    line.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return line.execute(args);
  }

  /**
   * A command that threw: a bad configuration key or option value is a usage error (its message
   * names it); anything else is a runtime failure, told in one line (the stack trace with {@code
   * -Dmirror.cli.trace=true}).
   */
  private static int failed(Exception error, CommandLine line, CommandLine.ParseResult parsed) {
    Throwable shown = error instanceof java.io.UncheckedIOException ? error.getCause() : error;
    line.getErr().println("mirror " + line.getCommandName() + ": " + shown.getMessage());
    if (Boolean.getBoolean("mirror.cli.trace")) {
      error.printStackTrace(line.getErr());
    }
    return error instanceof IllegalArgumentException ? ExitStatus.USAGE
        : ExitStatus.RUNTIME_FAILURE;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar's manifest ({@code Implementation-Version}). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = MirrorCommand.class.getPackage().getImplementationVersion();
      return new String[] {"mirror " + (version == null ? "(development build)" : version),
          "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
  }
}
